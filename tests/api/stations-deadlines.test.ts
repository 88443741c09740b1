import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_PASSWORD, createStaff, signIn, type Session } from '../support/api-fixtures.js';
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
import { waitFor } from '../support/wait.js';

/*
 * Late inspectors and late rectifications, with limits of seconds. Inspection policy is global per station type
 * and applies to inspections started after it is saved: this file owns the 24-hour type's policy (no other file
 * inspects 24-hour stations under assertions) and the stations of 嵊州 剡湖街道's first grassroots union
 * (shengzhou_t1_g1), placed near 29.40 N 120.60 E. Limits run on the natural clock, since the run may fall on a
 * weekend or at night.
 */

const OWNER = unitId('shengzhou_t1_g1');
const TOWNSHIP = unitId('shengzhou_t1');
const DISTRICT = unitId('shengzhou');
const LIMIT_SECONDS = 3;

let h: Harness;
const who = {} as Record<'admin' | 'inspector' | 'staff' | 'ownerSupervisor' | 'township' | 'district', Session>;

async function inspection(id: string): Promise<InspectionView> {
  const response = await h.request<InspectionView>('GET', `/inspections/${id}`, { token: who.admin.token });
  expect(response.status).toBe(200);
  return response.body;
}

/** The inspection's overdue and escalation events of one step: level and the unit told. */
const lateness = (view: InspectionView, step: string) =>
  view.timeline
    .filter((e) => (e.kind === 'overdue' || e.kind === 'escalation') && e.fromStep === step)
    .map((e) => [e.kind, e.data.level, e.data.unitId]);

async function noticesOf(session: Session, inspectionId: string) {
  const response = await h.request('GET', '/notifications?limit=500', { token: session.token });
  expect(response.status).toBe(200);
  return (response.body.items as { kind: string; data: { inspectionId?: string; level?: number; step?: string } }[])
    .filter((n) => n.data.inspectionId === inspectionId)
    .map((n) => [n.kind, n.data.step, n.data.level ?? null]);
}

