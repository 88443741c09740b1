import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedId } from '../../seeds/ids.js';
import {
  ADMIN_PASSWORD,
  detailFields,
  expectError,
  signIn,
  uniqueSuffix,
  type Session,
} from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  CapturingSmsSender,
  birthDateForAge,
  insertFeedRows,
  registerMember,
  signInMember,
  type PortalMember,
} from '../support/portal.js';

/*
 * The policy list: city admins manage policies with structured conditions (staff routes), and each worker's
 * portal shows the policies they may qualify for and why. Two workers with different facts see different lists,
 * exactly as the conditions say. Policies made here carry a unique code suffix; assertions look them up by id,
 * since other test files may add policies of their own.
 */

const sms = new CapturingSmsSender();
let h: Harness;
let admin: Session;
let districtAdmin: Session;
let caseworker: Session;
const district = {} as Record<'yuecheng' | 'keqiao', string>;
const suffix = uniqueSuffix();

interface WorkerPolicy {
  id: string;
  code: string;
  title: string;
  eligible: boolean | 'unknown';
  eligibleLabel: string;
  reasons: string[];
}

const baseBody = (code: string, conditions: unknown[], extra: Record<string, unknown> = {}) => ({
  code: `${code}-${suffix}`,
  title: `测试政策 ${code} ${suffix}`,
  summary: '测试用政策说明',
  contact: '测试联系人',
  conditions,
  validFrom: '2026-01-01',
  ...extra,
});

