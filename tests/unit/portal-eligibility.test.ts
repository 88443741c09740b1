import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ageOn,
  checkConditions,
  evaluatePolicy,
  unitIdsOf,
  type LeafCondition,
  type PolicyCondition,
  type WorkerFacts,
} from '../../api/routes/portal/eligibility.js';
import { FEED_KINDS } from '../../db/tables/feed.table.js';
import { PORTAL_POLICIES } from '../../seeds/04-portal-policies.js';
import { CATEGORIES } from '../../workflows/shared/case-vocabulary.js';

const CITY = '11111111-1111-4111-8111-111111111111';
const KEQIAO = '22222222-2222-4222-8222-222222222222';
const YUECHENG = '33333333-3333-4333-8333-333333333333';
const UNION = '44444444-4444-4444-8444-444444444444';

const facts = (over: Partial<WorkerFacts> = {}): WorkerFacts => ({
  today: '2026-12-04',
  hardshipStatus: 'registered',
  birthDate: '1986-05-20',
  gender: 'female',
  unitPath: `/${CITY}/${KEQIAO}/${UNION}/`,
  cases: [],
  feeds: [],
  ...over,
});

const names = { [KEQIAO]: '柯桥区总工会', [YUECHENG]: '越城区总工会' };

describe('ageOn', () => {
  test.each([
    ['1986-12-04', '2026-12-04', 40],
    ['1986-12-05', '2026-12-04', 39],
    ['1986-11-30', '2026-12-04', 40],
    ['2000-02-29', '2026-02-28', 25],
    ['2000-02-29', '2026-03-01', 26],
    ['2026-12-04', '2026-12-04', 0],
  ])('born %s is %i on %s... full years', (birth, today, age) => {
    expect(ageOn(birth, today)).toBe(age);
  });
});

