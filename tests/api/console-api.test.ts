import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { countedTimeLeft, type HolidayCalendar } from '../../workflows/shared/working-time.js';
import { expectError } from '../support/api-fixtures.js';
import { createCaseApi, type CaseApi, type CaseBody } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

/*
 * What the console asks the API for beyond the case contract: the actions open to the caller, the time left in
 * working time, the per-unit case counts of the board and the funds report by month. Time-limit policy is global
 * per (category, urgency): this file owns ('employment', 'urgent'), set to seconds so a case turns late; no other
 * file may use that pair. Cases are opened at 上虞区 shangyu_t2_g2 and 新昌县 xinchang_t1_g2, which no other file
 * uses, so counts there change only by what this file does.
 */

interface Extras {
  availableActions: string[];
  canSuspend: boolean;
  stepCalendar: string | null;
  timeLeftSeconds: number | null;
  timeLeftWorkingSeconds: number | null;
}
type CaseAnswer = CaseBody & Extras;

interface UnitCounts {
  unitId: string;
  self: boolean;
  open: number;
  overdue: number;
  escalated: number;
  suspended: number;
  byStep: Record<string, number>;
}

const everyStep = (duration: string) =>
  Object.fromEntries(
    ['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'].map((step) => [
      step,
      { duration, calendar: 'natural' },
    ]),
  );

