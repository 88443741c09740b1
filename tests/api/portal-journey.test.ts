import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chineseDay } from '../../api/routes/portal/progress.js';
import { detailFields, expectError, signIn, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import {
  CapturingSmsSender,
  departmentHelp,
  insertFeedRows,
  registerMember,
  signInMember,
  type PortalMember,
} from '../support/portal.js';

/*
 * The worker's five functions end to end, with a real worker and Temporal server: a worker signs in, applies,
 * watches the case move as staff act on it, finds the payments in their records and, beside other departments'
 * help, in the warm-heart list. Then every way an application is refused. Isolation: this file works at
 * xinchang_t1 and shengzhou_t2 (where it adds a union with no staff) with workers it registers itself; tests of
 * the first block run in order on one case.
 */

const digits = String(randomInt(10_000_000, 100_000_000));
/** Staff-internal text that must never reach the worker: each is searched for verbatim in every portal answer. */
const internal = {
  suspendReason: `SUSPEND-${digits} 等待职工补充低保证明`,
  findings: `FINDINGS-${digits} 家中两名子女在读，配偶长期患病`,
  planNote: `NOTE-${digits} 参照去年标准`,
  rejectReason: `REJECT-${digits} 金额偏高请核减`,
  approveNote: `APPROVE-${digits} 同意按标准发放`,
  reference: `REF-${digits}`,
  reportResult: `RESULT-${digits} 已电话回访`,
  reversalReason: `REVERSAL-${digits} 账号错误`,
  staffSummary: `STAFF-SUMMARY-${digits} 工作人员内部摘要`,
};

const sms = new CapturingSmsSender();
let h: Harness;
const staff = {} as Record<'grassroots' | 'township' | 'supervisor' | 'township2', Session>;
const units = {} as Record<'grassroots' | 'township' | 'township2', string>;
/** Every body the portal answered in this file, for the leak check at the end. */
const portalAnswers: unknown[] = [];

async function portal<T = any>(method: 'GET' | 'POST', url: string, token: string, body?: unknown) {
  const response = await h.request<T>(method, url, { token, ...(body === undefined ? {} : { body }) });
  portalAnswers.push(response.body);
  return response;
}

async function act(session: Session, caseId: string, action: string, body: Record<string, unknown> = {}) {
  const response = await h.request('POST', `/cases/${caseId}/actions/${action}`, { token: session.token, body });
  expect(response.status, `${action}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

const countCases = async (workerId: string, category?: string) => {
  let query = h.db
    .selectFrom('assistance_case')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('worker_id', '=', workerId);
  if (category) {
    query = query.where('category', '=', category);
  }
  return (await query.executeTakeFirstOrThrow()).n;
};

/**
 * The timeline lines of a case view, without lines about holiday-calendar changes: another test file may change
 * the calendar of the current year while this one runs, which moves running deadlines and says so in timelines.
 */
const texts = (view: { timeline: { text: string }[] }) =>
  view.timeline.map((entry) => entry.text).filter((text) => !text.startsWith('因节假日安排调整'));

const apply = (token: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  h.request('POST', '/portal/applications', { token, body, ...(headers ? { headers } : {}) });

beforeAll(async () => {
  h = await createHarness({ smsSender: sms });
  [staff.grassroots, staff.township, staff.supervisor, staff.township2] = await Promise.all([
    signIn(h, 'xinchang_t1_g1_caseworker'),
    signIn(h, 'xinchang_t1_caseworker'),
    signIn(h, 'xinchang_t1_supervisor'),
    signIn(h, 'shengzhou_t2_caseworker'),
  ]);
  units.grassroots = staff.grassroots.unitId;
  units.township = staff.township.unitId;
  units.township2 = staff.township2.unitId;
});

afterAll(async () => {
  await h?.close();
});

describe('one self-application from sign-in to payment', () => {
  let member: PortalMember;
  let token: string;
  let caseId: string;
  let paymentIds: string[];
  const description = `家中老人住院，本人收入减少，生活困难 ${digits}`;

  beforeAll(async () => {
    member = await registerMember(h, staff.grassroots.token, {
      unitId: units.grassroots,
      hardshipStatus: 'registered',
    });
    token = await signInMember(h, sms, member.phone);
  });

  test('the application opens a self_application case at the worker’s grassroots union (201)', async () => {
    const response = await portal('POST', '/portal/applications', token, { category: 'living', description });

    expect(response.status, JSON.stringify(response.body)).toBe(201);
    caseId = response.body.id;
    const due = Date.parse(response.body.expectedBy);
    expect(response.body).toMatchObject({
      category: 'living',
      categoryLabel: '生活救助',
      urgency: 'normal',
      source: 'self_application',
      sourceLabel: '本人申请',
      status: 'open',
      statusLabel: '办理中',
      step: 'dispatch',
      stepLabel: '派单',
      handlingUnit: { id: units.grassroots, name: '南明街道康宁社区联合工会' },
      currentUnit: { id: units.grassroots, name: '南明街道康宁社区联合工会' },
      suspended: false,
      description,
      progress: `您的申请已提交南明街道康宁社区联合工会，工作人员将在${chineseDay(due)}前安排办理`,
      expectedByLabel: chineseDay(due),
    });
    expect(texts(response.body)).toEqual(['您提交了生活救助申请']);
  });

  test('staff at the union are told, see it in their inbox, opened by the worker with no staff account', async () => {
    const inbox = await h.request('GET', '/inbox?limit=500', { token: staff.grassroots.token });
    const detail = await h.request('GET', `/cases/${caseId}`, { token: staff.grassroots.token });
    const notices = await h.request('GET', '/notifications?limit=500', { token: staff.grassroots.token });
    const townshipNotices = await h.request('GET', '/notifications?limit=500', { token: staff.township.token });

    expect(notices.body.items.filter((n: { caseId: string }) => n.caseId === caseId)).toEqual([
      expect.objectContaining({
        kind: 'assigned',
        title: `职工自主申报：工单 #${detail.body.number}（生活救助）待您派单`,
        unitId: units.grassroots,
      }),
    ]);
    expect(townshipNotices.body.items.filter((n: { caseId: string }) => n.caseId === caseId)).toEqual([]);

    expect(inbox.body.items.map((item: { id: string }) => item.id)).toContain(caseId);
    expect(detail.body).toMatchObject({
      workerId: member.id,
      source: 'self_application',
      step: 'dispatch',
      holderUnitId: units.grassroots,
      openedUnitId: units.grassroots,
      summary: description,
    });
    expect(detail.body.timeline[0]).toMatchObject({ kind: 'opened', actorUserId: null, actorUnitId: units.grassroots });
  });

  test('progress follows each step staff take, in plain words and with the date the step is due', async () => {
    await act(staff.grassroots, caseId, 'accept');
    const atVerify = await portal('GET', `/portal/cases/${caseId}`, token);
    const staffView = await h.request('GET', `/cases/${caseId}`, { token: staff.grassroots.token });

    expect(atVerify.body).toMatchObject({
      step: 'verify',
      stepLabel: '入户核实',
      expectedBy: staffView.body.dueAt,
      progress: `您的申请已由南明街道康宁社区联合工会受理，工作人员将在${chineseDay(Date.parse(staffView.body.dueAt))}前上门核实`,
    });
    expect(texts(atVerify.body).at(-1)).toBe('南明街道康宁社区联合工会已受理');
  });

  test('a suspended step shows 暂停 and when it resumes, not why', async () => {
    const until = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const suspended = await h.request('POST', `/cases/${caseId}/suspensions`, {
      token: staff.grassroots.token,
      body: { reason: internal.suspendReason, until },
    });
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(201);

    const paused = await portal('GET', `/portal/cases/${caseId}`, token);
    await act(staff.grassroots, caseId, 'resume');
    const resumed = await portal('GET', `/portal/cases/${caseId}`, token);

    expect(paused.body).toMatchObject({
      suspended: true,
      expectedBy: null,
      expectedByLabel: '暂停',
      progress: `入户核实暂停办理，预计${chineseDay(Date.parse(until))}恢复`,
    });
    expect(texts(paused.body).at(-1)).toBe(`办理暂停，预计${chineseDay(Date.parse(until))}恢复`);
    expect(resumed.body.suspended).toBe(false);
    expect(texts(resumed.body).at(-1)).toMatch(/^恢复办理，本步骤预计\d+月\d+日前完成$/);
  });

  test('verification, planning, a rejection and approval read neutrally; the plan waits at the township', async () => {
    await act(staff.grassroots, caseId, 'verify', { eligible: true, findings: internal.findings });
    const items = [
      { kind: '生活补助', amountFen: 150_000, note: internal.planNote },
      { kind: '节日慰问金', amountFen: 20_000 },
    ];
    await act(staff.grassroots, caseId, 'plan', { items });
    const atApprove = await portal('GET', `/portal/cases/${caseId}`, token);
    await act(staff.township, caseId, 'reject', { reason: internal.rejectReason });
    await act(staff.grassroots, caseId, 'plan', {
      items: [{ kind: '生活补助', amountFen: 120_000 }, items[1]],
    });
    await act(staff.township, caseId, 'approve', { note: internal.approveNote });
    const atDeliver = await portal('GET', `/portal/cases/${caseId}`, token);

    expect(atApprove.body).toMatchObject({
      step: 'approve',
      handlingUnit: { id: units.grassroots },
      currentUnit: { id: units.township, name: '南明街道工会' },
    });
    expect(atApprove.body.progress).toMatch(/^帮扶方案已提交南明街道工会审批，预计\d+月\d+日前完成审批$/);
    expect(texts(atDeliver.body).slice(-5)).toEqual([
      '工作人员已完成核实，符合帮扶条件',
      '帮扶方案已制定，提交南明街道工会审批',
      '帮扶方案正在调整完善',
      '帮扶方案已制定，提交南明街道工会审批',
      '帮扶方案已审批通过',
    ]);
    expect(atDeliver.body.step).toBe('deliver');
    expect(atDeliver.body.progress).toMatch(/^帮扶方案已批准，南明街道康宁社区联合工会将在\d+月\d+日前发放帮扶$/);
  });

  test('delivery shows the amount and method; the payments are in the records', async () => {
    await act(staff.grassroots, caseId, 'deliver', {
      items: [
        { kind: '生活补助', amountFen: 120_000 },
        { kind: '节日慰问金', amountFen: 20_000 },
      ],
      method: 'bank_transfer',
      reference: internal.reference,
    });

    const detail = await portal('GET', `/portal/cases/${caseId}`, token);
    const records = await portal('GET', '/portal/records', token);

    expect(texts(detail.body).at(-1)).toBe('帮扶已发放：1400.00 元（银行转账）');
    const record = records.body.items.find((item: { id: string }) => item.id === caseId);
    expect(
      record.payments.map((p: Record<string, unknown>) => [
        p.item,
        p.amountFen,
        p.methodLabel,
        p.categoryLabel,
        p.reversed,
      ]),
    ).toEqual([
      ['生活补助', 120_000, '银行转账', '生活救助', false],
      ['节日慰问金', 20_000, '银行转账', '生活救助', false],
    ]);
    expect(record.receivedFen).toBe(140_000);
    expect(records.body.totals).toEqual({ caseCount: 1, paymentCount: 2, receivedFen: 140_000, reversedCount: 0 });
    paymentIds = record.payments.map((p: { id: string }) => p.id);
  });

  test('a reversed payment is marked reversed in the records and no longer counts as received', async () => {
    const reversed = await h.request('POST', `/payments/${paymentIds[1]}/reversals`, {
      token: staff.supervisor.token,
      body: { reason: internal.reversalReason },
    });
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(201);

    const records = await portal('GET', '/portal/records', token);

    const record = records.body.items.find((item: { id: string }) => item.id === caseId);
    expect(record.payments[1]).toMatchObject({ reversed: true, statusLabel: '已撤回（冲正）' });
    expect(record.payments[1].reversedAt).toMatch(/\+08:00$/);
    expect(record.payments[0]).toMatchObject({ reversed: false, statusLabel: '已发放' });
    expect(record.receivedFen).toBe(120_000);
    expect(records.body.totals).toEqual({ caseCount: 1, paymentCount: 2, receivedFen: 120_000, reversedCount: 1 });
  });

  test('the warm-heart list holds the union payment and other departments’ help, newest first, with yearly totals', async () => {
    const other = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    await insertFeedRows(h.db, [
      departmentHelp(member.id, {
        occurredOn: '2026-03-01',
        department: '民政局',
        helpType: 'cash',
        title: '临时救助金',
        amountFen: 50_000,
      }),
      departmentHelp(member.id, { occurredOn: '2025-11-20', department: '残联', helpType: 'goods', title: '轮椅一台' }),
      departmentHelp(member.id, {
        occurredOn: '2026-06-10',
        department: '人社局',
        helpType: 'service',
        title: '职业介绍',
      }),
    ]);
    await insertFeedRows(h.db, [
      departmentHelp(other.id, {
        occurredOn: '2026-05-01',
        department: '民政局',
        helpType: 'cash',
        title: '他人的救助',
        amountFen: 9_900,
      }),
    ]);
    await insertFeedRows(h.db, [
      {
        workerId: member.id,
        kind: 'medical_expense',
        occurredOn: '2026-04-01',
        department: '医保局',
        amountFen: 300_000,
      },
    ]);

    const list = await portal('GET', '/portal/warm-list', token);

    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(
      list.body.items.map((i: Record<string, unknown>) => [
        i.date,
        i.sourceLabel,
        i.helpTypeLabel,
        i.title,
        i.amountFen,
      ]),
    ).toEqual([
      [today, '工会', '现金', '工会生活救助帮扶', 120_000],
      ['2026-06-10', '人社局', '服务', '职业介绍', null],
      ['2026-03-01', '民政局', '现金', '临时救助金', 50_000],
      ['2025-11-20', '残联', '实物', '轮椅一台', null],
    ]);
    expect(list.body.items[0]).toMatchObject({ source: 'union', item: '生活补助', caseId });
    expect(list.body.years).toEqual([
      { year: Number(today.slice(0, 4)), cashFen: 170_000, inKindCount: 1, inKindValueFen: 0, itemCount: 3 },
      { year: 2025, cashFen: 0, inKindCount: 1, inKindValueFen: 0, itemCount: 1 },
    ]);
    expect(list.body.nextCursor).toBeNull();
  });

  test('the warm-heart list pages with limit and cursor, and every page carries the same totals', async () => {
    const first = await portal('GET', '/portal/warm-list?limit=3', token);
    const second = await portal('GET', `/portal/warm-list?limit=3&cursor=${first.body.nextCursor}`, token);
    const whole = await portal('GET', '/portal/warm-list', token);

    expect(first.body.items).toHaveLength(3);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items]).toEqual(whole.body.items);
    expect(second.body.years).toEqual(whole.body.years);
    expectError(await h.request('GET', '/portal/warm-list?cursor=not-a-cursor', { token }), 400, 'CURSOR_INVALID');
  });

  test('report and close: the case reads 已办结 with no date pending', async () => {
    await act(staff.grassroots, caseId, 'report', { result: internal.reportResult, satisfaction: 5 });
    await act(staff.township, caseId, 'close');

    const detail = await portal('GET', `/portal/cases/${caseId}`, token);
    const list = await portal('GET', '/portal/cases', token);

    expect(detail.body).toMatchObject({
      status: 'closed',
      statusLabel: '已结案',
      step: 'done',
      progress: '您的帮扶工单已办结',
      expectedBy: null,
      expectedByLabel: null,
      currentUnit: null,
    });
    expect(texts(detail.body).slice(-2)).toEqual(['南明街道康宁社区联合工会已反馈帮扶结果', '工单已办结']);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([caseId]);
  });

  test('nothing staff wrote for themselves reached any portal answer', () => {
    const answers = JSON.stringify(portalAnswers);

    expect(Object.values(internal).filter((text) => answers.includes(text))).toEqual([]);
    expect(answers).not.toContain(staff.grassroots.id);
    expect(answers).not.toContain(staff.township.id);
  });
});