describe('evaluatePolicy', () => {
  test('no conditions: every worker qualifies', () => {
    expect(evaluatePolicy([], facts())).toEqual({ eligible: true, reasons: ['本政策面向全体工会会员'], checks: [] });
  });

  test('hardship status, age and gender are decided for certain, with the worker’s own values in the reason', () => {
    const conditions: PolicyCondition[] = [
      { kind: 'hardship_status', in: ['registered', 'borderline'] },
      { kind: 'age', min: 18, max: 35 },
      { kind: 'gender', is: 'female' },
    ];

    expect(evaluatePolicy(conditions, facts())).toEqual({
      eligible: false,
      reasons: [
        '本政策要求年龄在 18 至 35 周岁之间，您今年 40 周岁',
        '您是建档困难职工，属于本政策面向的建档困难职工、临界困难职工',
        '本政策面向女职工',
      ],
      checks: [
        { kind: 'hardship_status', met: true, reason: '您是建档困难职工，属于本政策面向的建档困难职工、临界困难职工' },
        { kind: 'age', met: false, reason: '本政策要求年龄在 18 至 35 周岁之间，您今年 40 周岁' },
        { kind: 'gender', met: true, reason: '本政策面向女职工' },
      ],
    });
  });

  test.each([
    [{ min: 40 }, true, '您今年 40 周岁，符合“年满 40 周岁”的要求'],
    [{ min: 41 }, false, '本政策要求年满 41 周岁，您今年 40 周岁'],
    [{ max: 40 }, true, '您今年 40 周岁，符合“不超过 40 周岁”的要求'],
    [{ max: 39 }, false, '本政策要求不超过 39 周岁，您今年 40 周岁'],
  ])('age %j on the birthday boundary: %s', (bounds, met, reason) => {
    const result = evaluatePolicy([{ kind: 'age', ...bounds }], facts({ birthDate: '1986-12-04' }));

    expect(result.eligible).toBe(met);
    expect(result.reasons).toEqual([reason]);
  });

  test('a department row that is there meets a feed condition; one that is missing leaves it unknown', () => {
    const condition: PolicyCondition = { kind: 'feed', feedKind: 'disability_certificate' };
    const withRow = facts({
      feeds: [{ kind: 'disability_certificate', occurredOn: '2019-03-01', department: '残联' }],
    });

    expect(evaluatePolicy([condition], withRow)).toMatchObject({
      eligible: true,
      reasons: ['已收到残联的残疾证信息（2019年3月1日）'],
    });
    expect(evaluatePolicy([condition], facts())).toMatchObject({
      eligible: 'unknown',
      reasons: ['暂未收到残联的残疾证信息；如您有相关情况，可向所在工会提供证明材料'],
    });
  });

  test('a feed window counts the day exactly withinDays ago and not the day before it', () => {
    const condition: PolicyCondition = { kind: 'feed', feedKind: 'medical_expense', withinDays: 30 };
    const row = (occurredOn: string) =>
      facts({ feeds: [{ kind: 'medical_expense', occurredOn, department: '医保局' }] });

    expect(evaluatePolicy([condition], row('2026-11-04')).eligible).toBe(true);
    expect(evaluatePolicy([condition], row('2026-11-03')).eligible).toBe('unknown');
  });

  test('the newest matching row is the one named', () => {
    const feeds = [
      { kind: 'medical_expense', occurredOn: '2026-01-10', department: '医保局' },
      { kind: 'medical_expense', occurredOn: '2026-09-02', department: '医保局' },
      { kind: 'serious_illness', occurredOn: '2026-10-01', department: '卫健委' },
    ];

    expect(evaluatePolicy([{ kind: 'feed', feedKind: 'medical_expense' }], facts({ feeds })).reasons).toEqual([
      '已收到医保局的医疗费用信息（2026年9月2日）',
    ]);
  });

  test('department help: from any department, or only from the one named', () => {
    const feeds = [{ kind: 'department_help', occurredOn: '2026-08-01', department: '民政局' }];

    expect(evaluatePolicy([{ kind: 'department_help' }], facts({ feeds })).reasons).toEqual(['您获得过民政局的帮扶']);
    expect(evaluatePolicy([{ kind: 'department_help', department: '人社局' }], facts({ feeds }))).toMatchObject({
      eligible: 'unknown',
      reasons: ['暂未收到人社局给予您帮扶的记录'],
    });
  });

  test('cases are known for certain: open, closed or any, of a category or of any', () => {
    const cases = [
      { category: 'medical', status: 'open' },
      { category: 'living', status: 'closed' },
      { category: 'legal', status: 'withdrawn' },
    ];
    const check = (condition: PolicyCondition) => evaluatePolicy([condition], facts({ cases }));

    expect(check({ kind: 'case', category: 'medical', status: 'open' })).toMatchObject({
      eligible: true,
      reasons: ['您有正在办理的医疗救助工单'],
    });
    expect(check({ kind: 'case', category: 'medical', status: 'closed' })).toMatchObject({
      eligible: false,
      reasons: ['本政策适用于有已办结的医疗救助工单的职工，未查到您的相关工单'],
    });
    expect(check({ kind: 'case', category: 'legal', status: 'any' }).eligible).toBe(true);
    expect(check({ kind: 'case', status: 'closed' }).reasons).toEqual(['您有已办结的帮扶工单']);
    expect(evaluatePolicy([{ kind: 'case', status: 'any' }], facts()).eligible).toBe(false);
  });

  test('within_unit matches whole path segments, never a prefix of another id', () => {
    const lookalike = `${KEQIAO.slice(0, 30)}999999`;
    const condition = (unitIds: string[]): PolicyCondition => ({ kind: 'within_unit', unitIds });

    expect(evaluatePolicy([condition([KEQIAO])], facts(), names).reasons).toEqual(['您所在的工会属于柯桥区总工会']);
    expect(evaluatePolicy([condition([lookalike])], facts(), names).eligible).toBe(false);
    expect(evaluatePolicy([condition([YUECHENG])], facts(), names).reasons).toEqual([
      '本政策仅适用于越城区总工会所辖工会的职工',
    ]);
  });

  test('any: true when one holds, unknown when none holds but one may, false when none can', () => {
    const male: LeafCondition = { kind: 'gender', is: 'male' };
    const disability: LeafCondition = { kind: 'feed', feedKind: 'disability_certificate' };
    const registered: LeafCondition = { kind: 'hardship_status', in: ['registered'] };

    expect(evaluatePolicy([{ kind: 'any', of: [male, registered] }], facts())).toMatchObject({
      eligible: true,
      reasons: ['您是建档困难职工，属于本政策面向的建档困难职工'],
    });
    expect(evaluatePolicy([{ kind: 'any', of: [male, disability] }], facts()).eligible).toBe('unknown');
    expect(evaluatePolicy([{ kind: 'any', of: [male, { kind: 'age', max: 30 }] }], facts())).toMatchObject({
      eligible: false,
      reasons: ['满足以下任一条件即可：本政策仅面向男职工；本政策要求不超过 30 周岁，您今年 40 周岁'],
    });
  });

  const leafArbitrary: fc.Arbitrary<LeafCondition> = fc.oneof(
    fc.record({
      kind: fc.constant('hardship_status' as const),
      in: fc.uniqueArray(fc.constantFrom('none' as const, 'borderline' as const, 'registered' as const), {
        minLength: 1,
      }),
    }),
    fc.record({
      kind: fc.constant('age' as const),
      min: fc.integer({ min: 0, max: 60 }),
      max: fc.integer({ min: 60, max: 120 }),
    }),
    fc.record({ kind: fc.constant('gender' as const), is: fc.constantFrom('female' as const, 'male' as const) }),
    fc.record(
      {
        kind: fc.constant('case' as const),
        category: fc.constantFrom(...CATEGORIES),
        status: fc.constantFrom('open' as const, 'closed' as const, 'any' as const),
      },
      { requiredKeys: ['kind', 'status'] },
    ),
    fc.record(
      {
        kind: fc.constant('feed' as const),
        feedKind: fc.constantFrom(
          'medical_expense' as const,
          'disability_certificate' as const,
          'unpaid_wages' as const,
        ),
        withinDays: fc.integer({ min: 1, max: 3650 }),
      },
      { requiredKeys: ['kind', 'feedKind'] },
    ),
    fc.record(
      {
        kind: fc.constant('department_help' as const),
        department: fc.constantFrom('民政局', '人社局'),
        withinDays: fc.integer({ min: 1, max: 3650 }),
      },
      { requiredKeys: ['kind'] },
    ),
    fc.record({
      kind: fc.constant('within_unit' as const),
      unitIds: fc.constantFrom<string[]>([KEQIAO], [YUECHENG], [KEQIAO, YUECHENG]),
    }),
  );
  const conditionArbitrary: fc.Arbitrary<PolicyCondition> = fc.oneof(
    { weight: 4, arbitrary: leafArbitrary },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('any' as const),
        of: fc.array(leafArbitrary, { minLength: 2, maxLength: 4 }),
      }),
    },
  );
  const factsArbitrary: fc.Arbitrary<WorkerFacts> = fc.record({
    today: fc.constant('2026-12-04'),
    hardshipStatus: fc.constantFrom('none' as const, 'borderline' as const, 'registered' as const),
    birthDate: fc.constantFrom('1950-01-01', '1986-12-04', '2001-07-31', '2010-02-28'),
    gender: fc.constantFrom('female' as const, 'male' as const),
    unitPath: fc.constantFrom(`/${CITY}/${KEQIAO}/${UNION}/`, `/${CITY}/${YUECHENG}/${UNION}/`),
    cases: fc.array(
      fc.record({ category: fc.constantFrom(...CATEGORIES), status: fc.constantFrom('open', 'closed', 'withdrawn') }),
      { maxLength: 3 },
    ),
    feeds: fc.array(
      fc.record({
        kind: fc.constantFrom('medical_expense', 'disability_certificate', 'department_help'),
        occurredOn: fc.constantFrom('2016-01-01', '2026-06-01', '2026-12-04'),
        department: fc.constantFrom('医保局', '残联', '民政局'),
      }),
      { maxLength: 3 },
    ),
  });

  test('all conditions must hold: false if any is not met, else unknown if any may be, else true', () => {
    fc.assert(
      fc.property(
        fc.array(conditionArbitrary, { minLength: 1, maxLength: 6 }),
        factsArbitrary,
        (conditions, worker) => {
          const result = evaluatePolicy(conditions, worker, names);
          const met = result.checks.map((c) => c.met);
          const expected = met.includes(false) ? false : met.includes('unknown') ? 'unknown' : true;
          expect(result.eligible).toBe(expected);
          expect(result.checks).toHaveLength(conditions.length);
          expect(result.reasons).toHaveLength(conditions.length);
          expect(new Set(result.reasons)).toEqual(new Set(result.checks.map((c) => c.reason)));
          const rank = (value: boolean | 'unknown') => (value === false ? 0 : value === 'unknown' ? 1 : 2);
          const ordered = result.reasons.map((reason) => rank(result.checks.find((c) => c.reason === reason)!.met));
          expect(ordered).toEqual([...ordered].sort((a, b) => a - b));
        },
      ),
      { seed: 20261204, numRuns: 300 },
    );
  });

  test('every generated condition list passes the staff checks', () => {
    fc.assert(
      fc.property(fc.array(conditionArbitrary, { maxLength: 20 }), (conditions) => {
        expect(checkConditions(conditions)).toEqual([]);
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });
});

describe('checkConditions', () => {
  test('a field a condition does not have is named by its path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<PolicyCondition>({ kind: 'gender', is: 'male' }, { kind: 'age', min: 1 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.nat(),
        fc.constantFrom('extra', 'workerId', '__proto__x'),
        (conditions, at, key) => {
          const index = at % conditions.length;
          const mutated = conditions.map((c, i) => (i === index ? { ...c, [key]: 1 } : c));
          expect(checkConditions(mutated)).toEqual([{ field: `conditions.${index}.${key}`, reason: '不允许的字段' }]);
        },
      ),
      { seed: 20261206 },
    );
  });

  test('refuses what is not a list, or a list that is too long', () => {
    expect(checkConditions({ kind: 'gender' })).toEqual([{ field: 'conditions', reason: '须为条件列表' }]);
    expect(checkConditions(Array(21).fill({ kind: 'gender', is: 'male' }))).toEqual([
      { field: 'conditions', reason: '最多 20 个条件' },
    ]);
  });

  test('refuses every evidence kind it does not know, and department help as evidence', () => {
    const known = FEED_KINDS.filter((kind) => kind !== 'department_help');

    expect(known.flatMap((feedKind) => checkConditions([{ kind: 'feed', feedKind }]))).toEqual([]);
    expect(checkConditions([{ kind: 'feed', feedKind: 'department_help' }]).map((p) => p.field)).toEqual([
      'conditions.0.feedKind',
    ]);
    expect(checkConditions([{ kind: 'feed', feedKind: 'horoscope' }]).map((p) => p.field)).toEqual([
      'conditions.0.feedKind',
    ]);
  });

  test('unitIdsOf collects the units named anywhere, once each', () => {
    expect(
      unitIdsOf([
        { kind: 'within_unit', unitIds: [KEQIAO] },
        {
          kind: 'any',
          of: [
            { kind: 'within_unit', unitIds: [KEQIAO, YUECHENG] },
            { kind: 'gender', is: 'male' },
          ],
        },
      ]),
    ).toEqual([KEQIAO, YUECHENG]);
  });
});

