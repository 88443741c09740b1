import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FailureType } from '../../workflows/shared/failure-types.js';
import { inspectionActionUpdate } from '../../workflows/station-inspection/station-inspection.messages.js';
import {
  ADMIN_PASSWORD,
  createStaff,
  detailFields,
  expectError,
  signIn,
  type Session,
} from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createStation,
  inspectionAction,
  scoresTotalling,
  spotInspection,
  stationBody,
  stationStore,
  unitId,
  type InspectionView,
  type StationBody,
} from '../support/station-api.js';
import { waitFor } from '../support/wait.js';

/*
 * Inspections through the API, on real Temporal and PostgreSQL. This file owns the stations of 柯桥 柯桥街道's
 * grassroots unions (keqiao_t1_g1, keqiao_t1_g2), placed near 30.30 N 120.00 E, and uses only the standard and
 * benchmark types' built-in policies, which no file changes. Their inspector is the district's, keqiao_inspector.
 */

const OWNER = unitId('keqiao_t1_g1');
const ROUND_OWNER = unitId('keqiao_t1_g2');
const HERE = { latitude: 30.3, longitude: 120.0 };
const DEFAULT_ITEMS = [
  'signage',
  'hygiene',
  'water',
  'appliances',
  'toilet',
  'rest',
  'first_aid',
  'opening',
  'records',
];

let h: Harness;
const who = {} as Record<
  'admin' | 'inspector' | 'staff' | 'ownerSupervisor' | 'otherInspector' | 'otherAdmin' | 'township',
  Session
>;

const newStation = (name: string, overrides: Partial<StationBody> = {}) =>
  createStation(h, who.admin.token, stationBody(OWNER, { ...HERE, name, ...overrides }));

