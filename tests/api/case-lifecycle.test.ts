import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caseWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { createCaseApi, type CaseApi, type CaseBody } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';

/*
 * Cases here run under the built-in working-day limits of ('living', 'normal') and ('medical', 'normal'); this file
 * changes no policy. A calendar change made by another file in the same run signals every open working-day case,
 * which then records a `deadline_moved` event, so timelines are compared without those events.
 */

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

const kindsOf = (body: CaseBody) => body.timeline.map((e) => e.kind).filter((kind) => kind !== 'deadline_moved');

describe('assistance case lifecycle', () => {
  let harness: Harness;
  let api: CaseApi;

  beforeAll(async () => {
    harness = await createHarness();
    api = createCaseApi(harness);
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function assignedSteps(username: string, caseId: string): Promise<string[]> {
    const response = await harness.request('GET', '/notifications?limit=500', { token: await api.token(username) });
    expect(response.status).toBe(200);
    return (response.body.items as { kind: string; caseId: string; deliveredAt: string; data: { step: string } }[])
      .filter((n) => n.caseId === caseId && n.kind === 'assigned')
      .sort((a, b) => Date.parse(a.deliveredAt) - Date.parse(b.deliveredAt))
      .map((n) => n.data.step);
  }

  /** Whether the Shanghai date of now is a working day by the stored holiday calendar. */
  async function isWorkingDayInShanghai(now: number): Promise<boolean> {
    const date = new Date(now + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
    const response = await harness.request('GET', `/calendar/${date.slice(0, 4)}`, { token: await api.token('admin') });
    expect(response.status).toBe(200);
    if (response.body.workdays.includes(date)) {
      return true;
    }
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return !response.body.holidays.includes(date) && weekday !== 0 && weekday !== 6;
  }

  test('a case passes from district to township to grassroots union and back up to closure', async () => {
    const district = await api.unitOf('yuecheng_caseworker');
    const township = await api.unitOf('yuecheng_t1_caseworker');
    const grassroots = await api.unitOf('yuecheng_t1_g1_caseworker');
    const workerId = await api.workerAt(grassroots);
    const opened = await api.open('yuecheng_caseworker', { workerId, category: 'living', urgency: 'normal' });
    const id = opened.id;
    const expectAt = (body: CaseBody, status: string, step: string, holderUnitId: string) =>
      expect({ status: body.status, step: body.step, holderUnitId: body.holderUnitId }).toEqual({
        status,
        step,
        holderUnitId,
      });

    expectAt(opened, 'open', 'dispatch', district);
    expect(opened).toMatchObject({
      workerId,
      category: 'living',
      urgency: 'normal',
      source: 'staff',
      openedUnitId: district,
    });

    expectAt(await api.act('yuecheng_caseworker', id, 'dispatch', { toUnitId: township }), 'open', 'accept', township);
    expect(await assignedSteps('yuecheng_t1_caseworker', id)).toEqual(['accept']);
    expect(await assignedSteps('yuecheng_t1_supervisor', id)).toEqual(['accept']);
    expectAt(
      await api.act('yuecheng_t1_caseworker', id, 'dispatch', { toUnitId: grassroots }),
      'open',
      'accept',
      grassroots,
    );
    expect(await assignedSteps('yuecheng_t1_g1_caseworker', id)).toEqual(['accept']);
    expectAt(await api.act('yuecheng_t1_g1_caseworker', id, 'accept'), 'open', 'verify', grassroots);
    expectAt(
      await api.act('yuecheng_t1_g1_caseworker', id, 'verify', {
        eligible: true,
        findings: '入户核实：家中主要劳动力住院',
      }),
      'open',
      'plan',
      grassroots,
    );
    const planned = await api.act('yuecheng_t1_g1_caseworker', id, 'plan', {
      items: [{ kind: '生活补助', amountFen: 200_000, note: '一次性生活补助' }],
    });
    expectAt(planned, 'open', 'approve', township);
    const byOpener = await api.tryAct('yuecheng_caseworker', id, 'approve', { note: '同意' });
    expect([byOpener.status, byOpener.body.error.code]).toEqual([403, 'NOT_STEP_HOLDER']);
    expectAt(await api.act('yuecheng_t1_caseworker', id, 'approve', { note: '同意' }), 'open', 'deliver', grassroots);
    expectAt(
      await api.act('yuecheng_t1_g1_caseworker', id, 'deliver', {
        items: [{ kind: '生活补助', amountFen: 200_000 }],
        method: 'bank_transfer',
        reference: 'YW-2026-0001',
      }),
      'open',
      'report',
      grassroots,
    );
    expectAt(
      await api.act('yuecheng_t1_g1_caseworker', id, 'report', { result: '补助已到账', satisfaction: 4 }),
      'open',
      'review',
      township,
    );
    expectAt(
      await api.act('yuecheng_t1_caseworker', id, 'return', { reason: '请补充发放凭证' }),
      'open',
      'report',
      grassroots,
    );
    expectAt(
      await api.act('yuecheng_t1_g1_caseworker', id, 'report', { result: '补助已到账，凭证已上传', satisfaction: 4 }),
      'open',
      'review',
      township,
    );
    const closed = await api.act('yuecheng_t1_caseworker', id, 'close');
    expectAt(closed, 'closed', 'done', township);

    expect(closed.dueAt).toBeNull();
    expect(closed.closedAt).toBe(closed.timeline.at(-1)!.occurredAt);
    expect(kindsOf(closed)).toEqual([
      'opened',
      'dispatch',
      'dispatch',
      'accept',
      'verify',
      'plan',
      'approve',
      'deliver',
      'report',
      'return',
      'report',
      'close',
    ]);
    expect(closed.timeline.find((e) => e.kind === 'return')?.data).toEqual({ reason: '请补充发放凭证' });
    expect(closed.timeline.filter((e) => e.kind === 'report').map((e) => e.data.satisfaction)).toEqual([4, 4]);
    expect(await assignedSteps('yuecheng_t1_caseworker', id)).toEqual(['accept', 'approve', 'review', 'review']);
    expect(await assignedSteps('yuecheng_t1_g1_caseworker', id)).toEqual(['accept', 'deliver', 'report']);
    expect(await harness.client.workflow.getHandle(caseWorkflowId(id)).result()).toEqual({
      caseId: id,
      status: 'closed',
    });
  });

  test('return at accept hands the case back to the sender at dispatch, which can dispatch to another township', async () => {
    const district = await api.unitOf('keqiao_caseworker');
    const township1 = await api.unitOf('keqiao_t1_caseworker');
    const township2 = await api.unitOf('keqiao_t2_caseworker');
    const workerId = await api.workerAt(await api.unitOf('keqiao_t1_g1_caseworker'));
    const { id } = await api.open('keqiao_caseworker', { workerId, category: 'medical', urgency: 'normal' });
    await api.act('keqiao_caseworker', id, 'dispatch', { toUnitId: township1 });

    const returned = await api.act('keqiao_t1_caseworker', id, 'return', { reason: '本街道人手不足，请改派' });
    const redispatched = await api.act('keqiao_caseworker', id, 'dispatch', { toUnitId: township2 });

    expect([returned.status, returned.step, returned.holderUnitId]).toEqual(['open', 'dispatch', district]);
    expect(returned.timeline.at(-1)).toMatchObject({
      kind: 'return',
      fromStep: 'accept',
      toStep: 'dispatch',
      actorUnitId: township1,
      data: { reason: '本街道人手不足，请改派' },
    });
    expect([redispatched.status, redispatched.step, redispatched.holderUnitId]).toEqual(['open', 'accept', township2]);
    expect(redispatched.timeline.at(-1)).toMatchObject({ kind: 'dispatch', data: { toUnitId: township2 } });
    await api.act('keqiao_caseworker', id, 'withdraw', { reason: '测试结束' });
  });

  test('a township returning a case for a worker outside its area gets the updated case back', async () => {
    const district = await api.unitOf('keqiao_caseworker');
    const township1 = await api.unitOf('keqiao_t1_caseworker');
    const workerId = await api.workerAt(await api.unitOf('keqiao_t2_g1_caseworker'));
    const { id } = await api.open('keqiao_caseworker', { workerId, category: 'medical', urgency: 'normal' });
    await api.act('keqiao_caseworker', id, 'dispatch', { toUnitId: township1 });

    const returned = await api.tryAct('keqiao_t1_caseworker', id, 'return', { reason: '该职工不在本街道辖区' });

    const applied = await api.get('keqiao_caseworker', id);
    await api.act('keqiao_caseworker', id, 'withdraw', { reason: '测试结束' });
    expect([applied.step, applied.holderUnitId, applied.timeline.at(-1)?.kind]).toEqual([
      'dispatch',
      district,
      'return',
    ]);
    expect(returned.status).toBe(200);
  });

  test('verify not eligible ends the case as not_eligible and refuses every later action with 409 CASE_NOT_OPEN', async () => {
    const township = await api.unitOf('shangyu_t1_caseworker');
    const workerId = await api.workerAt(await api.unitOf('shangyu_t1_g1_caseworker'));
    const { id } = await api.open('shangyu_t1_caseworker', { workerId, category: 'living', urgency: 'normal' });
    await api.act('shangyu_t1_caseworker', id, 'accept');

    const ended = await api.act('shangyu_t1_caseworker', id, 'verify', {
      eligible: false,
      findings: '家庭收入高于困难标准',
    });
    const plan = await api.tryAct('shangyu_t1_caseworker', id, 'plan', {
      items: [{ kind: '生活补助', amountFen: 100 }],
    });
    const withdraw = await api.tryAct('shangyu_t1_caseworker', id, 'withdraw', { reason: '重复开单' });
    const suspend = await harness.request('POST', `/cases/${id}/suspensions`, {
      token: await api.token('shangyu_t1_caseworker'),
      body: { reason: '等待材料', until: new Date(Date.now() + 60_000).toISOString() },
    });

    expect([ended.status, ended.step, ended.holderUnitId, ended.dueAt]).toEqual([
      'not_eligible',
      'done',
      township,
      null,
    ]);
    expect(ended.closedAt).toBe(ended.timeline.at(-1)!.occurredAt);
    expect(ended.timeline.at(-1)).toMatchObject({
      kind: 'verify',
      fromStep: 'verify',
      toStep: 'done',
      data: { eligible: false, findings: '家庭收入高于困难标准' },
    });
    for (const refused of [plan, withdraw, suspend]) {
      expect([refused.status, refused.body.error.code]).toEqual([409, 'CASE_NOT_OPEN']);
    }
    expect(await harness.client.workflow.getHandle(caseWorkflowId(id)).result()).toEqual({
      caseId: id,
      status: 'not_eligible',
    });
  });

  test('the opening unit withdraws a case from an open step with a reason, which ends it as withdrawn', async () => {
    const township = await api.unitOf('keqiao_t2_caseworker');
    const workerId = await api.workerAt(await api.unitOf('keqiao_t2_g2_caseworker'));
    const { id } = await api.open('keqiao_caseworker', { workerId, category: 'medical', urgency: 'normal' });
    await api.act('keqiao_caseworker', id, 'dispatch', { toUnitId: township });

    const withdrawn = await api.act('keqiao_caseworker', id, 'withdraw', { reason: '职工已获民政部门救助' });
    const lateAccept = await api.tryAct('keqiao_t2_caseworker', id, 'accept');

    expect([withdrawn.status, withdrawn.step, withdrawn.dueAt, withdrawn.overdue]).toEqual([
      'withdrawn',
      'done',
      null,
      false,
    ]);
    expect(withdrawn.closedAt).toBe(withdrawn.timeline.at(-1)!.occurredAt);
    expect(withdrawn.timeline.at(-1)).toMatchObject({
      kind: 'withdraw',
      fromStep: 'accept',
      toStep: 'done',
      data: { reason: '职工已获民政部门救助' },
    });
    expect([lateAccept.status, lateAccept.body.error.code]).toEqual([409, 'CASE_NOT_OPEN']);
    expect(await harness.client.workflow.getHandle(caseWorkflowId(id)).result()).toEqual({
      caseId: id,
      status: 'withdrawn',
    });
  });

  test('GET /inbox lists the holder unit’s open steps with the seconds left, soonest deadline first', async () => {
    const workerId = await api.workerAt(await api.unitOf('yuecheng_t2_g1_caseworker'));
    const first = await api.open('yuecheng_t2_caseworker', { workerId, category: 'medical', urgency: 'normal' });
    const second = await api.open('yuecheng_t2_caseworker', { workerId, category: 'living', urgency: 'normal' });

    const before = Date.now();
    const inbox = await harness.request('GET', '/inbox?limit=500', {
      token: await api.token('yuecheng_t2_caseworker'),
    });
    const after = Date.now();

    expect(inbox.status).toBe(200);
    const items = inbox.body.items as { id: string; dueAt: string | null; timeLeftSeconds: number | null }[];
    const sortKeys = items.map((item) => [item.dueAt ? Date.parse(item.dueAt) : Infinity, item.id] as const);
    const sorted = [...sortKeys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(sortKeys).toEqual(sorted);
    for (const opened of [first, second]) {
      const item = items.find((i) => i.id === opened.id);
      const dueMs = Date.parse(opened.dueAt!);
      expect(item).toMatchObject({ id: opened.id, dueAt: opened.dueAt, step: 'dispatch', status: 'open' });
      expect(item!.timeLeftSeconds).toBeGreaterThanOrEqual(Math.floor((dueMs - after) / 1000));
      expect(item!.timeLeftSeconds).toBeLessThanOrEqual(Math.floor((dueMs - before) / 1000));
    }
    await api.act('yuecheng_t2_caseworker', first.id, 'withdraw', { reason: '测试结束' });
    await api.act('yuecheng_t2_caseworker', second.id, 'withdraw', { reason: '测试结束' });
  });

  test('GET /inbox puts a suspended step, which has no running deadline, after every step with one', async () => {
    const workerId = await api.workerAt(await api.unitOf('yuecheng_t2_g2_caseworker'));
    const suspended = await api.open('yuecheng_t2_caseworker', { workerId, category: 'living', urgency: 'normal' });
    const running = await api.open('yuecheng_t2_caseworker', { workerId, category: 'living', urgency: 'normal' });
    const suspension = await harness.request('POST', `/cases/${suspended.id}/suspensions`, {
      token: await api.token('yuecheng_t2_caseworker'),
      body: { reason: '等待职工补充材料', until: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(suspension.status).toBe(201);

    const inbox = await harness.request('GET', '/inbox?limit=500', {
      token: await api.token('yuecheng_t2_caseworker'),
    });

    const items = inbox.body.items as { id: string; dueAt: string | null; timeLeftSeconds: number | null }[];
    const ids = items.map((i) => i.id);
    expect(items.find((i) => i.id === suspended.id)).toMatchObject({ dueAt: null, timeLeftSeconds: null });
    expect(ids.indexOf(running.id)).toBeLessThan(ids.indexOf(suspended.id));
    expect(items.slice(ids.indexOf(suspended.id)).every((i) => i.dueAt === null)).toBe(true);
    await api.act('yuecheng_t2_caseworker', suspended.id, 'withdraw', { reason: '测试结束' });
    await api.act('yuecheng_t2_caseworker', running.id, 'withdraw', { reason: '测试结束' });
  });

  test('a suspension stops the step clock and resume restarts it with the deadline pushed back by the counted paused time', async () => {
    const workerId = await api.workerAt(await api.unitOf('shangyu_t2_g1_caseworker'));
    const opened = await api.open('shangyu_t2_caseworker', { workerId, category: 'medical', urgency: 'normal' });
    const until = new Date(Date.now() + 60_000).toISOString();

    const suspension = await harness.request('POST', `/cases/${opened.id}/suspensions`, {
      token: await api.token('shangyu_t2_caseworker'),
      body: { reason: '职工住院，等待出院后入户', until },
    });
    const whileSuspended = await api.get('shangyu_t2_caseworker', opened.id);
    const resumed = await api.act('shangyu_t2_caseworker', opened.id, 'resume');

    expect(suspension.status).toBe(201);
    expect(whileSuspended).toMatchObject({
      status: 'open',
      step: 'dispatch',
      dueAt: null,
      overdue: false,
      suspendedUntil: `${new Date(Date.parse(until) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23)}+08:00`,
    });
    expect(resumed.suspendedUntil).toBeNull();
    expect(kindsOf(resumed)).toEqual(['opened', 'suspended', 'resumed']);
    const [, suspendedEvent, resumedEvent] = resumed.timeline.filter((e) => e.kind !== 'deadline_moved');
    expect(suspendedEvent!.data).toEqual({ reason: '职工住院，等待出院后入户', until });
    const pausedFor = Date.parse(resumedEvent!.occurredAt) - Date.parse(suspendedEvent!.occurredAt);
    const counted = (await isWorkingDayInShanghai(Date.parse(suspendedEvent!.occurredAt))) ? pausedFor : 0;
    expect(resumedEvent!.data).toEqual({
      previousDueAt: new Date(Date.parse(opened.dueAt!)).toISOString(),
      dueAt: new Date(Date.parse(resumed.dueAt!)).toISOString(),
      pausedMs: counted,
      calendar: 'working',
    });
    expect(Date.parse(resumed.dueAt!) - Date.parse(opened.dueAt!)).toBe(counted);
    expect(pausedFor).toBeGreaterThan(0);
    await api.act('shangyu_t2_caseworker', opened.id, 'withdraw', { reason: '测试结束' });
  });
});
