import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shanghaiMoment } from '../../workflows/shared/opening-hours.js';
import { periodOf, quarterDates } from '../../workflows/station-inspection/inspection-period.js';
import { ADMIN_PASSWORD, expectError, signIn, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createStation,
  scoresTotalling,
  spotInspection,
  stationBody,
  unitId,
  type StationView,
} from '../support/station-api.js';

/*
 * GET /reports/stations with hand-computed figures. This file owns the stations of 柯桥 华舍街道's grassroots
 * unions (keqiao_t2_g1, keqiao_t2_g2), placed near 30.20 N 121.15 E. Everything it records falls in the current
 * quarter (today) or on the last day of the previous one, so it holds whatever day it runs.
 */

const G1 = unitId('keqiao_t2_g1');
const G2 = unitId('keqiao_t2_g2');
const TOWNSHIP = unitId('keqiao_t2');

let h: Harness;
const who = {} as Record<'admin' | 'inspector' | 'staff' | 'township' | 'otherDistrict' | 'trainer', Session>;
const s = {} as Record<'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6', StationView>;
const today = shanghaiMoment(Date.now()).date;
const quarter = periodOf('quarterly', Date.now());
const previousQuarter = periodOf('quarterly', Date.parse(`${quarterDates(quarter)!.from}T00:00:00+08:00`) - 1);
const previousQuarterLastDay = new Date(Date.parse(`${quarterDates(quarter)!.from}T00:00:00Z`) - 86_400_000)
  .toISOString()
  .slice(0, 10);

async function ok(method: 'POST', url: string, token: string, body: unknown) {
  const response = await h.request(method, url, { token, body });
  expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body;
}

async function inspect(station: StationView, first: number, reinspection?: number) {
  const opened = await spotInspection(h, who.inspector.token, station.id);
  const score = (total: number) => ({ scores: scoresTotalling(opened.checklist, total) });
  await ok('POST', `/inspections/${opened.id}/actions/submit`, who.inspector.token, score(first));
  if (reinspection !== undefined) {
    await ok('POST', `/inspections/${opened.id}/actions/rectify`, who.staff.token, { report: '已整改' });
    await ok('POST', `/inspections/${opened.id}/actions/reinspect`, who.inspector.token, score(reinspection));
  }
}

const activity = (station: StationView, date: string, participants: number) =>
  ok('POST', `/stations/${station.id}/activities`, who.admin.token, { date, title: '测试活动', participants });
const visits = (station: StationView, date: string, count: number) =>
  ok('POST', `/stations/${station.id}/visits`, who.admin.token, { date, count });

beforeAll(async () => {
  h = await createHarness();
  who.admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  who.inspector = await signIn(h, 'keqiao_inspector');
  who.staff = await signIn(h, 'keqiao_t2_g1_caseworker');
  who.township = await signIn(h, 'keqiao_t2_supervisor');
  who.otherDistrict = await signIn(h, 'yuecheng_admin');
  who.trainer = await signIn(h, 'trainer');
  const place = { latitude: 30.2, longitude: 121.15 };
  for (const [key, owner] of [
    ['S1', G1],
    ['S2', G1],
    ['S3', G1],
    ['S4', G2],
    ['S5', G1],
    ['S6', G1],
  ] as const) {
    s[key] = await createStation(h, who.admin.token, stationBody(owner, { ...place, name: `排名测试站${key}` }));
  }
  await inspect(s.S1, 95);
  await inspect(s.S2, 70);
  await inspect(s.S3, 40, 75);
  await inspect(s.S4, 85);
  await activity(s.S1, today, 20);
  for (const participants of [10, 15, 5]) {
    await activity(s.S2, today, participants);
  }
  await activity(s.S2, previousQuarterLastDay, 7);
  await activity(s.S4, today, 12);
  await activity(s.S4, today, 8);
  await visits(s.S1, today, 100);
  await visits(s.S2, today, 30);
  await visits(s.S3, today, 500);
  await visits(s.S3, previousQuarterLastDay, 999);
  await visits(s.S4, today, 50);
});

afterAll(async () => {
  await h?.close();
});

const ranking = (body: { stations: { rank: number; name: string }[] }) => body.stations.map((x) => [x.rank, x.name]);

