import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { portalTokenSecret } from '../../api/plugins/worker-auth.js';
import { lookupHash } from '../../db/personal-data.js';
import {
  ADMIN_PASSWORD,
  createStaff,
  detailFields,
  expectError,
  randomPhone,
  signIn,
  type Session,
} from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import {
  CapturingSmsSender,
  randomAddress,
  registerMember,
  signInMember,
  type PortalMember,
} from '../support/portal.js';

/*
 * Portal sign-in: one-time codes by SMS, their expiry, single use and lock, the throttles per phone and per
 * address (RELIABILITY S7), and worker tokens kept apart from staff tokens (S4, S6). The limits are lowered for
 * this file (codes live 3 s, one per phone per second) so that expiry and windows can be watched in real time.
 * Every test uses its own client addresses, so address limits of one test never reach another.
 */

const LIMITS = {
  PORTAL_CODE_TTL_SECONDS: '3',
  PORTAL_CODE_RESEND_SECONDS: '1',
  PORTAL_CODES_PER_PHONE_PER_HOUR: '4',
  PORTAL_CODES_PER_ADDRESS_PER_HOUR: '6',
  PORTAL_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR: '8',
  PORTAL_CODE_MAX_ATTEMPTS: '5',
};

const sms = new CapturingSmsSender();
let h: Harness;
let caseworker: Session;
let member: PortalMember;

const requestCode = (phone: string, remoteAddress: string) =>
  h.request('POST', '/portal/auth/code', { body: { phone }, remoteAddress });
const login = (phone: string, code: string, remoteAddress: string, headers?: Record<string, string>) =>
  h.request('POST', '/portal/auth/login', { body: { phone, code }, remoteAddress, ...(headers ? { headers } : {}) });

