import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildStations } from '../../seeds/06-stations.js';
import { callThrough, type DemoCall } from '../../seeds/demo-app.js';
import { runStationDemo } from '../../seeds/demo-stations.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { unitId } from '../support/station-api.js';

/*
 * The demo script (seeds/demo-stations.ts) driven through the harness's API instead of a demo stack. It is limited
 * to 诸暨市's stations, which only the seeds own and no other file inspects, and keeps the built-in limits.
 */

const ZHUJI = unitId('zhuji');

let h: Harness;

const call: DemoCall = callThrough((method, url, options) => h.request(method, url, options));

const options = {
  adminPassword: ADMIN_PASSWORD,
  demoPassword: DEMO_PASSWORD,
  scopeUnitId: ZHUJI,
  shortLimitsForRoundTheClock: false,
};

async function eventsOfZhuji() {
  return h.db
    .selectFrom('inspection_event as e')
    .innerJoin('inspection as i', 'i.id', 'e.inspection_id')
    .select(['i.station_id', 'e.seq', 'e.kind'])
    .where('i.owner_unit_path', 'like', `%/${ZHUJI}/%`)
    .orderBy('i.station_id')
    .orderBy('e.seq')
    .execute();
}

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('the station demo', () => {
  test('starts the rounds and leaves the benchmark inspections at different steps', async () => {
    const zhujiBenchmark = buildStations()
      .filter((s) => s.district === 'zhuji' && s.type === 'benchmark')
      .map((s) => s.id)
      .sort();
    const zhujiRoundTheClock = buildStations().filter((s) => s.district === 'zhuji' && s.type === '24h');

    const result = await runStationDemo(call, options);

    expect(result.roundTheClockInspections).toBe(zhujiRoundTheClock.length);
    expect(zhujiBenchmark).toHaveLength(3);
    expect(result.benchmark).toEqual({ 'done/excellent': 1, 'done/rectified': 1, 'rectify/open': 1 });
    const inspections = await h.db
      .selectFrom('inspection')
      .select(['station_id', 'step', 'outcome', 'kind', 'period'])
      .where('station_type', '=', 'benchmark')
      .where('owner_unit_path', 'like', `%/${ZHUJI}/%`)
      .orderBy('station_id')
      .execute();
    expect(inspections.map((i) => [i.station_id, i.step, i.outcome, i.kind, i.period])).toEqual([
      [zhujiBenchmark[0], 'done', 'excellent', 'scheduled', result.period],
      [zhujiBenchmark[1], 'done', 'rectified', 'scheduled', result.period],
      [zhujiBenchmark[2], 'rectify', null, 'scheduled', result.period],
    ]);
  });

  test('a second run changes nothing', async () => {
    const before = await eventsOfZhuji();

    const again = await runStationDemo(call, options);

    expect(again.benchmark).toEqual({ 'done/excellent': 1, 'done/rectified': 1, 'rectify/open': 1 });
    expect(await eventsOfZhuji()).toEqual(before);
  });
});