describe('applications that are refused, and how cases are routed', () => {
  test('a second application in a category with an open case answers 409 pointing to it, and opens nothing', async () => {
    const member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    const token = await signInMember(h, sms, member.phone);
    const first = await apply(token, { category: 'medical', description: '住院自付费用高' });
    expect(first.status).toBe(201);

    const second = await apply(token, { category: 'medical', description: '再次申请医疗救助', urgency: 'urgent' });

    expectError(second, 409, 'APPLICATION_ALREADY_OPEN');
    expect(second.body.error.details).toEqual({ openCaseId: first.body.id });
    expect(second.body.error.message).toContain(`编号 ${first.body.number}`);
    expect(await countCases(member.id)).toBe(1);
  });

  test('a case staff opened for the worker shows in their list without staff’s summary, and blocks a duplicate', async () => {
    const member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    const token = await signInMember(h, sms, member.phone);
    const opened = await h.request('POST', '/cases', {
      token: staff.grassroots.token,
      body: {
        workerId: member.id,
        category: 'education',
        urgency: 'normal',
        summary: internal.staffSummary,
        source: 'staff',
      },
    });
    expect(opened.status).toBe(201);

    const list = await portal('GET', '/portal/cases', token);
    const detail = await portal('GET', `/portal/cases/${opened.body.id}`, token);
    const duplicate = await apply(token, { category: 'education', description: '孩子上高中学费困难' });

    expect(list.body.items.map((item: Record<string, unknown>) => [item.id, item.source, item.sourceLabel])).toEqual([
      [opened.body.id, 'staff', '工会建立'],
    ]);
    expect(detail.body.description).toBeNull();
    expect(detail.body.timeline[0].text).toBe('南明街道康宁社区联合工会为您建立了助学工单');
    expectError(duplicate, 409, 'APPLICATION_ALREADY_OPEN');
    expect(JSON.stringify([list.body, detail.body])).not.toContain(internal.staffSummary);
  });

  test('a double submission (no Idempotency-Key) opens one case', async () => {
    const member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    const token = await signInMember(h, sms, member.phone);
    const body = { category: 'legal', description: '被拖欠三个月工资' };

    const answers = await Promise.all([apply(token, body), apply(token, body), apply(token, body)]);

    expect(await countCases(member.id, 'legal')).toBe(1);
    const [caseRow] = await h.db
      .selectFrom('assistance_case')
      .select('id')
      .where('worker_id', '=', member.id)
      .execute();
    for (const answer of answers) {
      if (answer.status === 201) {
        expect(answer.body.id).toBe(caseRow!.id);
      } else if (answer.body.error.code === 'APPLICATION_IN_PROGRESS') {
        expectError(answer, 409, 'APPLICATION_IN_PROGRESS');
      } else {
        expectError(answer, 409, 'APPLICATION_ALREADY_OPEN');
        expect(answer.body.error.details.openCaseId).toBe(caseRow!.id);
      }
    }
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const workflows = await h.client.workflow.count(`WorkflowId = 'case-${caseRow!.id}'`);
    expect(workflows.count).toBe(1);
  });

  test('a burst of applications from one worker is answered at once and ties up no connections', async () => {
    const member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    const token = await signInMember(h, sms, member.phone);
    const categories = ['living', 'medical', 'education', 'employment', 'emergency', 'legal'];
    const started = Date.now();

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => apply(token, { category: categories[i % 6], description: '家庭困难' })),
    );
    const meanwhile = await h.request('GET', '/portal/me', { token });

    expect(Date.now() - started).toBeLessThan(8_000);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => [201, 409].includes(a.status))).toBe(true);
    expect(meanwhile.status).toBe(200);
    expect(await countCases(member.id)).toBe(answers.filter((a) => a.status === 201).length);
  });

  test('a repeat with the same Idempotency-Key answers the first answer and opens nothing more', async () => {
    const member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    const token = await signInMember(h, sms, member.phone);
    const key = `apply-${randomUUID()}`;
    const body = { category: 'employment', description: '失业三个月，希望参加技能培训' };

    const first = await apply(token, body, { 'idempotency-key': key });
    const repeat = await apply(token, body, { 'idempotency-key': key });

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toEqual(first.body);
    expect(await countCases(member.id)).toBe(1);
  });

  test('beyond PORTAL_APPLICATIONS_PER_DAY in 24 hours an application answers 429 with Retry-After and opens nothing', async () => {
    const member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
    const token = await signInMember(h, sms, member.phone);
    for (const category of ['living', 'medical', 'legal']) {
      expect((await apply(token, { category, description: '家庭困难' })).status).toBe(201);
    }

    const fourth = await apply(token, { category: 'employment', description: '家庭困难' });

    expectError(fourth, 429, 'TOO_MANY_APPLICATIONS');
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expect(await countCases(member.id)).toBe(3);
  });

  test('a union with no staff: the application goes to the nearest unit above that has them', async () => {
    const township = await h.db
      .selectFrom('org_unit')
      .select(['id', 'path'])
      .where('id', '=', units.township2)
      .executeTakeFirstOrThrow();
    const unstaffedId = randomUUID();
    // No API creates org units: the tree is reference data, so the new union is inserted as the seeds would.
    await h.db
      .insertInto('org_unit')
      .values({
        id: unstaffedId,
        parent_id: township.id,
        level: 'grassroots',
        name: `嵊州测试无专职人员工会${digits}`,
        path: `${township.path}${unstaffedId}/`,
      })
      .execute();
    const member = await registerMember(h, staff.township2.token, { unitId: unstaffedId });
    const token = await signInMember(h, sms, member.phone);

    const applied = await apply(token, { category: 'living', description: '家庭困难' });
    const seen = await h.request('GET', `/cases/${applied.body.id}`, { token: staff.township2.token });

    expect(applied.status).toBe(201);
    expect(applied.body.handlingUnit).toEqual({ id: units.township2, name: '三江街道工会' });
    expect(applied.body.progress).toMatch(/^您的申请已提交三江街道工会，/);
    expect(seen.body).toMatchObject({ holderUnitId: units.township2, openedUnitId: units.township2, step: 'dispatch' });
    const row = await h.db
      .selectFrom('assistance_case')
      .select('worker_unit_id')
      .where('id', '=', applied.body.id)
      .executeTakeFirstOrThrow();
    expect(row.worker_unit_id).toBe(unstaffedId);
  });

  describe('bad input changes nothing (I5)', () => {
    let member: PortalMember;
    let other: PortalMember;
    let token: string;

    beforeAll(async () => {
      member = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
      other = await registerMember(h, staff.grassroots.token, { unitId: units.grassroots });
      token = await signInMember(h, sms, member.phone);
    });

    const refused = async (send: () => Promise<HarnessResponse>) => {
      const before = [await countCases(member.id), await countCases(other.id)];
      const response = await send();
      expect([await countCases(member.id), await countCases(other.id)]).toEqual(before);
      return response;
    };

    test.each([
      ['an empty description', { category: 'living', description: '' }, ['description']],
      ['a description of spaces', { category: 'living', description: ' \n\t　' }, ['description']],
      ['a 100,000-character description', { category: 'living', description: 'x'.repeat(100_000) }, ['description']],
      ['100,000 Chinese characters', { category: 'living', description: '困'.repeat(100_000) }, ['description']],
      ['a NUL character', { category: 'living', description: 'a\u0000b' }, ['description']],
      ['no category', { description: '家庭困难' }, ['category']],
      ['an unknown category', { category: 'food', description: '家庭困难' }, ['category']],
      ['an unknown urgency', { category: 'living', description: '家庭困难', urgency: 'asap' }, ['urgency']],
    ])('%s answers 400 VALIDATION_FAILED naming the field', async (_what, body, fields) => {
      const response = await refused(() => apply(token, body));

      expectError(response, 400, 'VALIDATION_FAILED');
      expect(detailFields(response)).toEqual(fields);
    });

    test('applying for someone else (workerId) or as another source is refused as unknown fields', async () => {
      const forOther = await refused(() =>
        apply(token, { category: 'living', description: '家庭困难', workerId: other.id }),
      );
      const asStaff = await refused(() =>
        apply(token, { category: 'living', description: '家庭困难', source: 'staff' }),
      );

      expectError(forOther, 400, 'VALIDATION_FAILED');
      expect(detailFields(forOther)).toEqual(['workerId']);
      expect(detailFields(asStaff)).toEqual(['source']);
    });

    test('no token answers 401, a staff token 403, a text body 415: nothing is opened', async () => {
      const body = { category: 'living', description: '家庭困难' };

      expectError(await refused(() => h.request('POST', '/portal/applications', { body })), 401, 'NOT_AUTHENTICATED');
      expectError(
        await refused(() => h.request('POST', '/portal/applications', { token: staff.grassroots.token, body })),
        403,
        'WORKER_ONLY',
      );
      expectError(
        await refused(() =>
          h.request('POST', '/portal/applications', {
            token,
            body: JSON.stringify(body),
            headers: { 'content-type': 'text/plain' },
          }),
        ),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });
  });
});