/** A code other than `code`, of the same shape. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

const codeRows = async (phone: string) =>
  h.db
    .selectFrom('portal_login_code')
    .selectAll()
    .where('phone_hash', '=', lookupHash(phone, h.config.lookupHashKey))
    .execute();

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(secret: string, payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }) {
  const unsigned = `${base64url({ typ: 'JWT', ...header })}.${base64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

beforeAll(async () => {
  h = await createHarness({ smsSender: sms, env: LIMITS });
  const admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  const unitId = (await signIn(h, 'shengzhou_t2_g2_caseworker')).unitId;
  caseworker = await createStaff(h, admin.token, { unitId, prefix: 'portal_auth' });
  member = await registerMember(h, caseworker.token, { unitId });
});

afterAll(async () => {
  await h?.close();
});

describe('POST /portal/auth/code', () => {
  test('sends one six-digit code to a registered phone and answers 202 without it', async () => {
    const phone = (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;

    const response = await requestCode(phone, randomAddress());

    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      message: '如该手机号已在工会登记，验证码已发送，请注意查收短信',
      expiresInSeconds: 3,
      resendAfterSeconds: 1,
    });
    const messages = sms.messagesTo(phone);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^【越温暖】您的登录验证码为 \d{6}，3 秒内有效。/);
    expect(JSON.stringify(response.body)).not.toContain(sms.lastCode(phone));
    const rows = await codeRows(phone);
    expect(rows.map((row) => ({ delivered: row.delivered, attempts: row.attempts }))).toEqual([
      { delivered: true, attempts: 0 },
    ]);
    expect(rows[0]!.code_hash).not.toContain(sms.lastCode(phone));
  });

  test('answers a phone no worker has exactly as a registered one, and sends nothing', async () => {
    const unknown = randomPhone();
    const known = (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;

    const [forUnknown, forKnown] = [
      await requestCode(unknown, randomAddress()),
      await requestCode(known, randomAddress()),
    ];

    expect(forUnknown.status).toBe(202);
    expect(forUnknown.body).toEqual(forKnown.body);
    expect(sms.messagesTo(unknown)).toEqual([]);
    expect((await requestCode(unknown, randomAddress())).status).toBe(429);
  });

  test('accepts the phone with spaces, dashes, full-width digits and a +86 prefix', async () => {
    const phone = (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;
    const typed = `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`.replace(/[0-9]/g, (c, offset) =>
      offset > 6 ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c,
    );

    const response = await requestCode(typed, randomAddress());

    expect(response.status).toBe(202);
    expect(sms.messagesTo(phone)).toHaveLength(1);
  });

  test.each([
    [{ phone: '12345' }, 422, 'PHONE_INVALID', ['phone']],
    [{ phone: '2391234567x' }, 422, 'PHONE_INVALID', ['phone']],
    [{}, 400, 'VALIDATION_FAILED', ['phone']],
    [{ phone: 13912345678 }, 400, 'VALIDATION_FAILED', ['phone']],
    [{ phone: '13912345678', workerId: randomUUID() }, 400, 'VALIDATION_FAILED', ['workerId']],
  ])('%j answers %i %s naming the field, and stores no code', async (body, status, code, fields) => {
    const before = await h.db
      .selectFrom('portal_login_code')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();

    const response = await h.request('POST', '/portal/auth/code', { body, remoteAddress: randomAddress() });

    expectError(response, status, code);
    expect(detailFields(response)).toEqual(fields);
    const after = await h.db
      .selectFrom('portal_login_code')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  test('a flood of requests for one phone sends one code; the rest answer 429 with Retry-After', async () => {
    const phone = (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;
    const address = randomAddress();

    const answers = await Promise.all(Array.from({ length: 10 }, () => requestCode(phone, address)));

    expect(answers.map((a) => a.status).sort()).toEqual([202, ...Array<number>(9).fill(429)]);
    const refused = answers.filter((a) => a.status === 429);
    for (const answer of refused) {
      expectError(answer, 429, 'CODE_REQUESTED_TOO_OFTEN');
      expect(Number(answer.headers['retry-after'])).toBe(1);
    }
    expect(sms.messagesTo(phone)).toHaveLength(1);
    expect(await codeRows(phone)).toHaveLength(1);
  });

  test("one phone's flood does not hold up another phone from the same address", async () => {
    const [flooded, other] = [
      await registerMember(h, caseworker.token, { unitId: caseworker.unitId }),
      await registerMember(h, caseworker.token, { unitId: caseworker.unitId }),
    ];
    const address = randomAddress();
    await Promise.all(Array.from({ length: 3 }, () => requestCode(flooded.phone, address)));

    const response = await requestCode(other.phone, address);

    expect(response.status).toBe(202);
    expect(sms.messagesTo(other.phone)).toHaveLength(1);
  });

  test('a phone gets at most PORTAL_CODES_PER_PHONE_PER_HOUR codes, then 429 for the rest of the hour', async () => {
    const phone = (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await requestCode(phone, randomAddress())).status);
      await delay(1_100);
    }

    const fifth = await requestCode(phone, randomAddress());

    expect(statuses).toEqual([202, 202, 202, 202]);
    expectError(fifth, 429, 'CODE_REQUESTED_TOO_OFTEN');
    expect(fifth.body.error.message).toContain('1 小时内获取验证码已达 4 次');
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(3500);
    expect(sms.messagesTo(phone)).toHaveLength(4);
  });

  test('an address gets at most PORTAL_CODES_PER_ADDRESS_PER_HOUR codes; another address is not held up', async () => {
    const address = randomAddress();
    const phones = Array.from({ length: 6 }, () => randomPhone());
    for (const phone of phones) {
      expect((await requestCode(phone, address)).status).toBe(202);
    }

    const seventh = await requestCode(randomPhone(), address);
    const elsewhere = await requestCode(member.phone, randomAddress());

    expectError(seventh, 429, 'TOO_MANY_CODE_REQUESTS');
    expect(Number(seventh.headers['retry-after'])).toBeGreaterThan(3500);
    expect(elsewhere.status).toBe(202);
  });

  test('a message the SMS gateway refuses answers 503 SMS_SEND_FAILED and its code cannot be used', async () => {
    const phone = (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;
    const address = randomAddress();
    sms.failNext();

    const response = await requestCode(phone, address);

    expectError(response, 503, 'SMS_SEND_FAILED');
    expect(sms.messagesTo(phone)).toEqual([]);
    const [row] = await codeRows(phone);
    expect(row!.delivered).toBe(false);
    expect(row!.expires_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe('POST /portal/auth/login', () => {
  /** Each test signs in with its own phone, so the per-phone limits of one test never reach the next. */
  const freshPhone = async () => (await registerMember(h, caseworker.token, { unitId: caseworker.unitId })).phone;

  test('the right code answers a worker token and the worker; the token opens GET /portal/me', async () => {
    const phone = (
      await registerMember(h, caseworker.token, { unitId: caseworker.unitId, hardshipStatus: 'borderline' })
    ).phone;
    const address = randomAddress();
    await requestCode(phone, address);

    const response = await login(phone, sms.lastCode(phone), address);
    const me = await h.request('GET', '/portal/me', { token: response.body.token });

    expect(response.status).toBe(200);
    expect(response.body.tokenType).toBe('Bearer');
    expect(response.body.worker).toMatchObject({
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      hardshipStatus: 'borderline',
      hardshipStatusLabel: '临界困难职工',
      unit: { id: caseworker.unitId, name: '嵊州暖灶厨具电器有限公司工会' },
    });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(response.body.worker);
  });

  test('a code works once: the second use answers 401 CODE_USED', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    await requestCode(phone, address);
    const code = sms.lastCode(phone);
    expect((await login(phone, code, address)).status).toBe(200);

    const again = await login(phone, code, address);

    expectError(again, 401, 'CODE_USED');
  });

  test('two sign-ins racing with the same code: exactly one gets a token', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    await requestCode(phone, address);
    const code = sms.lastCode(phone);

    const answers = await Promise.all(Array.from({ length: 5 }, () => login(phone, code, address)));

    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  test('a wrong code answers 401 CODE_INVALID with the tries left; the fifth locks the code, even for the right one', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    await requestCode(phone, address);
    const code = sms.lastCode(phone);

    const wrongs: HarnessResponse[] = [];
    for (let i = 0; i < 5; i++) {
      wrongs.push(await login(phone, wrong(code), address));
    }
    const right = await login(phone, code, address);

    expect(wrongs.slice(0, 4).map((w) => w.body.error.message)).toEqual(
      [4, 3, 2, 1].map((left) => `验证码错误，还可再试 ${left} 次（请使用最新收到的验证码）`),
    );
    wrongs.slice(0, 4).forEach((w) => expectError(w, 401, 'CODE_INVALID'));
    expectError(wrongs[4]!, 401, 'CODE_LOCKED');
    expectError(right, 401, 'CODE_LOCKED');
  });

  test('an expired code answers 401 CODE_EXPIRED; a new code then works', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    await requestCode(phone, address);
    const stale = sms.lastCode(phone);
    await delay(3_200);

    const expired = await login(phone, stale, address);
    await requestCode(phone, address);
    const fresh = await login(phone, sms.lastCode(phone), address);

    expectError(expired, 401, 'CODE_EXPIRED');
    expect(fresh.status).toBe(200);
  });

  test('only the newest code counts: an older one answers CODE_INVALID', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    await requestCode(phone, address);
    const older = sms.lastCode(phone);
    await delay(1_100);
    await requestCode(phone, address);
    const newer = sms.lastCode(phone);

    const withOlder = older === newer ? null : await login(phone, older, address);
    const withNewer = await login(phone, newer, address);

    if (withOlder) {
      expectError(withOlder, 401, 'CODE_INVALID');
    }
    expect(withNewer.status).toBe(200);
  });

  test('a phone that never got a code answers CODE_INVALID, like a wrong guess', async () => {
    const response = await login(randomPhone(), '123456', randomAddress());

    expectError(response, 401, 'CODE_INVALID');
  });

  test.each([
    [{ phone: '13912345678', code: '12345' }, 422, 'CODE_FORMAT_INVALID', ['code']],
    [{ phone: '13912345678', code: 'abcdef' }, 422, 'CODE_FORMAT_INVALID', ['code']],
    [{ phone: '1391234', code: '123456' }, 422, 'PHONE_INVALID', ['phone']],
    [{ phone: '13912345678' }, 400, 'VALIDATION_FAILED', ['code']],
    [{ phone: '13912345678', code: 123456 }, 400, 'VALIDATION_FAILED', ['code']],
  ])('%j answers %i %s naming the field', async (body, status, code, fields) => {
    const response = await h.request('POST', '/portal/auth/login', { body, remoteAddress: randomAddress() });

    expectError(response, status, code);
    expect(detailFields(response)).toEqual(fields);
  });

  test('failed sign-ins from one address are cut off at PORTAL_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR; others sign in', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    for (let i = 0; i < 8; i++) {
      expectError(await login(randomPhone(), '000000', address), 401, 'CODE_INVALID');
    }
    await requestCode(phone, address);
    const code = sms.lastCode(phone);

    const throttled = await login(phone, code, address);
    const elsewhere = await login(phone, code, randomAddress());

    expectError(throttled, 429, 'TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(3500);
    expect(elsewhere.status).toBe(200);
  });

  test('an Idempotency-Key on sign-in is ignored: no answer (token) is stored, a repeat does not replay it', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    const key = `portal-login-${randomUUID()}`;
    await requestCode(phone, address);
    const code = sms.lastCode(phone);

    const first = await login(phone, code, address, { 'idempotency-key': key });
    const repeat = await login(phone, code, address, { 'idempotency-key': key });

    expect(first.status).toBe(200);
    expectError(repeat, 401, 'CODE_USED');
    const stored = await h.db.selectFrom('idempotency_record').select('id').where('key', '=', key).execute();
    expect(stored).toEqual([]);
  });

  test('sign-ins are audited as the worker, failures as denied, with no phone in the record', async () => {
    const phone = await freshPhone();
    const address = randomAddress();
    await requestCode(phone, address);
    await login(phone, wrong(sms.lastCode(phone)), address);
    await login(phone, sms.lastCode(phone), address);

    const rows = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('ip', '=', address)
      .orderBy('occurred_at')
      .execute();

    expect(rows.map((r) => [r.action, r.outcome, r.status_code, r.actor_kind])).toEqual([
      ['portal.code.request', 'ok', 202, 'anonymous'],
      ['portal.login', 'denied', 401, 'anonymous'],
      ['portal.login', 'ok', 200, 'worker'],
    ]);
    expect(rows[2]!.actor_worker_id).toBe(rows[0]!.target_id);
    expect(JSON.stringify(rows)).not.toContain(phone);
  });
});