describe('console read models', () => {
  let harness: Harness;
  let api: CaseApi;

  beforeAll(async () => {
    harness = await createHarness();
    api = createCaseApi(harness);
    await api.putPolicy('employment', 'urgent', { limits: everyStep('PT2S'), maxSuspension: 'PT1M' });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const get = async <T>(username: string, url: string) => {
    const response = await harness.request<T>('GET', url, { token: await api.token(username) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  async function holidayCalendar(): Promise<HolidayCalendar> {
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const years = await Promise.all(
      [year, year + 1].map((y) => get<{ holidays: string[]; workdays: string[] }>('admin', `/calendar/${y}`)),
    );
    return {
      holidays: new Set(years.flatMap((y) => y.holidays)),
      workdays: new Set(years.flatMap((y) => y.workdays)),
    };
  }

  test('a case answer lists only the actions the caller may take now, and an action answer does too', async () => {
    const township = await api.unitOf('shangyu_t2_caseworker');
    const grassroots = await api.unitOf('shangyu_t2_g2_caseworker');
    const workerId = await api.workerAt(grassroots);
    const opened = (await api.open('shangyu_t2_caseworker', {
      workerId,
      category: 'living',
      urgency: 'normal',
    })) as CaseAnswer;
    const dispatched = (await api.act('shangyu_t2_caseworker', opened.id, 'dispatch', {
      toUnitId: grassroots,
    })) as CaseAnswer;
    const atGrassroots = await get<CaseAnswer>('shangyu_t2_g2_caseworker', `/cases/${opened.id}`);
    const atDistrict = await get<CaseAnswer>('shangyu_caseworker', `/cases/${opened.id}`);
    const asSupervisor = await get<CaseAnswer>('shangyu_t2_supervisor', `/cases/${opened.id}`);
    const accepted = (await api.act('shangyu_t2_g2_caseworker', opened.id, 'accept')) as CaseAnswer;

    expect([opened.availableActions, opened.canSuspend]).toEqual([['dispatch', 'accept', 'withdraw'], true]);
    expect([dispatched.availableActions, dispatched.canSuspend]).toEqual([['withdraw'], false]);
    expect([atGrassroots.availableActions, atGrassroots.canSuspend]).toEqual([['accept', 'return', 'withdraw'], true]);
    expect([atDistrict.availableActions, atDistrict.canSuspend]).toEqual([['withdraw'], false]);
    expect(asSupervisor.availableActions).toEqual(['withdraw']);
    expect(accepted.holderUnitId).toBe(grassroots);
    expect(accepted.availableActions).toEqual(['verify', 'withdraw']);
    expect(township).not.toBe(grassroots);
  });

  test('every action the answer offers is accepted, and an action it leaves out is refused', async () => {
    const grassroots = await api.unitOf('shangyu_t2_g2_caseworker');
    const workerId = await api.workerAt(grassroots);
    const opened = await api.open('shangyu_t2_g2_caseworker', { workerId, category: 'living', urgency: 'normal' });
    const offered = (await get<CaseAnswer>('shangyu_t2_g2_caseworker', `/cases/${opened.id}`)).availableActions;
    const refused = await api.tryAct('shangyu_t2_g2_caseworker', opened.id, 'verify', {
      eligible: true,
      findings: '提前核实',
    });
    const accepted = await api.tryAct('shangyu_t2_g2_caseworker', opened.id, 'accept');

    expect(offered).toEqual(['accept', 'withdraw']);
    expectError(refused, 409, 'STEP_MISMATCH');
    expect(accepted.status).toBe(200);
  });

  test('the inbox and the case count time left on working days for working-day steps', async () => {
    const grassroots = await api.unitOf('shangyu_t2_g2_caseworker');
    const workerId = await api.workerAt(grassroots);
    const opened = await api.open('shangyu_t2_g2_caseworker', { workerId, category: 'living', urgency: 'normal' });
    const calendar = await holidayCalendar();
    const inbox = await get<{ items: (CaseAnswer & { id: string })[] }>('shangyu_t2_g2_caseworker', '/inbox?limit=500');
    const now = Date.now();
    const item = inbox.items.find((c) => c.id === opened.id)!;
    const detail = await get<CaseAnswer>('shangyu_t2_g2_caseworker', `/cases/${opened.id}`);
    const expected = countedTimeLeft(now, Date.parse(item.dueAt!), 'working', calendar) / 1000;

    expect(item.stepCalendar).toBe('working');
    expect(Math.abs(item.timeLeftWorkingSeconds! - expected)).toBeLessThanOrEqual(5);
    expect(item.timeLeftWorkingSeconds!).toBeLessThanOrEqual(item.timeLeftSeconds! + 1);
    expect(item.timeLeftWorkingSeconds!).toBeGreaterThan(0);
    expect(detail.stepCalendar).toBe('working');
    expect(Math.abs(detail.timeLeftWorkingSeconds! - item.timeLeftWorkingSeconds!)).toBeLessThanOrEqual(5);
  });

  test('the case report counts open, late and escalated cases per unit one level down and per step', async () => {
    const township = await api.unitOf('shangyu_t2_caseworker');
    const grassroots = await api.unitOf('shangyu_t2_g2_caseworker');
    const workerId = await api.workerAt(grassroots);
    const url = `/reports/cases?unitId=${township}`;
    const rowOf = (report: { units: UnitCounts[] }) => report.units.find((u) => u.unitId === grassroots)!;
    const before = rowOf(await get<{ units: UnitCounts[] }>('shangyu_supervisor', url));
    const late = await api.open('shangyu_t2_g2_caseworker', { workerId, category: 'employment', urgency: 'urgent' });
    const fresh = await api.open('shangyu_t2_g2_caseworker', { workerId, category: 'living', urgency: 'normal' });
    await waitFor(async () => (await api.get('shangyu_supervisor', late.id)).escalationLevel >= 1 || undefined, {
      message: 'the urgent case to be escalated',
      timeoutMs: 20_000,
    });
    const report = await get<{
      unitId: string;
      units: UnitCounts[];
      byStep: { step: string; open: number; overdue: number }[];
    }>('shangyu_supervisor', url);
    const board = await get<{ byUnit: { unitId: string; overdue: number; escalated: number }[] }>(
      'shangyu_supervisor',
      `/supervision/overdue?unitId=${grassroots}`,
    );
    const after = rowOf(report);
    const selfRow = report.units.find((u) => u.self)!;

    expect(report.unitId).toBe(township);
    expect(selfRow.unitId).toBe(township);
    expect(report.units.filter((u) => !u.self).length).toBe(2);
    expect({
      open: after.open - before.open,
      overdue: after.overdue - before.overdue,
      escalated: after.escalated - before.escalated,
      dispatch: after.byStep.dispatch! - before.byStep.dispatch!,
    }).toEqual({ open: 2, overdue: 1, escalated: 1, dispatch: 2 });
    expect(board.byUnit).toEqual([{ unitId: grassroots, overdue: after.overdue, escalated: after.escalated }]);
    expect(report.byStep.map((s) => s.step)).toEqual([
      'dispatch',
      'accept',
      'verify',
      'plan',
      'approve',
      'deliver',
      'report',
      'review',
    ]);
    expect(fresh.id).not.toBe(late.id);
  });

  test('the case report is scoped: 404 outside the subtree, 403 for roles without cases, 400 for a bad id', async () => {
    const otherDistrict = await api.unitOf('xinchang_caseworker');
    const trainer = await api.token('trainer');

    expectError(
      await harness.request('GET', `/reports/cases?unitId=${otherDistrict}`, {
        token: await api.token('shangyu_supervisor'),
      }),
      404,
      'UNIT_NOT_FOUND',
    );
    expectError(
      await harness.request('GET', '/reports/cases?unitId=nope', { token: await api.token('shangyu_supervisor') }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await harness.request('GET', '/reports/cases'), 401, 'NOT_AUTHENTICATED');
    expectError(await harness.request('GET', '/reports/cases', { token: trainer }), 403, 'ROLE_NOT_ALLOWED');
  });

  test('the funds report breaks money down by Shanghai month and category, adding up to the totals', async () => {
    const grassroots = await api.unitOf('xinchang_t1_g2_caseworker');
    const workerId = await api.workerAt(grassroots);
    const kase = await api.open('xinchang_t1_caseworker', { workerId, category: 'medical', urgency: 'normal' });
    const items = [
      { kind: '医疗补助', amountFen: 120_000 },
      { kind: '交通补贴', amountFen: 3_050 },
    ];
    await api.act('xinchang_t1_caseworker', kase.id, 'dispatch', { toUnitId: grassroots });
    await api.act('xinchang_t1_g2_caseworker', kase.id, 'accept');
    await api.act('xinchang_t1_g2_caseworker', kase.id, 'verify', { eligible: true, findings: '住院属实' });
    await api.act('xinchang_t1_g2_caseworker', kase.id, 'plan', { items });
    await api.act('xinchang_t1_caseworker', kase.id, 'approve', {});
    await api.act('xinchang_t1_g2_caseworker', kase.id, 'deliver', {
      items,
      method: 'bank_transfer',
      reference: 'T-1',
    });
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const from = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const report = await get<any>('xinchang_supervisor', `/reports/funds?unitId=${grassroots}&from=${from}&to=${to}`);
    const district = await get<any>('admin', `/reports/funds?from=${from}&to=${to}`);
    const sum = (rows: { amountFen: number }[]) => rows.reduce((total, row) => total + row.amountFen, 0);

    expect(report.totals.amountFen).toBe(123_050);
    expect(report.byMonth).toEqual([
      { month, amountFen: 123_050, personTimes: 1, byCategory: [{ category: 'medical', amountFen: 123_050 }] },
    ]);
    expect(sum(district.byMonth)).toBe(district.totals.amountFen);
    expect(sum(district.byCategory)).toBe(district.totals.amountFen);
    for (const row of district.byMonth) {
      expect(sum(row.byCategory)).toBe(row.amountFen);
    }
  });
});