async function createPolicy(code: string, conditions: unknown[], extra: Record<string, unknown> = {}) {
  const response = await h.request('POST', '/policies/assistance', {
    token: admin.token,
    body: baseBody(code, conditions, extra),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; revision: number };
}

const policyCount = async () =>
  (
    await h.db
      .selectFrom('assistance_policy')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
  ).n;

async function listFor(token: string, all = false): Promise<WorkerPolicy[]> {
  const items: WorkerPolicy[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/portal/policies?limit=500${all ? '&all=true' : ''}${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await h.request('GET', query, { token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    items.push(...(response.body.items as WorkerPolicy[]));
    cursor = response.body.nextCursor;
  } while (cursor);
  return items;
}

const byId = (items: readonly WorkerPolicy[], id: string) => items.find((item) => item.id === id);

beforeAll(async () => {
  h = await createHarness({ smsSender: sms });
  [admin, districtAdmin, caseworker] = await Promise.all([
    signIn(h, 'admin', ADMIN_PASSWORD),
    signIn(h, 'keqiao_admin'),
    signIn(h, 'keqiao_t1_g2_caseworker'),
  ]);
  district.keqiao = districtAdmin.unitId;
  district.yuecheng = (await signIn(h, 'yuecheng_caseworker')).unitId;
});

afterAll(async () => {
  await h?.close();
});

describe('two workers, two lists', () => {
  let female: PortalMember;
  let male: PortalMember;
  let femaleToken: string;
  let maleToken: string;
  const ids = {} as Record<
    'registered' | 'women' | 'yuechengMedical' | 'disability' | 'everyone' | 'inactive' | 'expired' | 'future',
    string
  >;
  const medicalOn = new Date(Date.now() + 8 * 3600_000 - 60 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    const yuechengStaff = await signIn(h, 'yuecheng_t1_g2_caseworker');
    female = await registerMember(h, caseworker.token, {
      unitId: caseworker.unitId,
      hardshipStatus: 'registered',
      gender: 'female',
      birthDate: birthDateForAge(40),
    });
    male = await registerMember(h, yuechengStaff.token, {
      unitId: yuechengStaff.unitId,
      hardshipStatus: 'none',
      gender: 'male',
      birthDate: birthDateForAge(62),
      region: '330602',
    });
    await insertFeedRows(h.db, [
      { workerId: male.id, kind: 'medical_expense', occurredOn: medicalOn, department: '医保局', amountFen: 820_000 },
    ]);
    femaleToken = await signInMember(h, sms, female.phone);
    maleToken = await signInMember(h, sms, male.phone);

    ids.registered = (await createPolicy('registered', [{ kind: 'hardship_status', in: ['registered'] }])).id;
    ids.women = (
      await createPolicy('women', [
        { kind: 'gender', is: 'female' },
        { kind: 'age', min: 18, max: 60 },
      ])
    ).id;
    ids.yuechengMedical = (
      await createPolicy('yuecheng-medical', [
        { kind: 'within_unit', unitIds: [district.yuecheng] },
        { kind: 'feed', feedKind: 'medical_expense', withinDays: 365 },
      ])
    ).id;
    ids.disability = (await createPolicy('disability', [{ kind: 'feed', feedKind: 'disability_certificate' }])).id;
    ids.everyone = (await createPolicy('everyone', [])).id;
    ids.inactive = (await createPolicy('inactive', [], { active: false })).id;
    ids.expired = (await createPolicy('expired', [], { validFrom: '2024-01-01', validTo: '2025-01-01' })).id;
    ids.future = (await createPolicy('future', [], { validFrom: '2099-01-01' })).id;
  });

  test('the female registered worker in Keqiao qualifies for what her facts meet, with the reasons', async () => {
    const items = await listFor(femaleToken);

    expect(byId(items, ids.registered)).toMatchObject({
      eligible: true,
      eligibleLabel: '符合条件',
      reasons: ['您是建档困难职工，属于本政策面向的建档困难职工'],
    });
    expect(byId(items, ids.women)).toMatchObject({
      eligible: true,
      reasons: ['本政策面向女职工', '您今年 40 周岁，符合“年龄在 18 至 60 周岁之间”的要求'],
    });
    expect(byId(items, ids.everyone)).toMatchObject({ eligible: true, reasons: ['本政策面向全体工会会员'] });
    expect(byId(items, ids.disability)).toMatchObject({
      eligible: 'unknown',
      eligibleLabel: '可能符合，需进一步核实',
      reasons: ['暂未收到残联的残疾证信息；如您有相关情况，可向所在工会提供证明材料'],
    });
    expect(byId(items, ids.yuechengMedical)).toBeUndefined();
    expect(byId(items, seedId('policy:keqiao-festival-visit'))).toMatchObject({
      eligible: true,
      reasons: ['您所在的工会属于柯桥区总工会', '您是建档困难职工，属于本政策面向的建档困难职工、临界困难职工'],
    });
  });

  test('the older man in Yuecheng with a medical bill sees a different list', async () => {
    const items = await listFor(maleToken);
    const [y, m, d] = medicalOn.split('-').map(Number);

    expect(byId(items, ids.registered)).toBeUndefined();
    expect(byId(items, ids.women)).toBeUndefined();
    expect(byId(items, ids.yuechengMedical)).toMatchObject({
      eligible: true,
      reasons: ['您所在的工会属于越城区总工会', `已收到医保局的医疗费用信息（${y}年${m}月${d}日）`],
    });
    expect(byId(items, ids.everyone)?.eligible).toBe(true);
    expect(byId(items, ids.disability)?.eligible).toBe('unknown');
    expect(byId(items, seedId('policy:yuecheng-medical-top-up'))?.eligible).toBe(true);
    expect(byId(items, seedId('policy:keqiao-festival-visit'))).toBeUndefined();
  });

  test('all=true adds the policies a worker does not qualify for, with why not first', async () => {
    const items = await listFor(maleToken, true);

    expect(byId(items, ids.women)).toMatchObject({
      eligible: false,
      eligibleLabel: '暂不符合',
      reasons: ['本政策仅面向女职工', '本政策要求年龄在 18 至 60 周岁之间，您今年 62 周岁'],
    });
    expect(byId(items, ids.registered)?.reasons).toEqual(['本政策面向建档困难职工，您目前登记为一般职工']);
    expect(byId(await listFor(femaleToken, true), ids.yuechengMedical)).toMatchObject({
      eligible: false,
      reasons: [
        '本政策仅适用于越城区总工会所辖工会的职工',
        '暂未收到医保局近 365 天内的医疗费用信息；如您有相关情况，可向所在工会提供证明材料',
      ],
    });
  });

  test('inactive, expired and future policies are in nobody’s list, not even with all=true', async () => {
    for (const token of [femaleToken, maleToken]) {
      const shown = (await listFor(token, true)).map((item) => item.id);
      expect(shown).not.toContain(ids.inactive);
      expect(shown).not.toContain(ids.expired);
      expect(shown).not.toContain(ids.future);
      expect(shown).not.toContain(seedId('policy:city-2025-spring-warmth'));
    }
  });

  test('qualifying policies come first, then those that may apply, then (with all=true) the rest', async () => {
    const rank = { true: 0, unknown: 1, false: 2 } as Record<string, number>;

    const ranks = (await listFor(maleToken, true)).map((item) => rank[String(item.eligible)]!);

    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks)).toEqual(new Set([0, 1, 2]));
  });

  test('pages of two follow on without gaps or repeats', async () => {
    const whole = await listFor(femaleToken);
    const paged: WorkerPolicy[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/portal/policies?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await h.request('GET', url, { token: femaleToken });
      expect(response.body.items.length).toBeLessThanOrEqual(2);
      paged.push(...response.body.items);
      cursor = response.body.nextCursor;
    } while (cursor);

    expect(paged.map((p) => p.id)).toEqual(whole.map((p) => p.id));
  });

  test('a changed policy applies at the next read: moved to borderline workers, she no longer sees it', async () => {
    const updated = await h.request('PUT', `/policies/assistance/${ids.registered}`, {
      token: admin.token,
      body: baseBody('registered', [{ kind: 'hardship_status', in: ['borderline'] }]),
    });

    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.revision).toBe(2);
    expect(byId(await listFor(femaleToken), ids.registered)).toBeUndefined();
  });
});