describe('worker tokens and staff tokens stay apart (S4, S6)', () => {
  let workerToken: string;
  let staffToken: string;

  beforeAll(async () => {
    member = await registerMember(h, caseworker.token, { unitId: caseworker.unitId });
    workerToken = await signInMember(h, sms, member.phone);
    staffToken = caseworker.token;
  });

  test.each(['/me', '/cases', '/workers', '/inbox', '/audit', '/budgets', '/policies/assistance'])(
    'a worker token on staff route GET %s answers 403 STAFF_ONLY',
    async (url) => {
      const response = await h.request('GET', url, { token: workerToken });

      expectError(response, 403, 'STAFF_ONLY');
    },
  );

  test('a worker token cannot write on staff routes either: POST /cases answers 403 and opens nothing', async () => {
    const response = await h.request('POST', '/cases', {
      token: workerToken,
      body: { workerId: member.id, category: 'living', urgency: 'normal', summary: '试图冒用', source: 'staff' },
    });

    expectError(response, 403, 'STAFF_ONLY');
    const cases = await h.db.selectFrom('assistance_case').select('id').where('worker_id', '=', member.id).execute();
    expect(cases).toEqual([]);
  });

  test.each(['/portal/me', '/portal/cases', '/portal/records', '/portal/policies', '/portal/warm-list'])(
    'a staff token on GET %s answers 403 WORKER_ONLY',
    async (url) => {
      const response = await h.request('GET', url, { token: staffToken });

      expectError(response, 403, 'WORKER_ONLY');
    },
  );

  test('no token on a portal route answers 401 NOT_AUTHENTICATED', async () => {
    expectError(await h.request('GET', '/portal/me'), 401, 'NOT_AUTHENTICATED');
  });

  test('worker tokens that are forged, unsigned, expired or for another audience answer 401', async () => {
    const secret = portalTokenSecret(h.config.jwtSecret);
    const stamp = JSON.parse(Buffer.from(workerToken.split('.')[1]!, 'base64url').toString()).ps as string;
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: member.id, kind: 'worker', ps: stamp, aud: 'yue-warmth-portal', iat: now };
    const forged = [
      hs256('another-secret-another-secret-0123456789', { ...claims, exp: now + 600 }),
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, exp: now + 600 })}.`,
      hs256(secret, { ...claims, exp: now - 10 }),
      hs256(secret, { ...claims, aud: 'something-else', exp: now + 600 }),
      hs256(secret, { ...claims, kind: 'staff', exp: now + 600 }),
      hs256(secret, { ...claims, sub: randomUUID(), exp: now + 600 }),
      hs256(secret, { ...claims, ps: 'not-the-stamp', exp: now + 600 }),
    ];
    const control = hs256(secret, { ...claims, exp: now + 600 });

    const answers = await Promise.all(forged.map((token) => h.request('GET', '/portal/me', { token })));

    expect((await h.request('GET', '/portal/me', { token: control })).status).toBe(200);
    answers.forEach((answer) => expectError(answer, 401, 'NOT_AUTHENTICATED'));
  });

  test('a staff-signed token claiming to be a worker is still a staff token: 403 on the portal', async () => {
    const token = hs256(h.config.jwtSecret, {
      sub: caseworker.id,
      kind: 'worker',
      exp: Math.floor(Date.now() / 1000) + 600,
    });

    expectError(await h.request('GET', '/portal/me', { token }), 403, 'WORKER_ONLY');
  });

  test("a token stops working once the worker's phone number changes", async () => {
    const moved = await registerMember(h, caseworker.token, { unitId: caseworker.unitId });
    const token = await signInMember(h, sms, moved.phone);
    expect((await h.request('GET', '/portal/me', { token })).status).toBe(200);

    // No API changes a phone yet: the change is made where such an edit would land, the worker row.
    await h.db
      .updateTable('worker')
      .set({ phone_hash: lookupHash(randomPhone(), h.config.lookupHashKey) })
      .where('id', '=', moved.id)
      .execute();

    expectError(await h.request('GET', '/portal/me', { token }), 401, 'NOT_AUTHENTICATED');
  });
});
