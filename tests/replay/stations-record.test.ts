import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_PASSWORD, signIn, type Session } from '../support/api-fixtures.js';
import { historyToJson } from '../support/history-json.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createStation,
  inspectionAction,
  scoresTotalling,
  spotInspection,
  stationBody,
  unitId,
  type InspectionView,
} from '../support/station-api.js';

/*
 * Records the station inspection histories that replay.test.ts replays. Skipped unless RECORD_HISTORIES is set; run
 * it alone after a deliberate change to what an inspection records, and commit the files it writes:
 *
 *   RECORD_HISTORIES=1 bash scripts/test.sh tests/replay/stations-record.test.ts
 */

const HISTORIES_DIR = fileURLToPath(new URL('./station-histories/', import.meta.url));
const OWNER = unitId('keqiao_t1_g1');

describe.skipIf(!process.env.RECORD_HISTORIES)('recording station inspection histories for replay', () => {
  let h: Harness;
  let admin: Session;
  let inspector: Session;
  let staff: Session;

  beforeAll(async () => {
    h = await createHarness();
    admin = await signIn(h, 'admin', ADMIN_PASSWORD);
    inspector = await signIn(h, 'keqiao_inspector');
    staff = await signIn(h, 'keqiao_t1_g1_caseworker');
    await mkdir(HISTORIES_DIR, { recursive: true });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function open(name: string, type: 'standard' | 'benchmark' = 'standard'): Promise<InspectionView> {
    const station = await createStation(
      h,
      admin.token,
      stationBody(OWNER, { name, type, latitude: 30.3, longitude: 120.0 }),
    );
    return spotInspection(h, inspector.token, station.id);
  }

  async function act(
    session: Session,
    inspection: InspectionView,
    action: 'submit' | 'rectify' | 'reinspect',
    body: object,
  ) {
    const response = await inspectionAction(h, session.token, inspection.id, action, body as Record<string, unknown>);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  const scores = (inspection: InspectionView, total: number) => ({
    scores: scoresTotalling(inspection.checklist, total),
  });

  async function save(name: string, inspection: InspectionView): Promise<void> {
    const row = await h.db
      .selectFrom('inspection')
      .select('workflow_id')
      .where('id', '=', inspection.id)
      .executeTakeFirstOrThrow();
    const handle = h.client.workflow.getHandle(row.workflow_id);
    await handle.result();
    await writeFile(`${HISTORIES_DIR}${name}.json`, historyToJson(await handle.fetchHistory()));
  }

  test('records an inspection that passes at once', async () => {
    const inspection = await open('回放合格驿站');
    await act(inspector, inspection, 'submit', scores(inspection, 75));
    await save('inspection-passed', inspection);
  });

  test('records an excellent inspection with its commendation', async () => {
    const inspection = await open('回放优秀驿站', 'benchmark');
    await act(inspector, inspection, 'submit', { ...scores(inspection, 96), remarks: '环境整洁' });
    await save('inspection-excellent', inspection);
  });

  test('records an inspection that fails, is rectified and passes the re-inspection', async () => {
    const inspection = await open('回放整改驿站');
    await act(inspector, inspection, 'submit', scores(inspection, 52));
    await act(staff, inspection, 'rectify', { report: '已更换饮水机，补齐急救药品' });
    await act(inspector, inspection, 'reinspect', scores(inspection, 81));
    await save('inspection-rectified', inspection);
  });

  test('records an inspection that fails twice and suspends the station', async () => {
    const inspection = await open('回放停用驿站');
    await act(inspector, inspection, 'submit', scores(inspection, 40));
    await act(staff, inspection, 'rectify', { report: '已打扫卫生' });
    await act(inspector, inspection, 'reinspect', scores(inspection, 59));
    await save('inspection-failed-twice', inspection);
  });
});
