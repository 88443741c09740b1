import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { uuidFromKey } from '../../api/plugins/idempotency.js';
import { withCheckDigit } from '../../db/personal-data.js';
import { parseDuration } from '../../workflows/shared/duration.js';
import {
  ADMIN_PASSWORD,
  act,
  createStaff,
  detailFields,
  expectError,
  historyLength,
  newCaseBody,
  openCase,
  randomIdNumber,
  randomPhone,
  registerWorker,
  signIn,
  snapshotStore,
  uniqueSuffix,
  type CaseView,
  type Session,
  type WorkerView,
} from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';

/** RELIABILITY M4, S5, S6, B1-B3, I5: every refused request answers its own code and leaves the store as it was. */

let h: Harness;
let admin: Session;
/** Dedicated accounts, so the store snapshot only sees what this file's requests could have written. */
let caseworker: Session;
let township: Session;
let otherDistrict: Session;
let units: { grassroots: string; grassroots2: string; township: string; otherDistrictGrassroots: string };
let worker: WorkerView;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Sends the request and asserts that the store snapshot is the same before and after it. */
async function refused(send: () => Promise<HarnessResponse>): Promise<HarnessResponse> {
  const userIds = [caseworker.id, township.id, otherDistrict.id];
  const before = await snapshotStore(h.db, userIds);

  const response = await send();

  expect(await snapshotStore(h.db, userIds)).toEqual(before);
  return response;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 token signed with a key other than the API's. */
function tokenSignedWith(secret: string, payload: Record<string, unknown>): string {
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const fullWidth = (text: string) => text.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

async function caseAtStep(step: 'dispatch' | 'verify' | 'plan'): Promise<CaseView> {
  const opened = await openCase(h, caseworker.token, worker.id);
  if (step === 'dispatch') {
    return opened;
  }
  const accepted = await act(h, caseworker.token, opened.id, 'accept');
  if (step === 'verify') {
    return accepted;
  }
  return act(h, caseworker.token, opened.id, 'verify', { eligible: true, findings: '家中子女就读高中，学费困难' });
}

beforeAll(async () => {
  h = await createHarness();
  admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  const [g1, g2, t1, keqiaoG1] = await Promise.all(
    ['yuecheng_t1_g1_caseworker', 'yuecheng_t1_g2_caseworker', 'yuecheng_t1_caseworker', 'keqiao_t1_g1_caseworker'].map(
      (username) => signIn(h, username),
    ),
  );
  units = {
    grassroots: g1!.unitId,
    grassroots2: g2!.unitId,
    township: t1!.unitId,
    otherDistrictGrassroots: keqiaoG1!.unitId,
  };
  [caseworker, township, otherDistrict] = await Promise.all([
    createStaff(h, admin.token, { unitId: units.grassroots, prefix: 'bad_g1' }),
    createStaff(h, admin.token, { unitId: units.township, prefix: 'bad_t1' }),
    createStaff(h, admin.token, { unitId: units.otherDistrictGrassroots, prefix: 'bad_kq' }),
  ]);
  worker = await registerWorker(h, caseworker.token, { unitId: units.grassroots });
});

afterAll(async () => {
  await h?.close();
});

describe('unknown cases and malformed ids', () => {
  test('GET /cases/:id of an id that does not exist answers 404 CASE_NOT_FOUND', async () => {
    const response = await refused(() => h.request('GET', `/cases/${randomUUID()}`, { token: caseworker.token }));

    expectError(response, 404, 'CASE_NOT_FOUND');
  });

  test('an action on a case id that does not exist answers 404 CASE_NOT_FOUND', async () => {
    const response = await refused(() =>
      h.request('POST', `/cases/${randomUUID()}/actions/accept`, { token: caseworker.token, body: {} }),
    );

    expectError(response, 404, 'CASE_NOT_FOUND');
  });

  test.each([
    ['GET', '/cases/not-a-uuid'],
    ['POST', '/cases/12345/actions/accept'],
    ['GET', '/workers/%E9%87%91'],
  ] as const)('%s %s answers 400 VALIDATION_FAILED naming id', async (method, url) => {
    const response = await refused(() =>
      h.request(method, url, { token: caseworker.token, ...(method === 'POST' ? { body: {} } : {}) }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['id']);
  });

  test.each([
    ['GET', '/no-such-route'],
    ['POST', `/cases/${randomUUID()}/actions/fly`],
  ] as const)('%s %s answers 404 ROUTE_NOT_FOUND', async (method, url) => {
    const response = await refused(() => h.request(method, url, { token: caseworker.token, body: {} }));

    expectError(response, 404, 'ROUTE_NOT_FOUND');
  });
});

describe('POST /cases body', () => {
  test('a body with every field missing answers 400 VALIDATION_FAILED naming each field', async () => {
    const response = await refused(() => h.request('POST', '/cases', { token: caseworker.token, body: {} }));

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['category', 'source', 'summary', 'urgency', 'workerId']);
  });

  test('fields of the wrong type answer 400 VALIDATION_FAILED naming each of them', async () => {
    const body = { ...newCaseBody(worker.id), workerId: 42, urgency: true, summary: ['助学'] };

    const response = await refused(() => h.request('POST', '/cases', { token: caseworker.token, body }));

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['summary', 'urgency', 'workerId']);
  });

  test.each([
    ['orgUnitId', randomUUID()],
    ['status', 'closed'],
    ['paidFen', 100],
  ])('an unknown field %s is refused with 400 naming it, not stored', async (field, value) => {
    const body = { ...newCaseBody(worker.id), [field]: value };

    const response = await refused(() => h.request('POST', '/cases', { token: caseworker.token, body }));

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.details).toEqual([{ field, reason: '不允许的字段' }]);
  });

  test.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['100,000 characters long', '困'.repeat(100_000)],
  ])('a summary that is %s answers 400 VALIDATION_FAILED naming summary', async (_label, summary) => {
    const response = await refused(() =>
      h.request('POST', '/cases', { token: caseworker.token, body: newCaseBody(worker.id, summary) }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['summary']);
  });

  test('JSON that does not parse answers 400 MALFORMED_JSON', async () => {
    const response = await refused(() =>
      h.request('POST', '/cases', { token: caseworker.token, body: '{"workerId": "', headers: JSON_HEADERS }),
    );

    expectError(response, 400, 'MALFORMED_JSON');
  });

  test('a body that is not JSON answers 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await refused(() =>
      h.request('POST', '/cases', {
        token: caseworker.token,
        body: '<case><workerId/></case>',
        headers: { 'content-type': 'application/xml' },
      }),
    );

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
  test('a text/plain body answers 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await refused(() =>
      h.request('POST', '/cases', {
        token: caseworker.token,
        body: JSON.stringify(newCaseBody(worker.id)),
        headers: { 'content-type': 'text/plain' },
      }),
    );

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test.each([
    ['__proto__', (body: string) => body.replace(/}$/, ',"__proto__":{"status":"closed"}}')],
    ['constructor.prototype', (body: string) => body.replace(/}$/, ',"constructor":{"prototype":{"status":"x"}}}')],
  ])('a body carrying %s answers 400 MALFORMED_JSON', async (_label, poison) => {
    const payload = poison(JSON.stringify(newCaseBody(worker.id)));

    const response = await refused(() =>
      h.request('POST', '/cases', { token: caseworker.token, body: payload, headers: JSON_HEADERS }),
    );

    expectError(response, 400, 'MALFORMED_JSON');
  });

  test('a body of 1.1 MiB, over the 1 MiB limit, answers 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify(newCaseBody(worker.id, 'a'.repeat(Math.ceil(1.1 * 1024 * 1024))));

    const response = await refused(() =>
      h.request('POST', '/cases', { token: caseworker.token, body: payload, headers: JSON_HEADERS }),
    );

    expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('list paging', () => {
  const LISTS = [
    '/cases',
    '/workers',
    '/org-units',
    '/users',
    '/inbox',
    '/notifications',
    '/audit',
    '/supervision/overdue',
  ];

  test.each(LISTS)('GET %s?limit=100000 answers 400 VALIDATION_FAILED naming limit', async (path) => {
    const response = await refused(() => h.request('GET', `${path}?limit=100000`, { token: admin.token }));

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['limit']);
  });

  test.each(LISTS)('GET %s with a cursor it never issued answers 400 CURSOR_INVALID', async (path) => {
    const response = await refused(() => h.request('GET', `${path}?cursor=not-a-cursor`, { token: admin.token }));

    expectError(response, 400, 'CURSOR_INVALID');
  });
  test.each([
    ['/cases', [new Date().toISOString(), 'not-a-uuid']],
    ['/workers', ['not-a-uuid']],
    ['/audit', ['yesterday', randomUUID()]],
    ['/notifications', ['yesterday', randomUUID()]],
    ['/inbox', ['soon', 'not-a-uuid']],
  ])('GET %s with a forged cursor of the right shape answers 400 CURSOR_INVALID', async (path, values) => {
    const response = await refused(() =>
      h.request('GET', `${path}?cursor=${base64url(values)}`, { token: admin.token }),
    );

    expectError(response, 400, 'CURSOR_INVALID');
  });
});

