import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureSchedules, type ScheduleDefinition } from '../../worker/schedules.js';
import {
  inspectionRoundWorkflow,
  type InspectionRoundInput,
} from '../../workflows/station-inspection/inspection-round.workflow.js';
import { ADMIN_PASSWORD, signIn, uniqueSuffix, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createStation, stationBody, unitId, type StationView } from '../support/station-api.js';
import { waitFor } from '../support/wait.js';

/*
 * A Temporal Schedule starting inspection rounds at its rhythm: the production definition's shape with a
 * four-second interval, under a scheduleId of this file's own, on the harness task queue, limited to the
 * stations of 新昌 南明街道's first grassroots union (xinchang_t1_g1), which this file owns. Deleted in teardown.
 */

const OWNER = unitId('xinchang_t1_g1');
const EVERY_MS = 4000;

let h: Harness;
let admin: Session;
let inspector: Session;
let due: StationView[];
const suffix = uniqueSuffix();
const scheduleId = `test-inspection-round-${suffix}`;
const input: InspectionRoundInput = { stationType: 'standard', rhythm: { every: 'PT4S' }, scopeUnitId: OWNER };

const rowsOfOwner = () =>
  h.db
    .selectFrom('inspection')
    .select(['station_id', 'period', 'kind', 'workflow_id', 'inspector_user_id', 'policy_version', 'step'])
    .where('owner_unit_id', '=', OWNER)
    .orderBy('period')
    .orderBy('station_id')
    .execute();

beforeAll(async () => {
  h = await createHarness();
  admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  inspector = await signIn(h, 'xinchang_inspector');
  const make = (name: string, status = 'open') =>
    createStation(h, admin.token, stationBody(OWNER, { name, status, latitude: 29.45, longitude: 121.05 }));
  due = [await make('周期测试站甲'), await make('周期测试站乙')];
  await make('周期测试站（规划）', 'planned');
  await createStation(
    h,
    admin.token,
    stationBody(OWNER, { name: '周期测试站（标杆）', type: 'benchmark', latitude: 29.45, longitude: 121.05 }),
  );
});

afterAll(async () => {
  await h?.client.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined);
  await h?.close();
});

describe('the inspection schedule', () => {
  test('starts a round at its rhythm: each period inspects every open station of the type once', async () => {
    const definition: ScheduleDefinition = {
      scheduleId,
      workflowType: 'inspectionRoundWorkflow',
      workflowId: `test-inspection-round-${suffix}`,
      args: [input],
      spec: { intervals: [{ every: EVERY_MS }] },
      note: 'test: inspection rounds every four seconds',
    };
    await ensureSchedules(h.client, h.taskQueue, [definition]);

    // A round starts its stations one after another, so a period is looked at once all of them are recorded.
    const complete = (found: Awaited<ReturnType<typeof rowsOfOwner>>) =>
      [...new Set(found.map((row) => row.period))].filter(
        (period) => found.filter((row) => row.period === period).length >= due.length,
      );
    const rows = await waitFor(
      async () => {
        const found = await rowsOfOwner();
        return complete(found).length >= 2 && found;
      },
      { message: 'inspections of two periods recorded', timeoutMs: 40_000, intervalMs: 250 },
    );

    const periods = complete(rows).slice(0, 2);
    const stationIds = due.map((station) => station.id).sort();
    for (const period of periods) {
      expect(rows.filter((row) => row.period === period)).toEqual(
        stationIds.map((stationId) => ({
          station_id: stationId,
          period,
          kind: 'scheduled',
          workflow_id: `inspection-${stationId}-${period}`,
          inspector_user_id: inspector.id,
          policy_version: 0,
          step: 'inspect',
        })),
      );
    }
    // Periods are the buckets of the scheduled times: multiples of the interval, one interval apart or more.
    const times = periods.map((period) =>
      Date.parse(period.replace(/^T(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
    );
    expect(times.map((ms) => ms % EVERY_MS)).toEqual([0, 0]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(EVERY_MS);
  });

  test('a second round for a period already inspected starts nothing', async () => {
    const [first] = await rowsOfOwner();
    const before = (await rowsOfOwner()).filter((row) => row.period === first!.period);

    const again = await h.client.workflow.execute(inspectionRoundWorkflow, {
      workflowId: `test-inspection-round-again-${suffix}`,
      taskQueue: h.taskQueue,
      args: [{ ...input, period: first!.period }],
    });

    expect(again).toMatchObject({ period: first!.period, started: 0 });
    expect((await rowsOfOwner()).filter((row) => row.period === first!.period)).toEqual(before);
  });

  test('stops when the schedule is deleted', async () => {
    const handle = h.client.schedule.getHandle(scheduleId);
    // Firing until now, so a count that stays put below means the deletion stopped it.
    expect((await handle.describe()).info.recentActions.length).toBeGreaterThanOrEqual(2);
    await handle.delete();
    await delay(1000);
    const before = (await rowsOfOwner()).length;

    await delay(2 * EVERY_MS);

    expect((await rowsOfOwner()).length).toBe(before);
  });
});