beforeAll(async () => {
  h = await createHarness();
  who.admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  who.inspector = await signIn(h, 'shengzhou_inspector');
  who.staff = await signIn(h, 'shengzhou_t1_g1_caseworker');
  who.township = await signIn(h, 'shengzhou_t1_supervisor');
  who.district = await signIn(h, 'shengzhou_supervisor');
  who.ownerSupervisor = await createStaff(h, who.admin.token, { unitId: OWNER, role: 'supervisor', prefix: 'szsup' });
  const limit = { duration: `PT${LIMIT_SECONDS}S`, calendar: 'natural' };
  const saved = await h.request('PUT', '/policies/inspections/24h', {
    token: who.admin.token,
    body: { limits: { inspect: limit, rectify: limit, reinspect: limit } },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
});

afterAll(async () => {
  await h?.close();
});

const newStation = (name: string) =>
  createStation(
    h,
    who.admin.token,
    stationBody(OWNER, { name, type: '24h', hours: undefined, latitude: 29.4, longitude: 120.6 }),
  );

describe('inspection deadlines', () => {
  test('the saved policy applies to inspections started afterwards', async () => {
    const policies = await h.request('GET', '/policies/inspections', { token: who.inspector.token });
    const roundTheClock = policies.body.items.find((p: { stationType: string }) => p.stationType === '24h');
    const station = await newStation('时限测试驿站');

    const opened = await spotInspection(h, who.inspector.token, station.id);

    expect(roundTheClock.version).toBeGreaterThan(0);
    expect(roundTheClock.limits.inspect).toEqual({ duration: 'PT3S', calendar: 'natural' });
    expect(opened.policyVersion).toBe(roundTheClock.version);
    expect(Date.parse(opened.dueAt!) - Date.parse(String(opened.openedAt))).toBe(LIMIT_SECONDS * 1000);
    const closed = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: scoresTotalling(opened.checklist, 90),
    });
    expect(closed.body.outcome).toBe('excellent');
  });

  test('a late inspector is escalated to the owning unit’s supervisors, then a level up after each further limit', async () => {
    const station = await newStation('检查超时测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);

    const escalated = await waitFor(
      async () => {
        const view = await inspection(opened.id);
        return view.escalationLevel >= 3 && view;
      },
      { message: 'the late inspection escalated to the district', timeoutMs: 45_000, intervalMs: 250 },
    );
    const overdueList = await h.request('GET', `/inspections?stationId=${station.id}&overdue=true`, {
      token: who.district.token,
    });

    expect(lateness(escalated, 'inspect').slice(0, 3)).toEqual([
      ['overdue', 1, OWNER],
      ['escalation', 2, TOWNSHIP],
      ['escalation', 3, DISTRICT],
    ]);
    expect(escalated).toMatchObject({ status: 'open', step: 'inspect', overdue: true });
    expect(overdueList.body.items.map((i: InspectionView) => [i.id, i.overdue])).toEqual([[opened.id, true]]);
    expect(overdueList.body.items[0].lateBySeconds).toBeGreaterThanOrEqual(2 * LIMIT_SECONDS);
    expect(await noticesOf(who.inspector, opened.id)).toEqual(
      expect.arrayContaining([
        ['inspection_assigned', 'inspect', null],
        ['overdue', 'inspect', 1],
      ]),
    );
    expect(await noticesOf(who.ownerSupervisor, opened.id)).toContainEqual(['escalation', 'inspect', 1]);
    expect(await noticesOf(who.township, opened.id)).toContainEqual(['escalation', 'inspect', 2]);
    expect(await noticesOf(who.district, opened.id)).toContainEqual(['escalation', 'inspect', 3]);

    const submitted = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: scoresTotalling(escalated.checklist, 80),
    });
    expect([submitted.status, submitted.body.outcome, submitted.body.escalationLevel]).toEqual([200, 'passed', 0]);
    const eventsAtClose = submitted.body.timeline.length;
    await delay(2 * LIMIT_SECONDS * 1000);
    expect((await inspection(opened.id)).timeline).toHaveLength(eventsAtClose);
  });

  test('a late rectification escalates too; the report stops it and starts the re-inspection’s clock', async () => {
    const station = await newStation('整改超时测试驿站');
    const opened = await spotInspection(h, who.inspector.token, station.id);
    const failed = await inspectionAction(h, who.inspector.token, opened.id, 'submit', {
      scores: scoresTotalling(opened.checklist, 30),
    });
    expect(failed.body.step).toBe('rectify');

    const late = await waitFor(
      async () => {
        const view = await inspection(opened.id);
        return lateness(view, 'rectify').length >= 2 && view;
      },
      { message: 'the late rectification escalated twice', timeoutMs: 45_000, intervalMs: 250 },
    );

    expect(lateness(late, 'rectify').slice(0, 2)).toEqual([
      ['overdue', 1, OWNER],
      ['escalation', 2, TOWNSHIP],
    ]);
    expect(await noticesOf(who.staff, opened.id)).toEqual(
      expect.arrayContaining([
        ['rectification_order', 'rectify', null],
        ['overdue', 'rectify', 1],
      ]),
    );
    expect(await noticesOf(who.township, opened.id)).toContainEqual(['escalation', 'rectify', 2]);

    const reported = await inspectionAction(h, who.inspector.token, opened.id, 'rectify', { report: '检查员不能代报' });
    const rectified = await inspectionAction(h, who.staff.token, opened.id, 'rectify', { report: '已补齐急救药箱' });

    expect(reported.status).toBe(403);
    expect(rectified.body).toMatchObject({ step: 'reinspect', escalationLevel: 0, overdue: false });
    expect(Date.parse(rectified.body.dueAt)).toBeGreaterThan(Date.now() - 1000);
    const reinspected = await inspectionAction(h, who.inspector.token, opened.id, 'reinspect', {
      scores: scoresTotalling(opened.checklist, 70),
    });
    expect(reinspected.body).toMatchObject({ status: 'closed', outcome: 'rectified', finalScore: 70 });
  });
});
