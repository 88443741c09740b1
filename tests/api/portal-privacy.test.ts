import { randomInt, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detailFields, expectError, randomPhone, signIn, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import { departmentHelp, idNumberFor, insertFeedRows, randomAddress } from '../support/portal.js';

/*
 * A worker sees only their own data (issue point 7, RELIABILITY S1, P1, P2). Worker A and worker B share a
 * household; B's case, staff's notes on A's own case and the staff themselves are canaries that no portal answer
 * may contain. A guessing B's case id learns nothing: the same 404 as for an id that does not exist, audited.
 * This file runs the development SMS sender for real: the sign-in code is read from the API log, where it must
 * appear once, in the sender's own line, next to the masked phone, and nowhere else.
 */

const digits = String(randomInt(10_000_000, 100_000_000));
const canary = {
  nameA: `甲金丝雀${digits}`,
  nameB: `乙金丝雀${digits}`,
  descriptionA: `DESC-A-${digits} 我家房屋漏雨，无力修缮`,
  summaryB: `SUMMARY-B-${digits} 乙的家庭情况`,
  findingsB: `FINDINGS-B-${digits} 乙的核实结果`,
  returnReason: `RETURN-${digits} 地址与户籍不符`,
  findingsA: `FINDINGS-A-${digits} 甲家中有残疾子女`,
  planNote: `NOTE-${digits} 内部备注`,
  rejectReason: `REJECT-${digits} 重新核算`,
  deptHelpB: `DEPT-B-${digits} 乙获得的部门帮扶`,
};
/** What A may see of their own: their name and description. Everything else must stay out of A's answers. */
const forbiddenForA = Object.entries(canary)
  .filter(([key]) => key !== 'nameA' && key !== 'descriptionA')
  .map(([, value]) => value);

const logLines: string[] = [];
const logDestination = new Writable({
  write(chunk: Buffer | string, _encoding, callback) {
    logLines.push(...chunk.toString().split('\n').filter(Boolean));
    callback();
  },
});

let h: Harness;
let grassroots: Session;
let township: Session;
const a = { id: '', phone: randomPhone(), token: '', caseId: '', code: '' };
const b = { id: '', phone: randomPhone(), caseId: '' };
const answersToA: HarnessResponse[] = [];

async function asA(url: string) {
  const response = await h.request('GET', url, { token: a.token });
  answersToA.push(response);
  return response;
}

async function act(session: Session, caseId: string, action: string, body: Record<string, unknown> = {}) {
  const response = await h.request('POST', `/cases/${caseId}/actions/${action}`, { token: session.token, body });
  expect(response.status, `${action}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

/**
 * A proto message as JSON with every byte field shown as UTF-8 text, walked by hand: the message's own toJSON
 * would turn bytes into base64 and hide any plain text in a payload.
 */
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

/** The code the development sender wrote to the log for this phone (masked there), the newest one. */
function codeFromLog(phone: string): string {
  const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  const line = logLines
    .map((l) => JSON.parse(l) as { msg?: string; to?: string; text?: string })
    .filter((record) => record.msg === 'Development SMS written to the log instead of sent' && record.to === masked)
    .at(-1);
  const code = line?.text ? /验证码为 (\d{6})/.exec(line.text)?.[1] : undefined;
  if (!code) {
    throw new Error('The development SMS sender wrote no code to the log');
  }
  return code;
}

beforeAll(async () => {
  h = await createHarness({ logDestination });
  [grassroots, township] = await Promise.all([
    signIn(h, 'shangyu_t1_g2_caseworker'),
    signIn(h, 'shangyu_t1_caseworker'),
  ]);
  const register = async (name: string, phone: string, householdId?: string) => {
    const response = await h.request('POST', '/workers', {
      token: grassroots.token,
      body: {
        name,
        idNumber: idNumberFor({ region: '330604', gender: 'female' }),
        phone,
        unitId: grassroots.unitId,
        hardshipStatus: 'registered',
        ...(householdId ? { householdId } : {}),
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; householdId: string };
  };
  const workerA = await register(canary.nameA, a.phone);
  a.id = workerA.id;
  b.id = (await register(canary.nameB, b.phone, workerA.householdId)).id;

  const address = randomAddress();
  expect(
    (await h.request('POST', '/portal/auth/code', { body: { phone: a.phone }, remoteAddress: address })).status,
  ).toBe(202);
  a.code = codeFromLog(a.phone);
  const login = await h.request('POST', '/portal/auth/login', {
    body: { phone: a.phone, code: a.code },
    remoteAddress: address,
  });
  expect(login.status).toBe(200);
  a.token = login.body.token;

  const openedB = await h.request('POST', '/cases', {
    token: grassroots.token,
    body: { workerId: b.id, category: 'medical', urgency: 'normal', summary: canary.summaryB, source: 'staff' },
  });
  b.caseId = openedB.body.id;
  await act(grassroots, b.caseId, 'accept');
  await act(grassroots, b.caseId, 'verify', { eligible: true, findings: canary.findingsB });
  await insertFeedRows(h.db, [
    departmentHelp(b.id, {
      occurredOn: '2026-05-05',
      department: '民政局',
      helpType: 'cash',
      title: canary.deptHelpB,
      amountFen: 30_000,
    }),
  ]);

  const applied = await h.request('POST', '/portal/applications', {
    token: a.token,
    body: { category: 'living', description: canary.descriptionA },
  });
  expect(applied.status).toBe(201);
  a.caseId = applied.body.id;
  await act(grassroots, a.caseId, 'accept');
  await act(grassroots, a.caseId, 'verify', { eligible: true, findings: canary.findingsA });
  const planned = await act(grassroots, a.caseId, 'plan', {
    items: [{ kind: '修缮补助', amountFen: 80_000, note: canary.planNote }],
  });
  expect(planned.holderUnitId).toBe(township.unitId);
  await act(township, a.caseId, 'reject', { reason: canary.rejectReason });
});

afterAll(async () => {
  await h?.close();
});

describe('guessing another worker’s case id', () => {
  test('answers exactly as for an id that does not exist: 404 CASE_NOT_FOUND, same body', async () => {
    const guessed = await asA(`/portal/cases/${b.caseId}`);
    const unknown = await asA(`/portal/cases/${randomUUID()}`);

    expectError(guessed, 404, 'CASE_NOT_FOUND');
    expect(guessed.body).toEqual(unknown.body);
    expect(guessed.headers['content-length']).toBe(unknown.headers['content-length']);
  });

  test('the denied read is audited, with the worker as actor and the guessed id as target', async () => {
    await asA(`/portal/cases/${b.caseId}`);

    const rows = await h.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_worker_id', 'actor_user_id', 'action', 'outcome', 'status_code'])
      .where('target_id', '=', b.caseId)
      .where('actor_worker_id', '=', a.id)
      .execute();

    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0]).toEqual({
      actor_kind: 'worker',
      actor_worker_id: a.id,
      actor_user_id: null,
      action: 'portal.case.read',
      outcome: 'denied',
      status_code: 404,
    });
  });

  test("the denied read shows in the audit list of the worker's district supervisor, not another district's", async () => {
    const [own, other] = await Promise.all([signIn(h, 'shangyu_supervisor'), signIn(h, 'keqiao_supervisor')]);
    const query = `/audit?targetId=${b.caseId}&action=portal.case.read&limit=500`;

    const seen = await h.request('GET', query, { token: own.token });
    const unseen = await h.request('GET', query, { token: other.token });

    expect(seen.body.items.length).toBeGreaterThanOrEqual(1);
    expect(seen.body.items[0]).toMatchObject({
      actorKind: 'worker',
      actorWorkerId: a.id,
      actorUserId: null,
      outcome: 'denied',
      statusCode: 404,
    });
    expect(unseen.body.items).toEqual([]);
  });

  test('a malformed id answers 400 naming id', async () => {
    const response = await asA('/portal/cases/not-a-case');

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['id']);
  });
});

describe('what a worker’s answers contain', () => {
  test('their lists hold only their own case, not their household member’s', async () => {
    const cases = await asA('/portal/cases');
    const records = await asA('/portal/records');

    expect(cases.body.items.map((item: { id: string }) => item.id)).toEqual([a.caseId]);
    expect(records.body.items.map((item: { id: string }) => item.id)).toEqual([a.caseId]);
    expect(records.body.totals.caseCount).toBe(1);
  });

  test('their warm-heart list holds none of the help their household member got', async () => {
    const list = await asA('/portal/warm-list');

    expect(list.body.items).toEqual([]);
    expect(list.body.years).toEqual([]);
  });

  test('no answer names another worker, shows staff’s notes, or shows a staff member’s name or id', async () => {
    await asA('/portal/me');
    await asA(`/portal/cases/${a.caseId}`);
    await asA('/portal/policies?all=true');
    const staff = await h.db
      .selectFrom('app_user')
      .select(['id', 'name', 'username'])
      .where('id', 'in', [grassroots.id, township.id])
      .execute();

    const text = JSON.stringify(answersToA.map((answer) => answer.body));

    expect(forbiddenForA.filter((value) => text.includes(value))).toEqual([]);
    expect(text).not.toContain(b.id);
    expect(text).not.toContain(b.caseId);
    expect(staff.flatMap((s) => [s.id, s.name, s.username]).filter((value) => text.includes(value))).toEqual([]);
    expect(text).not.toContain(`${b.phone.slice(0, 3)}****${b.phone.slice(-4)}`);
  });

  test('their own case shows their own description and neutral steps', async () => {
    const unitNames = await h.db
      .selectFrom('org_unit')
      .select(['id', 'name'])
      .where('id', 'in', [grassroots.unitId, township.unitId])
      .execute();
    const name = (id: string) => unitNames.find((unit) => unit.id === id)!.name;

    const detail = await asA(`/portal/cases/${a.caseId}`);

    expect(detail.body.description).toBe(canary.descriptionA);
    // Another test file may change this year's holiday calendar meanwhile; the line saying so is not asserted here.
    const lines = detail.body.timeline
      .map((e: { text: string }) => e.text)
      .filter((text: string) => !text.startsWith('因节假日安排调整'));
    expect(lines).toEqual([
      '您提交了生活救助申请',
      `${name(grassroots.unitId)}已受理`,
      '工作人员已完成核实，符合帮扶条件',
      `帮扶方案已制定，提交${name(township.unitId)}审批`,
      '帮扶方案正在调整完善',
    ]);
  });
});

describe('history and logs (P1, P2)', () => {
  test('the self-application’s description is not readable in Temporal history, workflow id or search attributes', async () => {
    const rawClient = new Client({ connection: h.client.connection, namespace: 'default' });
    const handle = rawClient.workflow.getHandle(`case-${a.caseId}`);

    const history = readable(await handle.fetchHistory());
    const description = await handle.describe();

    expect(history).toContain('binary/encrypted');
    expect(history).not.toContain(canary.descriptionA);
    expect(history).not.toContain(canary.nameA);
    expect(JSON.stringify(description.typedSearchAttributes)).not.toContain(digits);
    expect(description.workflowId).toBe(`case-${a.caseId}`);
  });

  test('the sign-in code is in the development sender’s log line only; the full phone is in no log line', () => {
    const withCode = logLines.filter((line) => line.includes(a.code));

    expect(withCode).toHaveLength(1);
    expect(JSON.parse(withCode[0]!)).toMatchObject({
      msg: 'Development SMS written to the log instead of sent',
      to: `${a.phone.slice(0, 3)}****${a.phone.slice(-4)}`,
      component: 'sms',
    });
    expect(logLines.filter((line) => line.includes(a.phone) || line.includes(b.phone))).toEqual([]);
  });

  test('no answer carried the code, and the log holds no name, description or staff note', () => {
    const log = logLines.join('\n');

    expect(JSON.stringify(answersToA.map((answer) => answer.body))).not.toContain(`"${a.code}"`);
    expect(Object.values(canary).filter((value) => log.includes(value))).toEqual([]);
  });
});