describe('staff routes /policies/assistance', () => {
  test('any staff member reads the list; inForce=true leaves out inactive and expired policies', async () => {
    const inactive = await createPolicy(`list-inactive-${uniqueSuffix(2)}`, [], { active: false });

    const all = await h.request('GET', '/policies/assistance?limit=500', { token: caseworker.token });
    const inForce = await h.request('GET', '/policies/assistance?limit=500&inForce=true', { token: caseworker.token });
    const one = await h.request('GET', `/policies/assistance/${inactive.id}`, { token: caseworker.token });

    expect(all.body.items.map((p: { id: string }) => p.id)).toContain(inactive.id);
    expect(inForce.body.items.map((p: { id: string }) => p.id)).not.toContain(inactive.id);
    expect(inForce.body.items.map((p: { code: string }) => p.code)).not.toContain('city-2025-spring-warmth');
    expect(inForce.body.items.every((p: { inForce: boolean }) => p.inForce)).toBe(true);
    expect(one.body).toMatchObject({ id: inactive.id, active: false, inForce: false, revision: 1, conditions: [] });
  });

  test.each([
    ['a district admin', 'keqiao_admin'],
    ['a city caseworker', 'city_caseworker'],
  ])('%s creating a policy answers 403 ROLE_NOT_ALLOWED and stores nothing', async (_who, username) => {
    const token = (await signIn(h, username)).token;
    const before = await policyCount();

    const response = await h.request('POST', '/policies/assistance', {
      token,
      body: baseBody(`refused-${uniqueSuffix(2)}`, []),
    });

    expectError(response, 403, 'ROLE_NOT_ALLOWED');
    expect(await policyCount()).toBe(before);
  });

  test.each([
    ['age min above max', [{ kind: 'age', min: 70, max: 30 }], ['conditions.0.max']],
    ['an age with neither bound', [{ kind: 'age' }], ['conditions.0.min']],
    ['an unknown kind', [{ kind: 'salary', below: 3000 }], ['conditions.0.kind']],
    ['a field the kind does not have', [{ kind: 'gender', is: 'female', age: 3 }], ['conditions.0.age']],
    ['an empty hardship list', [{ kind: 'hardship_status', in: [] }], ['conditions.0.in']],
    ['department help as evidence', [{ kind: 'feed', feedKind: 'department_help' }], ['conditions.0.feedKind']],
    ['a window of zero days', [{ kind: 'feed', feedKind: 'work_injury', withinDays: 0 }], ['conditions.0.withinDays']],
    ['a case with an unknown status', [{ kind: 'case', status: 'pending' }], ['conditions.0.status']],
    [
      'any nested in any',
      [
        {
          kind: 'any',
          of: [
            { kind: 'any', of: [] },
            { kind: 'gender', is: 'male' },
          ],
        },
      ],
      ['conditions.0.of.0.kind'],
    ],
    ['any with one condition', [{ kind: 'any', of: [{ kind: 'gender', is: 'male' }] }], ['conditions.0.of']],
    ['a unit that does not exist', [{ kind: 'within_unit', unitIds: [randomUUID()] }], ['conditions']],
    ['a unit id that is not an id', [{ kind: 'within_unit', unitIds: ['keqiao'] }], ['conditions.0.unitIds']],
    ['a condition that is not an object', ['female'], ['conditions.0']],
  ])('%s answers 422 POLICY_INVALID naming the field, and stores nothing', async (_what, conditions, fields) => {
    const before = await policyCount();

    const response = await h.request('POST', '/policies/assistance', {
      token: admin.token,
      body: baseBody(`bad-${uniqueSuffix(2)}`, conditions),
    });

    expectError(response, 422, 'POLICY_INVALID');
    expect(detailFields(response)).toEqual(fields);
    expect(await policyCount()).toBe(before);
  });

  test.each([
    [
      'validTo before validFrom',
      { validFrom: '2026-06-01', validTo: '2026-05-31' },
      422,
      'POLICY_INVALID',
      ['validTo'],
    ],
    ['a date that does not exist', { validFrom: '2026-02-30' }, 422, 'POLICY_INVALID', ['validFrom']],
    ['no title', { title: undefined }, 400, 'VALIDATION_FAILED', ['title']],
    ['a code with spaces', { code: 'not a code' }, 400, 'VALIDATION_FAILED', ['code']],
    [
      'conditions that are not a list',
      { conditions: { kind: 'gender', is: 'male' } },
      400,
      'VALIDATION_FAILED',
      ['conditions'],
    ],
    [
      '21 conditions',
      { conditions: Array(21).fill({ kind: 'gender', is: 'male' }) },
      400,
      'VALIDATION_FAILED',
      ['conditions'],
    ],
    ['an unknown field', { priority: 1 }, 400, 'VALIDATION_FAILED', ['priority']],
  ])('%s answers %i %s naming the field, and stores nothing', async (_what, change, status, code, fields) => {
    const before = await policyCount();
    const body: Record<string, unknown> = { ...baseBody(`bad-${uniqueSuffix(2)}`, []), ...change };
    for (const key of Object.keys(body)) {
      if (body[key] === undefined) {
        delete body[key];
      }
    }

    const response = await h.request('POST', '/policies/assistance', { token: admin.token, body });

    expectError(response, status, code);
    expect(detailFields(response)).toEqual(fields);
    expect(await policyCount()).toBe(before);
  });

  test('a code already taken answers 409 POLICY_CODE_TAKEN, on create and on replace', async () => {
    const code = `taken-${uniqueSuffix(2)}`;
    await createPolicy(code, []);
    const other = await createPolicy(`other-${uniqueSuffix(2)}`, []);

    const created = await h.request('POST', '/policies/assistance', { token: admin.token, body: baseBody(code, []) });
    const replaced = await h.request('PUT', `/policies/assistance/${other.id}`, {
      token: admin.token,
      body: baseBody(code, []),
    });

    expectError(created, 409, 'POLICY_CODE_TAKEN');
    expectError(replaced, 409, 'POLICY_CODE_TAKEN');
  });

  test('an unknown policy id answers 404 POLICY_NOT_FOUND to GET and PUT', async () => {
    const id = randomUUID();

    expectError(
      await h.request('GET', `/policies/assistance/${id}`, { token: caseworker.token }),
      404,
      'POLICY_NOT_FOUND',
    );
    expectError(
      await h.request('PUT', `/policies/assistance/${id}`, {
        token: admin.token,
        body: baseBody(`x-${uniqueSuffix(2)}`, []),
      }),
      404,
      'POLICY_NOT_FOUND',
    );
  });

  test('every change is audited with the policy as target', async () => {
    const created = await createPolicy(`audited-${uniqueSuffix(2)}`, []);

    const rows = await h.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_user_id'])
      .where('target_type', '=', 'assistance_policy')
      .where('target_id', '=', created.id)
      .execute();

    expect(rows).toEqual([{ action: 'policy.assistance.create', outcome: 'ok', actor_user_id: admin.id }]);
  });
});