describe('the seeded policy list', () => {
  test('every seeded policy passes the same checks as the staff API, under a unique code', () => {
    expect(PORTAL_POLICIES.flatMap((policy) => checkConditions(policy.conditions))).toEqual([]);
    expect(new Set(PORTAL_POLICIES.map((policy) => policy.code)).size).toBe(PORTAL_POLICIES.length);
    expect(PORTAL_POLICIES.length).toBeGreaterThanOrEqual(10);
  });

  test('two different workers qualify for different seeded policies', () => {
    const evaluateAll = (worker: WorkerFacts) =>
      PORTAL_POLICIES.filter((policy) => evaluatePolicy(policy.conditions, worker).eligible === true).map(
        (p) => p.code,
      );
    const young = facts({ gender: 'female', hardshipStatus: 'registered', birthDate: '1990-01-01' });
    const older = facts({ gender: 'male', hardshipStatus: 'none', birthDate: '1962-01-01' });

    expect(evaluateAll(young)).toContain('city-women-health-mutual');
    expect(evaluateAll(young)).toContain('city-registered-living-aid');
    expect(evaluateAll(older)).not.toContain('city-women-health-mutual');
    expect(evaluateAll(older)).not.toContain('city-registered-living-aid');
    expect(evaluateAll(older)).toContain('city-member-legal-consultation');
  });
});