describe('GET /reports/stations', () => {
  test('ranks the unit’s stations by inspection score, ties sharing a rank and stations without one last', async () => {
    const response = await h.request('GET', `/reports/stations?unitId=${G1}`, { token: who.township.token });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ quarter, unitId: G1, sortBy: 'score', from: quarterDates(quarter)!.from });
    expect(ranking(response.body)).toEqual([
      [1, '排名测试站S1'],
      [2, '排名测试站S3'],
      [3, '排名测试站S2'],
      [4, '排名测试站S5'],
      [4, '排名测试站S6'],
    ]);
    expect(response.body.stations[0]).toEqual({
      stationId: s.S1.id,
      name: '排名测试站S1',
      type: 'standard',
      ownerUnitId: G1,
      rank: 1,
      inspections: 1,
      averageScore: 95,
      commendations: 1,
      failures: 0,
      activities: 1,
      participants: 20,
      visits: 100,
    });
    expect(response.body.stations[1]).toMatchObject({ averageScore: 75, commendations: 0, failures: 0, visits: 500 });
    expect(response.body.stations[3]).toMatchObject({ inspections: 0, averageScore: null, activities: 0, visits: 0 });
    expect(response.body.totals).toEqual({
      stations: 5,
      inspections: 3,
      commendations: 1,
      failures: 0,
      activities: 4,
      participants: 50,
      visits: 630,
    });
  });

  test('ranks by activities or by visits on request', async () => {
    const byActivities = await h.request('GET', `/reports/stations?unitId=${G1}&sortBy=activities`, {
      token: who.township.token,
    });
    const byVisits = await h.request('GET', `/reports/stations?unitId=${G1}&sortBy=visits`, {
      token: who.township.token,
    });

    expect(ranking(byActivities.body).slice(0, 3)).toEqual([
      [1, '排名测试站S2'],
      [2, '排名测试站S1'],
      [3, '排名测试站S3'],
    ]);
    expect(ranking(byVisits.body).slice(0, 3)).toEqual([
      [1, '排名测试站S3'],
      [2, '排名测试站S1'],
      [3, '排名测试站S2'],
    ]);
  });

  test('ranks the units below the asked unit, each with the stations under it', async () => {
    const response = await h.request('GET', `/reports/stations?unitId=${TOWNSHIP}`, { token: who.township.token });
    const byId = new Map(response.body.units.map((u: { unitId: string }) => [u.unitId, u]));

    expect(byId.get(G2)).toMatchObject({
      rank: 1,
      stations: 1,
      inspections: 1,
      averageScore: 85,
      activities: 2,
      participants: 20,
      visits: 50,
    });
    expect(byId.get(G1)).toMatchObject({
      rank: 2,
      stations: 5,
      inspections: 3,
      averageScore: 80,
      commendations: 1,
      activities: 4,
      participants: 50,
      visits: 630,
    });
    // The township's own (seeded) stations make the third line, under the township itself.
    expect(response.body.units.map((u: { unitId: string }) => u.unitId).slice(0, 2)).toEqual([G2, G1]);
    expect(byId.has(TOWNSHIP)).toBe(true);
  });

  test('counts each quarter on its own', async () => {
    const previous = await h.request('GET', `/reports/stations?unitId=${G1}&quarter=${previousQuarter}`, {
      token: who.township.token,
    });

    expect(previous.body.totals).toMatchObject({
      stations: 5,
      inspections: 0,
      activities: 1,
      participants: 7,
      visits: 999,
    });
  });

  test('refuses a malformed quarter, a unit outside the subtree and roles without station work', async () => {
    expectError(
      await h.request('GET', '/reports/stations?quarter=2026Q5', { token: who.admin.token }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await h.request('GET', `/reports/stations?unitId=${G1}`, { token: who.otherDistrict.token }),
      404,
      'UNIT_NOT_FOUND',
    );
    expectError(await h.request('GET', '/reports/stations', { token: who.trainer.token }), 403, 'ROLE_NOT_ALLOWED');
  });

  test('over the whole city counts the seeded programme: 100 stations, 126 activities, 18,000+ visits in 2026', async () => {
    const q3 = await h.request('GET', '/reports/stations?quarter=2026Q3&limit=1', { token: who.admin.token });
    const q4 = await h.request('GET', '/reports/stations?quarter=2026Q4&limit=1', { token: who.admin.token });
    const seeded = (body: { units: { stations: number; activities: number; visits: number }[] }) => body.units;

    expect(q3.status).toBe(200);
    expect(
      seeded(q3.body)
        .map((u) => u.stations)
        .reduce((a, b) => a + b, 0),
    ).toBeGreaterThanOrEqual(100);
    const activities = q3.body.totals.activities + q4.body.totals.activities;
    const visitors = q3.body.totals.visits + q4.body.totals.visits;
    expect(activities).toBeGreaterThanOrEqual(126);
    expect(visitors).toBeGreaterThan(18_000);
    expect(q3.body.units.map((u: { name: string }) => u.name)).toEqual(
      expect.arrayContaining([
        '越城区总工会',
        '柯桥区总工会',
        '上虞区总工会',
        '诸暨市总工会',
        '嵊州市总工会',
        '新昌县总工会',
      ]),
    );
  });
});