describe('POST /cases/:id/actions/plan amounts', () => {
  let planCase: CaseView;

  beforeAll(async () => {
    planCase = await caseAtStep('plan');
  });

  test.each([
    ['-1', '-1'],
    ['0', '0'],
    ['1.5', '1.5'],
    ['2^53+1', '9007199254740993'],
    ['10^15', '1000000000000000'],
    ['the string "100"', '"100"'],
    ['null', 'null'],
  ])('amountFen %s answers 400 VALIDATION_FAILED naming items.0.amountFen', async (_label, literal) => {
    const payload = `{"items":[{"kind":"助学金","amountFen":${literal}}]}`;
    const length = await historyLength(h, planCase.id);

    const response = await refused(() =>
      h.request('POST', `/cases/${planCase.id}/actions/plan`, {
        token: caseworker.token,
        body: payload,
        headers: JSON_HEADERS,
      }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['items.0.amountFen']);
    expect(await historyLength(h, planCase.id)).toBe(length);
  });

  test('an item without amountFen answers 400 VALIDATION_FAILED naming items.0.amountFen', async () => {
    const response = await refused(() =>
      h.request('POST', `/cases/${planCase.id}/actions/plan`, {
        token: caseworker.token,
        body: { items: [{ kind: '助学金' }] },
      }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['items.0.amountFen']);
  });
});

describe('case actions out of turn', () => {
  test('an action the current step does not allow answers 409 STEP_MISMATCH and adds nothing to history', async () => {
    const atVerify = await caseAtStep('verify');
    const length = await historyLength(h, atVerify.id);

    const response = await refused(() =>
      h.request('POST', `/cases/${atVerify.id}/actions/plan`, {
        token: caseworker.token,
        body: { items: [{ kind: '助学金', amountFen: 50_000 }] },
      }),
    );

    expectError(response, 409, 'STEP_MISMATCH');
    expect(await historyLength(h, atVerify.id)).toBe(length);
  });

  test('the same action sent twice answers 409 STEP_MISMATCH the second time', async () => {
    const opened = await caseAtStep('dispatch');
    await act(h, caseworker.token, opened.id, 'accept');

    const response = await refused(() =>
      h.request('POST', `/cases/${opened.id}/actions/accept`, { token: caseworker.token, body: {} }),
    );

    expectError(response, 409, 'STEP_MISMATCH');
  });

  test('an action by a unit that does not hold the step answers 403 NOT_STEP_HOLDER', async () => {
    const atVerify = await caseAtStep('verify');
    const length = await historyLength(h, atVerify.id);

    const response = await refused(() =>
      h.request('POST', `/cases/${atVerify.id}/actions/verify`, {
        token: township.token,
        body: { eligible: true, findings: '乡镇代为核实' },
      }),
    );

    expectError(response, 403, 'NOT_STEP_HOLDER');
    expect(await historyLength(h, atVerify.id)).toBe(length);
  });
});

describe('POST /cases/:id/suspensions', () => {
  let opened: CaseView;

  beforeAll(async () => {
    opened = await caseAtStep('dispatch');
  });

  test('until in the past answers 422 SUSPENSION_INVALID and adds nothing to history', async () => {
    const length = await historyLength(h, opened.id);

    const response = await refused(() =>
      h.request('POST', `/cases/${opened.id}/suspensions`, {
        token: caseworker.token,
        body: { reason: '等待职工补充材料', until: new Date(Date.now() - 3_600_000).toISOString() },
      }),
    );

    expectError(response, 422, 'SUSPENSION_INVALID');
    expect(await historyLength(h, opened.id)).toBe(length);
  });

  test('until beyond the policy maximum answers 422 SUSPENSION_INVALID', async () => {
    const policies = await h.request<{ items: { category: string; urgency: string; maxSuspension: string }[] }>(
      'GET',
      '/policies/time-limits',
      { token: caseworker.token },
    );
    const policy = policies.body.items.find((p) => p.category === 'education' && p.urgency === 'normal');
    const maxMs = parseDuration(policy!.maxSuspension)!;

    const response = await refused(() =>
      h.request('POST', `/cases/${opened.id}/suspensions`, {
        token: caseworker.token,
        body: { reason: '职工住院治疗', until: new Date(Date.now() + maxMs + 86_400_000).toISOString() },
      }),
    );

    expectError(response, 422, 'SUSPENSION_INVALID');
  });

  test('until that is not a date-time answers 400 VALIDATION_FAILED naming until', async () => {
    const response = await refused(() =>
      h.request('POST', `/cases/${opened.id}/suspensions`, {
        token: caseworker.token,
        body: { reason: '职工住院治疗', until: '下周一' },
      }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['until']);
  });
});

describe('authentication', () => {
  test('a request without a token answers 401 NOT_AUTHENTICATED', async () => {
    const response = await refused(() => h.request('POST', '/cases', { body: newCaseBody(worker.id) }));

    expectError(response, 401, 'NOT_AUTHENTICATED');
  });

  test('an expired token answers 401 NOT_AUTHENTICATED', async () => {
    const token = h.app.jwt.sign({ sub: caseworker.id }, { expiresIn: 1 });
    await delay(1_500);

    const response = await refused(() => h.request('POST', '/cases', { token, body: newCaseBody(worker.id) }));

    expectError(response, 401, 'NOT_AUTHENTICATED');
  });

  test.each([
    ['alg none', () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: caseworker.id })}.`],
    ['a wrong key', () => tokenSignedWith('another-secret-another-secret-another-secret', { sub: caseworker.id })],
    ['an unknown subject', () => h.app.jwt.sign({ sub: randomUUID() })],
  ])('a token with %s answers 401 NOT_AUTHENTICATED', async (_label, makeToken) => {
    const response = await refused(() =>
      h.request('POST', '/cases', { token: makeToken(), body: newCaseBody(worker.id) }),
    );

    expectError(response, 401, 'NOT_AUTHENTICATED');
  });

  test('a token of an account disabled after it was issued answers 401 NOT_AUTHENTICATED', async () => {
    const doomed = await createStaff(h, admin.token, { unitId: units.grassroots, prefix: 'bad_off' });
    expect((await h.request('GET', '/me', { token: doomed.token })).status).toBe(200);
    await h.db.updateTable('app_user').set({ disabled_at: new Date() }).where('id', '=', doomed.id).execute();

    const response = await refused(() => h.request('GET', '/me', { token: doomed.token }));

    expectError(response, 401, 'NOT_AUTHENTICATED');
  });
});

describe('POST /workers ID-card numbers', () => {
  const valid = randomIdNumber();

  test.each([
    ['a wrong check digit', valid.slice(0, 17) + (valid.endsWith('0') ? '1' : '0')],
    ['17 characters', valid.slice(0, 17)],
    ['a birth date of 30 February', withCheckDigit('33060219850230001')],
  ])('a number with %s answers 422 ID_NUMBER_INVALID naming idNumber', async (_label, idNumber) => {
    const body = { name: '王建国', idNumber, phone: randomPhone(), unitId: units.grassroots, hardshipStatus: 'none' };

    const response = await refused(() => h.request('POST', '/workers', { token: caseworker.token, body }));

    expectError(response, 422, 'ID_NUMBER_INVALID');
    expect(detailFields(response)).toEqual(['idNumber']);
  });

  test('full-width digits are normalised: the worker is registered under the ASCII number', async () => {
    const idNumber = randomIdNumber();

    const created = await registerWorker(h, caseworker.token, {
      unitId: units.grassroots,
      idNumber: fullWidth(idNumber),
    });
    const again = await h.request('POST', '/workers', {
      token: caseworker.token,
      body: { name: '王建国', idNumber, phone: randomPhone(), unitId: units.grassroots, hardshipStatus: 'none' },
    });

    expect(created.idNumber).toBe(`${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`);
    expectError(again, 409, 'WORKER_ALREADY_REGISTERED');
    expect(again.body.error.details).toEqual({ existingWorkerId: created.id });
  });

  test('a second worker with the same number answers 409 WORKER_ALREADY_REGISTERED pointing to the first', async () => {
    const idNumber = randomIdNumber();
    const first = await registerWorker(h, caseworker.token, { unitId: units.grassroots, idNumber });
    const body = { name: '李丽', idNumber, phone: randomPhone(), unitId: units.grassroots2, hardshipStatus: 'none' };

    const response = await refused(() => h.request('POST', '/workers', { token: township.token, body }));

    expectError(response, 409, 'WORKER_ALREADY_REGISTERED');
    expect(response.body.error.details).toEqual({ existingWorkerId: first.id });
  });

  test("a duplicate of a worker outside the caller's subtree answers 409 without pointing to the first", async () => {
    const idNumber = randomIdNumber();
    const first = await registerWorker(h, caseworker.token, { unitId: units.grassroots, idNumber });
    const body = {
      name: '李丽',
      idNumber,
      phone: randomPhone(),
      unitId: units.otherDistrictGrassroots,
      hardshipStatus: 'none',
    };

    const response = await refused(() => h.request('POST', '/workers', { token: otherDistrict.token, body }));

    expectError(response, 409, 'WORKER_ALREADY_REGISTERED');
    expect(response.body.error).not.toHaveProperty('details');
    expect(JSON.stringify(response.body)).not.toContain(first.id);
  });
});

describe('NUL characters, which PostgreSQL text cannot hold', () => {
  test.each([
    ['POST', '/cases/%00/actions/accept'],
    ['GET', '/workers/%00'],
  ] as const)('%s %s answers 400 VALIDATION_FAILED in the contract shape', async (method, url) => {
    const response = await refused(() =>
      h.request(method, url, { token: caseworker.token, ...(method === 'POST' ? { body: {} } : {}) }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
  });
  test('a worker name with a NUL character answers 400 VALIDATION_FAILED naming name', async () => {
    const body = {
      name: '王\u0000芳',
      idNumber: randomIdNumber(),
      phone: randomPhone(),
      unitId: units.grassroots,
      hardshipStatus: 'none',
    };

    const response = await refused(() => h.request('POST', '/workers', { token: caseworker.token, body }));

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['name']);
  });
  test('a summary with a NUL character answers 400 VALIDATION_FAILED naming summary', async () => {
    const idempotencyKey = `nul-${uniqueSuffix()}`;
    onTestFinished(async () => {
      const handle = h.client.workflow.getHandle(`case-${uuidFromKey(`case:${caseworker.id}`, idempotencyKey)}`);
      await handle.terminate('test cleanup: a case that can never be recorded').catch(() => undefined);
    });

    const response = await refused(() =>
      h.request('POST', '/cases', {
        token: caseworker.token,
        body: newCaseBody(worker.id, '学费\u0000困难'),
        headers: { 'idempotency-key': idempotencyKey },
      }),
    );

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(detailFields(response)).toEqual(['summary']);
  }, 40_000);
});
