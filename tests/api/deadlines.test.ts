import { setTimeout as delay } from 'node:timers/promises';
import proto from '@temporalio/proto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { calendarRolloutWorkflowId, caseWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { createCaseApi, type CaseApi, type CaseBody, type TimelineEntry } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

/*
 * Time-limit policy is global per (category, urgency) and applies to cases opened after it is saved. This file
 * owns ('emergency', 'urgent'), ('legal', 'urgent') and ('emergency', 'normal'); no other file may use them.
 * Limits run on the natural clock, since the run may fall on a weekend or at night in Shanghai.
 */

const { temporal } = proto;

const SECOND = 1000;
const DAY = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const OFFICE_OPENS_MINUTE = 8 * 60 + 30;
const OFFICE_CLOSES_MINUTE = 17 * 60 + 30;

const everyStep = (duration: string) =>
  Object.fromEntries(
    ['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'].map((step) => [
      step,
      { duration, calendar: 'natural' },
    ]),
  );

const shanghaiDate = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
const shanghaiIso = (ms: number) => `${new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
const eventsOf = (body: CaseBody, kind: string): TimelineEntry[] => body.timeline.filter((e) => e.kind === kind);

interface YearCalendar {
  holidays: string[];
  workdays: string[];
}

function isWorkingDate(date: string, calendar: YearCalendar): boolean {
  if (calendar.workdays.includes(date)) {
    return true;
  }
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return !calendar.holidays.includes(date) && weekday !== 0 && weekday !== 6;
}

/** When a reminder raised at `ms` reaches staff: at once inside 08:30-17:30 on a working day, else the next opening. */
function officeMoment(ms: number, calendar: YearCalendar): number {
  const dayStart = Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY) * DAY - SHANGHAI_OFFSET_MS;
  for (let day = dayStart; ; day += DAY) {
    if (!isWorkingDate(shanghaiDate(day), calendar)) {
      continue;
    }
    const opens = day + OFFICE_OPENS_MINUTE * 60_000;
    if (ms < opens) {
      return opens;
    }
    if (ms < day + OFFICE_CLOSES_MINUTE * 60_000) {
      return ms;
    }
  }
}

describe('step deadlines', () => {
  let harness: Harness;
  let api: CaseApi;

  beforeAll(async () => {
    harness = await createHarness();
    api = createCaseApi(harness);
    await api.putPolicy('emergency', 'urgent', { limits: everyStep('PT4S'), maxSuspension: 'PT1M' });
    await api.putPolicy('legal', 'urgent', { limits: everyStep('PT5S'), maxSuspension: 'PT1M' });
    // Ten working days, so that the one day this file declares a holiday lies beyond every default limit (P5D at
    // most) that cases opened today by other files run on.
    await api.putPolicy('emergency', 'normal', { limits: { dispatch: { duration: 'P10D', calendar: 'working' } } });
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** GET /calendar/:year as the admin. */
  async function rawCalendarOf(year: number) {
    const response = await harness.request('GET', `/calendar/${year}`, { token: await api.token('admin') });
    expect(response.status).toBe(200);
    return response.body as YearCalendar & { defined: boolean };
  }

  /** The year's calendar as `YYYY-MM-DD` dates, the form both GET answers and PUT accepts. */
  async function calendarOf(year: number): Promise<YearCalendar> {
    const body = await rawCalendarOf(year);
    return { holidays: body.holidays, workdays: body.workdays };
  }

  async function staffIds(unitId: string, roles: string[]): Promise<string[]> {
    const response = await harness.request('GET', `/users?unitId=${unitId}&limit=500`, {
      token: await api.token('admin'),
    });
    expect(response.status).toBe(200);
    return (response.body.items as { id: string; role: string; disabled: boolean }[])
      .filter((user) => roles.includes(user.role) && !user.disabled)
      .map((user) => user.id)
      .sort();
  }

  /** Notification rows of a case, one entry per dedupe key: its kind and the users it reached, sorted. */
  async function noticesOf(caseId: string): Promise<Record<string, { kind: string; users: string[] }>> {
    const rows = await harness.db
      .selectFrom('notification')
      .select(['dedupe_key', 'kind', 'user_id'])
      .where('case_id', '=', caseId)
      .execute();
    const byKey: Record<string, { kind: string; users: string[] }> = {};
    for (const row of rows) {
      byKey[row.dedupe_key] ??= { kind: row.kind, users: [] };
      byKey[row.dedupe_key]!.users.push(row.user_id);
    }
    Object.values(byKey).forEach((entry) => entry.users.sort());
    return byKey;
  }

  async function eventCounts(caseId: string): Promise<Record<string, number>> {
    const rows = await harness.db
      .selectFrom('case_event')
      .select(['kind', sql<number>`count(*)::int`.as('count')])
      .where('case_id', '=', caseId)
      .groupBy('kind')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.kind, row.count]));
  }

  async function notificationsFor(username: string, caseId: string) {
    const response = await harness.request('GET', '/notifications?limit=500', { token: await api.token(username) });
    expect(response.status).toBe(200);
    return (response.body.items as { kind: string; caseId: string; unitId: string; data: Record<string, unknown> }[])
      .filter((n) => n.caseId === caseId)
      .map((n) => ({ kind: n.kind, unitId: n.unitId, level: n.data.level }));
  }

  async function overdueBoard(username: string) {
    const response = await harness.request('GET', '/supervision/overdue?limit=500', {
      token: await api.token(username),
    });
    expect(response.status).toBe(200);
    return response.body as {
      items: { caseId: string; step: string; holderUnitId: string; dueAt: string; escalationLevel: number }[];
      byUnit: { unitId: string; overdue: number; escalated: number }[];
    };
  }

  test('a late township step is reminded at 75%, escalated to the district at the limit and to the city one limit later, each once', async () => {
    const district = await api.unitOf('xinchang_supervisor');
    const city = await api.unitOf('city_supervisor');
    const township = await api.unitOf('xinchang_t2_caseworker');
    const grassroots = await api.unitOf('xinchang_t2_g1_caseworker');
    const opened = await api.open('xinchang_t2_caseworker', {
      workerId: await api.workerAt(grassroots),
      category: 'emergency',
      urgency: 'urgent',
    });
    const id = opened.id;
    const startedAt = Date.parse(opened.stepStartedAt);
    expect(Date.parse(opened.dueAt!) - startedAt).toBe(4 * SECOND);

    const reminded = await waitFor(
      async () => {
        const body = await api.get('xinchang_t2_caseworker', id);
        return eventsOf(body, 'reminder').length > 0 && body;
      },
      { message: 'the reminder event', timeoutMs: 10_000 },
    );
    const reminder = eventsOf(reminded, 'reminder')[0]!;
    expect(Date.parse(reminder.occurredAt)).toBeGreaterThanOrEqual(startedAt + 3 * SECOND);
    expect(reminder.data).toEqual({
      level: 0,
      unitId: township,
      stepSeq: 1,
      dueAt: new Date(Date.parse(opened.dueAt!)).toISOString(),
    });
    expect(reminded.overdue).toBe(false);
    const reminderRows = await harness.db
      .selectFrom('notification')
      .select(['user_id', 'deliver_at'])
      .where('dedupe_key', '=', `${id}:${reminder.seq}:reminder`)
      .execute();
    const occurredAt = Date.parse(reminder.occurredAt);
    const expectedDelivery = officeMoment(occurredAt, await calendarOf(Number(shanghaiDate(occurredAt).slice(0, 4))));
    expect(reminderRows.map((row) => row.user_id).sort()).toEqual(
      await staffIds(township, ['admin', 'supervisor', 'caseworker']),
    );
    expect(reminderRows.map((row) => row.deliver_at.getTime())).toEqual(reminderRows.map(() => expectedDelivery));

    const overdue = await waitFor(
      async () => {
        const body = await api.get('xinchang_t2_caseworker', id);
        return eventsOf(body, 'overdue').length > 0 && body;
      },
      { message: 'the overdue event', timeoutMs: 10_000 },
    );
    expect(overdue).toMatchObject({ overdue: true, escalationLevel: 1, step: 'dispatch', holderUnitId: township });
    expect(eventsOf(overdue, 'overdue')[0]!.data).toMatchObject({ level: 1, unitId: district, stepSeq: 1 });
    expect(await notificationsFor('xinchang_supervisor', id)).toEqual([
      { kind: 'escalation', unitId: district, level: 1 },
    ]);
    expect(await notificationsFor('xinchang_t2_caseworker', id)).toEqual([
      { kind: 'overdue', unitId: township, level: 1 },
    ]);
    const districtBoard = await overdueBoard('xinchang_supervisor');
    expect(districtBoard.items.filter((item) => item.caseId === id)).toEqual([
      expect.objectContaining({ step: 'dispatch', holderUnitId: township, dueAt: opened.dueAt, escalationLevel: 1 }),
    ]);
    expect(districtBoard.byUnit.filter((entry) => entry.unitId === township)).toEqual([
      { unitId: township, overdue: 1, escalated: 1 },
    ]);
    const otherBoard = await overdueBoard('keqiao_supervisor');
    expect(otherBoard.items.map((item) => item.caseId)).not.toContain(id);
    expect(otherBoard.byUnit.map((entry) => entry.unitId)).not.toContain(township);

    const escalated = await waitFor(
      async () => {
        const body = await api.get('xinchang_t2_caseworker', id);
        return eventsOf(body, 'escalation').length > 0 && body;
      },
      { message: 'the level-2 escalation event', timeoutMs: 10_000 },
    );
    expect(escalated).toMatchObject({ overdue: true, escalationLevel: 2 });
    expect(eventsOf(escalated, 'escalation')[0]!.data).toMatchObject({ level: 2, unitId: city, stepSeq: 1 });
    expect(await notificationsFor('city_supervisor', id)).toEqual([{ kind: 'escalation', unitId: city, level: 2 }]);
    await delay(1500);
    const overdueSeq = eventsOf(escalated, 'overdue')[0]!.seq;
    const escalationSeq = eventsOf(escalated, 'escalation')[0]!.seq;
    expect(await eventCounts(id)).toEqual({ opened: 1, reminder: 1, overdue: 1, escalation: 1 });
    expect(await noticesOf(id)).toEqual({
      [`${id}:${reminder.seq}:reminder`]: {
        kind: 'reminder',
        users: await staffIds(township, ['admin', 'supervisor', 'caseworker']),
      },
      [`${id}:${overdueSeq}:overdue`]: {
        kind: 'overdue',
        users: await staffIds(township, ['admin', 'supervisor', 'caseworker']),
      },
      [`${id}:${overdueSeq}:escalation`]: { kind: 'escalation', users: await staffIds(district, ['supervisor']) },
      [`${id}:${escalationSeq}:escalation`]: { kind: 'escalation', users: await staffIds(city, ['supervisor']) },
    });

    const dispatched = await api.act('xinchang_t2_caseworker', id, 'dispatch', { toUnitId: grassroots });

    expect(dispatched).toMatchObject({ step: 'accept', holderUnitId: grassroots, overdue: false, escalationLevel: 0 });
    const lateStep = await harness.db
      .selectFrom('case_step')
      .select(['step', 'late_ms', 'max_escalation_level', 'completed_at'])
      .where('case_id', '=', id)
      .where('step_seq', '=', 1)
      .executeTakeFirstOrThrow();
    expect(lateStep).toMatchObject({ step: 'dispatch', max_escalation_level: 2 });
    expect(Number(lateStep.late_ms)).toBeGreaterThanOrEqual(4 * SECOND);
    expect(lateStep.completed_at).toBeInstanceOf(Date);
    expect((await overdueBoard('xinchang_supervisor')).items.map((item) => item.caseId)).not.toContain(id);
    await api.act('xinchang_t2_caseworker', id, 'withdraw', { reason: '测试结束' });
  });

  test('a deadline passed while every worker was down fires its overdue notice once after restart, with no gap in the timeline', async () => {
    const district = await api.unitOf('zhuji_caseworker');
    const city = await api.unitOf('city_supervisor');
    const township = await api.unitOf('zhuji_t1_caseworker');
    const opened = await api.open('zhuji_caseworker', {
      workerId: await api.workerAt(await api.unitOf('zhuji_t1_g1_caseworker')),
      category: 'legal',
      urgency: 'urgent',
    });
    const id = opened.id;

    await harness.stopWorker();
    try {
      await delay(Math.max(0, Date.parse(opened.dueAt!) + 1500 - Date.now()));
    } finally {
      await harness.startWorker();
    }
    const overdue = await waitFor(
      async () => {
        const body = await api.get('zhuji_caseworker', id);
        return eventsOf(body, 'overdue').length > 0 && body;
      },
      { message: 'the overdue event after restart', timeoutMs: 15_000 },
    );
    await delay(1500);
    const dispatched = await api.act('zhuji_caseworker', id, 'dispatch', { toUnitId: township });
    const withdrawn = await api.act('zhuji_caseworker', id, 'withdraw', { reason: '测试结束' });

    expect(overdue).toMatchObject({ overdue: true, escalationLevel: 1, holderUnitId: district });
    expect(dispatched).toMatchObject({ step: 'accept', holderUnitId: township, overdue: false, escalationLevel: 0 });
    expect(withdrawn.timeline.map((e) => e.kind)).toEqual(['opened', 'overdue', 'dispatch', 'withdraw']);
    expect(withdrawn.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const overdueSeq = eventsOf(withdrawn, 'overdue')[0]!.seq;
    const notices = await noticesOf(id);
    expect(notices).toEqual({
      [`${id}:${overdueSeq}:overdue`]: {
        kind: 'overdue',
        users: await staffIds(district, ['admin', 'supervisor', 'caseworker']),
      },
      [`${id}:${overdueSeq}:escalation`]: { kind: 'escalation', users: await staffIds(city, ['supervisor']) },
      [`${id}:3:assigned`]: {
        kind: 'assigned',
        users: await staffIds(township, ['admin', 'supervisor', 'caseworker']),
      },
    });
    const history = await harness.client.workflow.getHandle(caseWorkflowId(id)).fetchHistory();
    const failedTasks = (history.events ?? []).filter(
      (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    );
    expect(failedTasks).toEqual([]);
  });

  test('GET /calendar/:year lists holidays and make-up working days as YYYY-MM-DD dates in date order', async () => {
    const body = await rawCalendarOf(2026);

    expect(body.defined).toBe(true);
    expect(body.holidays).toContain('2026-10-01');
    expect(body.workdays).toContain('2026-10-10');
    for (const dates of [body.holidays, body.workdays]) {
      expect(dates.every((date) => /^\d{4}-\d{2}-\d{2}$/.test(date))).toBe(true);
      expect(dates).toEqual([...dates].sort());
    }
  });

  test('a holiday added to the calendar pushes back the deadline of a running working-day step and says so in its timeline', async () => {
    const opened = await api.open('shengzhou_t1_caseworker', {
      workerId: await api.workerAt(await api.unitOf('shengzhou_t1_g1_caseworker')),
      category: 'emergency',
      urgency: 'normal',
    });
    const dueAt = Date.parse(opened.dueAt!);
    const lastCountedDate = shanghaiDate(dueAt - 1);
    const year = Number(lastCountedDate.slice(0, 4));
    const before = await calendarOf(year);
    const after: YearCalendar = before.workdays.includes(lastCountedDate)
      ? { holidays: before.holidays, workdays: before.workdays.filter((date) => date !== lastCountedDate) }
      : { holidays: [...before.holidays, lastCountedDate].sort(), workdays: before.workdays };
    let nextWorking = Date.parse(`${lastCountedDate}T00:00:00Z`) + DAY;
    while (!isWorkingDate(new Date(nextWorking).toISOString().slice(0, 10), after)) {
      nextWorking += DAY;
    }
    const expectedDueAt = dueAt + (nextWorking - Date.parse(`${lastCountedDate}T00:00:00Z`));
    onTestFinished(async () => {
      await api.act('shengzhou_t1_caseworker', opened.id, 'withdraw', { reason: '测试结束' });
    });

    const put = await harness.request('PUT', `/calendar/${year}`, { token: await api.token('admin'), body: after });

    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ year, defined: true });
    const moved = await waitFor(
      async () => {
        const body = await api.get('shengzhou_t1_caseworker', opened.id);
        return eventsOf(body, 'deadline_moved').length > 0 && body;
      },
      { message: 'the deadline_moved event', timeoutMs: 15_000 },
    );
    expect(expectedDueAt - dueAt).toBeGreaterThanOrEqual(DAY);
    expect(eventsOf(moved, 'deadline_moved')[0]!.data).toEqual({
      previousDueAt: new Date(dueAt).toISOString(),
      dueAt: new Date(expectedDueAt).toISOString(),
      year,
    });
    expect(moved.dueAt).toBe(shanghaiIso(expectedDueAt));
  });

  test('a calendar change that leaves a running step’s deadline where it was adds nothing to its timeline', async () => {
    const opened = await api.open('shengzhou_t2_caseworker', {
      workerId: await api.workerAt(await api.unitOf('shengzhou_t2_g1_caseworker')),
      category: 'emergency',
      urgency: 'normal',
    });
    onTestFinished(async () => {
      await api.act('shengzhou_t2_caseworker', opened.id, 'withdraw', { reason: '测试结束' });
    });

    const put = await harness.request('PUT', '/calendar/2029', {
      token: await api.token('admin'),
      body: { holidays: ['2029-10-01'], workdays: [] },
    });

    expect(put.status).toBe(200);
    const rollout = harness.client.workflow.getHandle(calendarRolloutWorkflowId(2029, String(put.body.revision)));
    expect((await rollout.result()).signalled).toBeGreaterThanOrEqual(1);
    await delay(2000);
    const after = await api.get('shengzhou_t2_caseworker', opened.id);
    expect(after.dueAt).toBe(opened.dueAt);
    expect(eventsOf(after, 'deadline_moved')).toEqual([]);
  });

  test('GET /calendar/:year of a year without a calendar answers defined false with a note', async () => {
    const response = await harness.request('GET', '/calendar/2030', {
      token: await api.token('shengzhou_t1_caseworker'),
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      year: 2030,
      defined: false,
      holidays: [],
      workdays: [],
      note: '该年度尚未设置节假日安排，工作日时限仅排除周末计算',
    });
  });
});