async function act(
  session: Session,
  inspection: InspectionView,
  action: 'submit' | 'rectify' | 'reinspect',
  body: Record<string, unknown>,
): Promise<InspectionView> {
  const response = await inspectionAction(h, session.token, inspection.id, action, body);
  expect(response.status, `${action}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

const scores = (inspection: InspectionView, total: number) => ({
  scores: scoresTotalling(inspection.checklist, total),
});

async function noticesOf(session: Session, inspectionId: string): Promise<string[]> {
  const response = await h.request('GET', '/notifications?limit=500', { token: session.token });
  expect(response.status).toBe(200);
  return (response.body.items as { kind: string; data: { inspectionId?: string } }[])
    .filter((n) => n.data.inspectionId === inspectionId)
    .map((n) => n.kind)
    .sort();
}

async function workflowOf(inspectionId: string) {
  const row = await h.db
    .selectFrom('inspection')
    .select('workflow_id')
    .where('id', '=', inspectionId)
    .executeTakeFirstOrThrow();
  return h.client.workflow.getHandle(row.workflow_id);
}

beforeAll(async () => {
  h = await createHarness();
  who.admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  who.inspector = await signIn(h, 'keqiao_inspector');
  who.staff = await signIn(h, 'keqiao_t1_g1_caseworker');
  who.township = await signIn(h, 'keqiao_t1_supervisor');
  who.otherInspector = await signIn(h, 'shengzhou_inspector');
  who.otherAdmin = await signIn(h, 'shengzhou_admin');
  who.ownerSupervisor = await createStaff(h, who.admin.token, { unitId: OWNER, role: 'supervisor', prefix: 'kqsup' });
});

afterAll(async () => {
  await h?.close();
});

describe('an inspection cycle', () => {
  test('passes: assigned to the district’s inspector with a deadline, scored, closed as passed', async () => {
    const station = await newStation('合格测试驿站');

    const opened = await spotInspection(h, who.inspector.token, station.id);

    expect(opened).toMatchObject({
      stationId: station.id,
      kind: 'spot',
      status: 'open',
      step: 'inspect',
      heldBy: 'inspector',
      inspectorUserId: who.inspector.id,
      passMark: 60,
      excellentMark: 90,
      escalationLevel: 0,
    });
    expect(opened.checklist.map((item) => item.id)).toEqual(DEFAULT_ITEMS);
    expect(opened.checklist.reduce((sum, item) => sum + item.maxScore, 0)).toBe(100);
    expect(Date.parse(opened.dueAt!)).toBeGreaterThan(Date.now() + 10 * 86_400_000);
    expect(opened.timeline.map((e) => e.kind)).toEqual(['opened']);
    expect(await noticesOf(who.inspector, opened.id)).toEqual(['inspection_assigned']);

    const passed = await act(who.inspector, opened, 'submit', scores(opened, 75));

    expect(passed).toMatchObject({ status: 'closed', step: 'done', outcome: 'passed', firstScore: 75, finalScore: 75 });
    expect(passed.timeline.map((e) => [e.kind, e.data.total ?? null])).toEqual([
      ['opened', null],
      ['submit', 75],
    ]);
    const handle = await workflowOf(opened.id);
    expect(await handle.result()).toEqual({ inspectionId: opened.id, outcome: 'passed' });
  });

  test('an excellent score records a commendation and tells the station’s staff', async () => {
    const station = await newStation('优秀测试驿站', { type: 'benchmark' });
    const opened = await spotInspection(h, who.admin.token, station.id);

    const excellent = await act(who.inspector, opened, 'submit', {
      ...scores(opened, 96),
      remarks: '环境整洁，服务周到',
    });
    const detail = await h.request('GET', `/stations/${station.id}`, { token: who.staff.token });
    const commendations = await h.db
      .selectFrom('station_commendation')
      .select(['station_id', 'inspection_id', 'score', 'period'])
      .where('station_id', '=', station.id)
      .execute();

    expect(excellent).toMatchObject({
      status: 'closed',
      outcome: 'excellent',
      outcomeLabel: '优秀（予以表彰）',
      finalScore: 96,
    });
    expect(excellent.timeline[1]!.data.remarks).toBe('环境整洁，服务周到');
    expect(commendations).toEqual([
      { station_id: station.id, inspection_id: opened.id, score: 96, period: opened.period },
    ]);
    expect(detail.body.commendations).toBe(1);
    expect(await noticesOf(who.staff, opened.id)).toEqual(['station_commended']);
  });

  test('fails, is rectified by the station and passes the re-inspection', async () => {
    const station = await newStation('整改测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);

    const failed = await act(who.inspector, opened, 'submit', scores(opened, 52));

    expect(failed).toMatchObject({ status: 'open', step: 'rectify', heldBy: 'station', firstScore: 52, outcome: null });
    expect(failed.rectification).toMatchObject({ reportedAt: null, report: null });
    expect(Date.parse((failed.rectification as { dueAt: string }).dueAt)).toBeGreaterThan(Date.now() + 15 * 86_400_000);
    expect(await noticesOf(who.staff, opened.id)).toEqual(['rectification_order']);

    const rectified = await act(who.staff, opened, 'rectify', { report: '已更换饮水机，补齐急救药品，张贴服务时间' });

    expect(rectified).toMatchObject({ step: 'reinspect', heldBy: 'inspector' });
    expect(rectified.rectification).toMatchObject({ report: '已更换饮水机，补齐急救药品，张贴服务时间' });
    expect(await noticesOf(who.inspector, opened.id)).toEqual(['inspection_assigned', 'reinspection_due']);

    const passed = await act(who.inspector, opened, 'reinspect', scores(opened, 81));
    const stationNow = await h.request('GET', `/stations/${station.id}`, { token: who.staff.token });

    expect(passed).toMatchObject({ status: 'closed', outcome: 'rectified', firstScore: 52, finalScore: 81 });
    expect(passed.timeline.map((e) => e.kind)).toEqual(['opened', 'submit', 'rectify', 'reinspect']);
    expect(stationNow.body.status).toBe('open');
  });

  test('fails twice: the station is suspended and the owning unit’s supervisors are told', async () => {
    const station = await newStation('两次不合格测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    await act(who.inspector, opened, 'submit', scores(opened, 40));
    await act(who.staff, opened, 'rectify', { report: '已打扫卫生' });

    const failed = await act(who.inspector, opened, 'reinspect', scores(opened, 59));
    const stationNow = await h.request('GET', `/stations/${station.id}`, { token: who.staff.token });
    const again = await h.request('POST', '/inspections', {
      token: who.inspector.token,
      body: { stationId: station.id },
    });

    expect(failed).toMatchObject({ status: 'closed', outcome: 'failed', finalScore: 59 });
    expect(failed.timeline.at(-1)!.description).toBe('复查得分 59，仍不合格，驿站暂停服务并报督办');
    expect([stationNow.body.status, stationNow.body.openNow]).toEqual(['suspended', false]);
    expect(await noticesOf(who.ownerSupervisor, opened.id)).toEqual(['rectification_order', 'station_suspended']);
    expectError(again, 409, 'STATION_NOT_IN_SERVICE');
  });
});

describe('what an inspection’s history holds', () => {
  /** JSON of a proto message with byte fields as UTF-8 text, so a payload in the clear would be readable. */
  function readable(message: unknown): string {
    const plain = (value: unknown): unknown => {
      if (value instanceof Uint8Array) {
        return Buffer.from(value).toString('utf8');
      }
      if (Array.isArray(value)) {
        return value.map(plain);
      }
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
      }
      return value;
    };
    return JSON.stringify(plain(message));
  }

  test('the rectification report and remarks travel encrypted: absent from the raw history, there with the codec', async () => {
    const canary = `金丝雀整改报告${Date.now()}`;
    const station = await newStation('历史加密测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    await act(who.inspector, opened, 'submit', { ...scores(opened, 40), remarks: `${canary}评语` });
    const rectified = await act(who.staff, opened, 'rectify', { report: canary });
    const handle = await workflowOf(opened.id);
    const rawClient = new Client({ connection: h.client.connection, namespace: 'default' });

    const raw = readable(await rawClient.workflow.getHandle(handle.workflowId).fetchHistory());
    const events = (await handle.fetchHistory()).events ?? [];
    const inputs = events
      .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input)
      .filter((input) => input?.name === 'inspectionAction');
    const { payloadCodecs, payloadConverter } = h.client.options.loadedDataConverter;
    const decoded = await Promise.all(
      inputs.map(async (input) => {
        let payloads = input!.args!.payloads!;
        for (const codec of payloadCodecs) {
          payloads = await codec.decode(payloads);
        }
        return payloadConverter.fromPayload(payloads[0]!);
      }),
    );

    expect(rectified.rectification).toMatchObject({ report: canary });
    expect(raw).toContain('binary/encrypted');
    expect(raw).not.toContain('金丝雀');
    expect(decoded).toContainEqual(expect.objectContaining({ action: 'rectify', report: canary }));
    expect(handle.workflowId).toBe(`inspection-${station.id}-${opened.period}`);
  });
});

describe('inspection actions that do not fit', () => {
  test('a rectification for a station that passed is refused, and so is one before any failure', async () => {
    const station = await newStation('无需整改测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    const early = await inspectionAction(h, who.staff.token, opened.id, 'rectify', { report: '提前整改' });
    await act(who.inspector, opened, 'submit', scores(opened, 88));
    const before = await stationStore(h.db, OWNER);

    const needless = await inspectionAction(h, who.staff.token, opened.id, 'rectify', { report: '已整改' });

    expectError(early, 409, 'INSPECTION_STEP_MISMATCH');
    expect(early.body.error.message).toBe('本次检查当前处于「检查评分」阶段，尚未下达整改通知，不能报告整改');
    expectError(needless, 409, 'RECTIFICATION_NOT_REQUIRED');
    expect(needless.body.error.message).toBe('该驿站本次检查已合格，无需整改');
    expect(await stationStore(h.db, OWNER)).toEqual(before);
  });

  test('scores outside the checklist are refused naming each item, and nothing is recorded', async () => {
    const station = await newStation('评分越界测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    const handle = await workflowOf(opened.id);
    const historyBefore = (await handle.fetchHistory()).events?.length;
    const before = await stationStore(h.db, OWNER);
    const valid = scoresTotalling(opened.checklist, 70);

    const tooHigh = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: { ...valid, hygiene: 16 },
    });
    const unknown = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: { ...valid, wifi: 5 },
    });
    const { records: _records, ...missing } = valid;
    const incomplete = await inspectionAction(h, who.inspector.token, opened.id, 'submit', { scores: missing });
    const negative = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: { ...valid, water: -3 },
    });
    const fraction = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: { ...valid, water: 7.5 },
    });
    const text = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: { ...valid, water: '7' },
    });

    expectError(tooHigh, 422, 'SCORES_INVALID');
    expect(tooHigh.body.error.details).toEqual([{ field: 'scores.hygiene', reason: '不能大于 15（该项满分）' }]);
    expectError(unknown, 422, 'SCORES_INVALID');
    expect(detailFields(unknown)).toEqual(['scores.wifi']);
    expectError(incomplete, 422, 'SCORES_INVALID');
    expect(detailFields(incomplete)).toEqual(['scores.records']);
    expectError(negative, 422, 'SCORES_INVALID');
    expectError(fraction, 400, 'VALIDATION_FAILED');
    expectError(text, 400, 'VALIDATION_FAILED');
    expect(await stationStore(h.db, OWNER)).toEqual(before);
    expect((await handle.fetchHistory()).events?.length).toBe(historyBefore);
  });

  test('the workflow’s own validator refuses bad scores sent around the API, before anything reaches history', async () => {
    const station = await newStation('直连校验测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    const handle = await workflowOf(opened.id);
    const historyBefore = (await handle.fetchHistory()).events?.length;
    const unit = await h.db
      .selectFrom('org_unit')
      .select(['id', 'path'])
      .where('id', '=', who.inspector.unitId)
      .executeTakeFirstOrThrow();

    const failure = await handle
      .executeUpdate(inspectionActionUpdate, {
        args: [
          {
            action: 'submit',
            scores: { ...scoresTotalling(opened.checklist, 70), hygiene: 99 },
            actor: { userId: who.inspector.id, role: 'inspector', unit },
          },
        ],
      })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (failure as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(FailureType.ScoresInvalid);
    expect((cause as ApplicationFailure).message).toBe('scores.hygiene：不能大于 15（该项满分）');
    expect((await handle.fetchHistory()).events?.length).toBe(historyBefore);
  });

  test('only inspectors score, only the station’s staff rectify, nobody outside the subtree sees it', async () => {
    const station = await newStation('角色测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);

    const byStaff = await inspectionAction(h, who.staff.token, opened.id, 'submit', scores(opened, 70));
    const byOtherDistrict = await inspectionAction(
      h,
      who.otherInspector.token,
      opened.id,
      'submit',
      scores(opened, 70),
    );
    const read = await h.request('GET', `/inspections/${opened.id}`, { token: who.otherAdmin.token });
    await act(who.inspector, opened, 'submit', scores(opened, 30));
    const rectifiedByInspector = await inspectionAction(h, who.inspector.token, opened.id, 'rectify', {
      report: '代为整改',
    });
    const secondSubmit = await inspectionAction(h, who.inspector.token, opened.id, 'submit', scores(opened, 90));
    const rectifiedByTownship = await act(who.township, opened, 'rectify', { report: '街道督促整改完毕' });

    expectError(byStaff, 403, 'NOT_INSPECTION_ACTOR');
    expectError(byOtherDistrict, 404, 'INSPECTION_NOT_FOUND');
    expectError(read, 404, 'INSPECTION_NOT_FOUND');
    expectError(rectifiedByInspector, 403, 'NOT_INSPECTION_ACTOR');
    expectError(secondSubmit, 409, 'INSPECTION_STEP_MISMATCH');
    expect(rectifiedByTownship.step).toBe('reinspect');
  });

  test('an action on a closed inspection is refused as closed', async () => {
    const station = await newStation('已结束测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    await act(who.inspector, opened, 'submit', scores(opened, 70));

    const again = await inspectionAction(h, who.inspector.token, opened.id, 'reinspect', scores(opened, 70));

    expectError(again, 409, 'INSPECTION_CLOSED');
  });
});

describe('POST /inspections', () => {
  test('refuses a second spot inspection while one is open, and another the same day once it closed', async () => {
    const station = await newStation('重复抽查测试驿站');
    const [first, second] = await Promise.all([
      h.request<InspectionView>('POST', '/inspections', {
        token: who.inspector.token,
        body: { stationId: station.id },
      }),
      h.request<InspectionView>('POST', '/inspections', { token: who.admin.token, body: { stationId: station.id } }),
    ]);
    const rows = await h.db.selectFrom('inspection').select('id').where('station_id', '=', station.id).execute();

    expect([first.status, second.status].filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect([first.status, second.status].every((s) => s === 201 || s === 409)).toBe(true);
    expect(rows).toHaveLength(1);

    const whileOpen = await h.request('POST', '/inspections', {
      token: who.inspector.token,
      body: { stationId: station.id },
    });
    expectError(whileOpen, 409, 'INSPECTION_ALREADY_OPEN');
    expect(whileOpen.body.error.details).toEqual({ inspectionId: rows[0]!.id });

    const inspection = (first.status === 201 ? first : second).body;
    await act(who.inspector, inspection, 'submit', scores(inspection, 70));
    const sameDay = await h.request('POST', '/inspections', {
      token: who.inspector.token,
      body: { stationId: station.id },
    });
    expectError(sameDay, 409, 'SPOT_INSPECTION_DONE_TODAY');
  });

  test('is refused to caseworkers, for stations outside the subtree, and for stations not in service', async () => {
    const planned = await newStation('规划中测试驿站', { status: 'planned' });
    const open = await newStation('范围测试驿站');

    expectError(
      await h.request('POST', '/inspections', { token: who.staff.token, body: { stationId: open.id } }),
      403,
      'ROLE_NOT_ALLOWED',
    );
    expectError(
      await h.request('POST', '/inspections', { token: who.otherInspector.token, body: { stationId: open.id } }),
      422,
      'STATION_NOT_FOUND',
    );
    expectError(
      await h.request('POST', '/inspections', { token: who.inspector.token, body: { stationId: planned.id } }),
      409,
      'STATION_NOT_IN_SERVICE',
    );
  });
});

describe('POST /inspections/rounds', () => {
  test('inspects every open station of the type in the unit once per period, however often it is started', async () => {
    const make = (name: string, overrides: Partial<StationBody> = {}) =>
      createStation(h, who.admin.token, stationBody(ROUND_OWNER, { ...HERE, name, ...overrides }));
    const due = [await make('轮次测试站一'), await make('轮次测试站二')];
    await make('轮次测试站（标杆）', { type: 'benchmark' });
    await make('轮次测试站（规划）', { status: 'planned' });

    const first = await h.request('POST', '/inspections/rounds', {
      token: who.admin.token,
      body: { stationType: 'standard', unitId: ROUND_OWNER },
    });
    const again = await h.request('POST', '/inspections/rounds', {
      token: who.admin.token,
      body: { stationType: 'standard', unitId: ROUND_OWNER },
    });

    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ stationType: 'standard', unitId: ROUND_OWNER, period: '2026Q4', started: 2 });
    expect(again.body.started).toBe(0);
    const rows = await waitFor(
      async () => {
        const found = await h.db
          .selectFrom('inspection')
          .select(['station_id', 'period', 'kind', 'inspector_user_id'])
          .where('owner_unit_id', '=', ROUND_OWNER)
          .orderBy('station_id')
          .execute();
        return found.length === 2 && found;
      },
      { message: 'both inspections of the round recorded' },
    );
    expect(rows).toEqual(
      due
        .map((station) => ({
          station_id: station.id,
          period: '2026Q4',
          kind: 'scheduled',
          inspector_user_id: who.inspector.id,
        }))
        .sort((a, b) => a.station_id.localeCompare(b.station_id)),
    );
  });

  test('is for admins and supervisors only, within their subtree', async () => {
    expectError(
      await h.request('POST', '/inspections/rounds', { token: who.inspector.token, body: { stationType: 'standard' } }),
      403,
      'ROLE_NOT_ALLOWED',
    );
    expectError(
      await h.request('POST', '/inspections/rounds', {
        token: who.otherAdmin.token,
        body: { stationType: 'standard', unitId: ROUND_OWNER },
      }),
      404,
      'UNIT_NOT_FOUND',
    );
  });
});

describe('GET /inspections', () => {
  test('lists the subtree’s inspections with filters, and the inspector’s own with mine=true', async () => {
    const station = await newStation('列表测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);

    const byStation = await h.request('GET', `/inspections?stationId=${station.id}`, { token: who.township.token });
    const mine = await h.request('GET', '/inspections?mine=true&status=open&limit=500', { token: who.inspector.token });
    const otherDistrict = await h.request('GET', `/inspections?stationId=${station.id}`, {
      token: who.otherAdmin.token,
    });

    expect(byStation.body.items.map((i: InspectionView) => [i.id, i.stationName, i.step])).toEqual([
      [opened.id, '列表测试驿站', 'inspect'],
    ]);
    expect(mine.body.items.map((i: InspectionView) => i.id)).toContain(opened.id);
    expect(otherDistrict.body.items).toEqual([]);
  });
});

describe('inspection policies', () => {
  test('show the built-in checklist and marks of each station type', async () => {
    const response = await h.request('GET', '/policies/inspections', { token: who.inspector.token });
    const standard = response.body.items.find((p: { stationType: string }) => p.stationType === 'standard');

    expect(response.body.items.map((p: { stationType: string }) => p.stationType)).toEqual([
      'standard',
      'benchmark',
      '24h',
    ]);
    expect(standard).toMatchObject({ version: 0, passMark: 60, excellentMark: 90, maxTotal: 100 });
    expect(standard.limits).toEqual({
      inspect: { duration: 'P10D', calendar: 'working' },
      rectify: { duration: 'P15D', calendar: 'working' },
      reinspect: { duration: 'P5D', calendar: 'working' },
    });
  });

  test('refuse marks out of order, a duration we do not accept, a repeated item, and anyone but the city’s admin', async () => {
    const put = (token: string, body: unknown) => h.request('PUT', '/policies/inspections/standard', { token, body });
    const versionsBefore = await h.db
      .selectFrom('inspection_policy')
      .select('id')
      .where('station_type', '=', 'standard')
      .execute();

    const marks = await put(who.admin.token, { passMark: 80, excellentMark: 70 });
    const beyond = await put(who.admin.token, { excellentMark: 120 });
    const duration = await put(who.admin.token, { limits: { inspect: { duration: 'P1M', calendar: 'working' } } });
    const repeated = await put(who.admin.token, {
      checklist: [
        { id: 'water', label: '饮水', maxScore: 50 },
        { id: 'water', label: '饮水二', maxScore: 50 },
      ],
    });
    const district = await put(who.otherAdmin.token, { passMark: 50 });

    expectError(marks, 422, 'POLICY_INVALID');
    expect(detailFields(marks)).toEqual(['excellentMark']);
    expectError(beyond, 422, 'POLICY_INVALID');
    expect(beyond.body.error.details).toEqual([{ field: 'excellentMark', reason: '不能高于检查表满分 100' }]);
    expectError(duration, 422, 'POLICY_INVALID');
    expect(detailFields(duration)).toEqual(['limits.inspect.duration']);
    expectError(repeated, 422, 'POLICY_INVALID');
    expect(detailFields(repeated)).toEqual(['checklist.1.id']);
    expectError(district, 403, 'ROLE_NOT_ALLOWED');
    expect(
      await h.db.selectFrom('inspection_policy').select('id').where('station_type', '=', 'standard').execute(),
    ).toEqual(versionsBefore);
  });
});
