import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { RULES } from '../../activities/perception/rule-catalogue.js';
import { flaggedSql, hitsSql, loadInstances, type RuleInstance } from '../../activities/perception/rule-engine.js';
import { readApiConfig } from '../../api/config.js';
import { importFeedBatch } from '../../api/routes/feeds/importer.js';
import { createDb, type Db } from '../../db/database.js';
import type { FeedKind } from '../../db/tables/feed.table.js';
import { shanghaiDate } from '../../workflows/shared/working-time.js';
import { randomIdNumber } from '../support/api-fixtures.js';
import { daysAgo, insertWorker, ndjson } from '../support/perception.js';

/**
 * Issue 6, "How we will know": each rule fires on data built to trigger it and stays silent just below its
 * threshold, evaluated by the real rule SQL against real PostgreSQL with every rule's published version 1.
 * Other rules may fire for the same workers; only the rule under test is checked.
 */

interface Fact {
  kind: FeedKind;
  days: number;
  amountFen?: number;
  [detail: string]: unknown;
}

const f = (kind: FeedKind, days: number, rest: Omit<Fact, 'kind' | 'days'> = {}): Fact => ({ kind, days, ...rest });
const repeat = (count: number, fact: (i: number) => Fact) => Array.from({ length: count }, (_, i) => fact(i));

/** Per rule: facts that make it fire (at its threshold) and facts just short of it. */
const CASES: Record<string, { fires: Fact[]; silent: Fact[]; reason: string }> = {
  medical_out_of_pocket: {
    fires: [f('medical_expense', 10, { amountFen: 2_000_000 }), f('medical_expense', 40, { amountFen: 1_820_000 })],
    silent: [f('medical_expense', 10, { amountFen: 2_999_999 }), f('medical_expense', 380, { amountFen: 900_000 })],
    reason: '近12个月医疗费用个人自付 38,200.00 元（预警线 30,000.00 元）',
  },
  medical_frequent: {
    fires: repeat(6, (i) => f('medical_expense', 5 + i * 20, { amountFen: 10_000 })),
    silent: [
      ...repeat(5, (i) => f('medical_expense', 5 + i * 20, { amountFen: 10_000 })),
      f('medical_expense', 200, { amountFen: 1 }),
    ],
    reason: '近6个月医保结算就医 6 次（预警线 6 次），个人自付合计 600.00 元',
  },
  medical_inpatient: {
    fires: [
      f('medical_expense', 20, { amountFen: 1, inpatient: true }),
      f('medical_expense', 90, { amountFen: 2, inpatient: true }),
    ],
    silent: [
      f('medical_expense', 20, { amountFen: 1, inpatient: true }),
      f('medical_expense', 90, { amountFen: 2, inpatient: false }),
    ],
    reason: '近12个月住院 2 次（预警线 2 次）',
  },
  serious_illness: {
    fires: [f('serious_illness', 100, { relation: 'spouse' })],
    silent: [f('serious_illness', 760, { relation: 'spouse' })],
    reason: `近24个月家庭成员确诊重大疾病 1 例（最近一次 ${daysAgo(100)}，配偶）`,
  },
  minimum_living_allowance: {
    fires: [f('minimum_living_allowance', 30, { amountFen: 90_000 })],
    silent: [f('minimum_living_allowance', 400, { amountFen: 90_000 })],
    reason: `享受最低生活保障（民政部门最近记录 ${daysAgo(30)}）`,
  },
  low_income: {
    fires: [f('low_income', 30, { amountFen: 150_000, householdSize: 3 })],
    silent: [f('low_income', 30, { amountFen: 150_001, householdSize: 3 })],
    reason: '家庭人均月收入 1,500.00 元（低收入线 1,500.00 元）',
  },
  unemployment_long: {
    fires: [f('unemployment_registration', 90)],
    silent: [f('unemployment_registration', 89), f('unemployment_registration', 300, { endedOn: daysAgo(100) })],
    reason: `失业登记 90 天仍未就业（自 ${daysAgo(90)} 起，预警线 90 天）`,
  },
  unpaid_wages: {
    fires: [f('unpaid_wages', 30, { amountFen: 1_000_000, months: 1 })],
    silent: [
      f('unpaid_wages', 30, { amountFen: 999_999 }),
      f('unpaid_wages', 40, { amountFen: 5_000_000, resolved: true }),
    ],
    reason: '近12个月被拖欠工资 10,000.00 元尚未解决（预警线 10,000.00 元）',
  },
  unpaid_wages_long: {
    fires: [f('unpaid_wages', 30, { amountFen: 100, months: 3 })],
    silent: [
      f('unpaid_wages', 30, { amountFen: 100, months: 2 }),
      f('unpaid_wages', 31, { amountFen: 100, months: 9, resolved: true }),
    ],
    reason: '被拖欠工资已达 3 个月（预警线 3 个月）',
  },
  disability_severe: {
    fires: [f('disability_certificate', 2000, { grade: 2 })],
    silent: [f('disability_certificate', 20, { grade: 3 })],
    reason: '持有 2 级残疾证（预警：2 级及更重）',
  },
  housing_hardship: {
    fires: [f('housing_hardship', 30, { situation: 'dilapidated' })],
    silent: [f('housing_hardship', 800, { situation: 'dilapidated' })],
    reason: `住房困难（住房为危房，认定于 ${daysAgo(30)}）`,
  },
  child_tuition: {
    fires: [f('child_tuition', 30, { amountFen: 1_000_000, stage: 'university' })],
    silent: [f('child_tuition', 30, { amountFen: 999_999, stage: 'university' })],
    reason: '近12个月子女教育费用 10,000.00 元（预警线 10,000.00 元）',
  },
  disaster_loss: {
    fires: [f('disaster_accident', 30, { amountFen: 2_000_000, type: 'flood' })],
    silent: [f('disaster_accident', 30, { amountFen: 1_999_999, type: 'flood' })],
    reason: '近12个月因灾害或意外损失 20,000.00 元（预警线 20,000.00 元）',
  },
  family_death: {
    fires: [f('family_death', 100, { relation: 'parent' })],
    silent: [f('family_death', 200, { relation: 'parent' })],
    reason: `近6个月家庭成员亡故（父母，${daysAgo(100)}）`,
  },
  work_injury: {
    fires: [f('work_injury', 60, { grade: 6 })],
    silent: [f('work_injury', 60, { grade: 7 }), f('work_injury', 30)],
    reason: '近24个月工伤认定伤残 6 级（预警：6 级及更重）',
  },
  illness_poverty: {
    fires: [
      f('medical_expense', 20, { amountFen: 1_000_000 }),
      f('low_income', 20, { amountFen: 200_000, householdSize: 2 }),
    ],
    silent: [
      f('medical_expense', 20, { amountFen: 999_999 }),
      f('low_income', 20, { amountFen: 200_000, householdSize: 2 }),
    ],
    reason:
      '因病致贫迹象：近12个月医疗自付 10,000.00 元，家庭人均月收入 2,000.00 元（预警线：自付 10,000.00 元，收入 2,000.00 元）',
  },
  unemployed_with_student: {
    fires: [f('unemployment_registration', 30), f('child_tuition', 30, { amountFen: 100, stage: 'primary' })],
    silent: [f('unemployment_registration', 29), f('child_tuition', 30, { amountFen: 100, stage: 'primary' })],
    reason: `失业 30 天（自 ${daysAgo(30)} 起，预警线 30 天），且有子女在读（最近学费记录 ${daysAgo(30)}）`,
  },
  single_parent_signal: {
    fires: [
      f('family_death', 400, { relation: 'spouse' }),
      f('child_tuition', 10, { amountFen: 100, stage: 'junior' }),
    ],
    silent: [
      f('family_death', 400, { relation: 'parent' }),
      f('child_tuition', 10, { amountFen: 100, stage: 'junior' }),
    ],
    reason: `单亲家庭迹象：配偶于 ${daysAgo(400)} 亡故，且有子女在读（最近学费记录 ${daysAgo(10)}）`,
  },
  multiple_hardships: {
    fires: [
      f('housing_hardship', 30, { situation: 'no_housing' }),
      f('disability_certificate', 30, { grade: 4 }),
      f('low_income', 30, { amountFen: 300_000, householdSize: 4 }),
    ],
    silent: [
      f('housing_hardship', 30, { situation: 'no_housing' }),
      f('disability_certificate', 30, { grade: 4 }),
      f('department_help', 30, { amountFen: 100, helpType: 'cash', title: '慰问金' }),
    ],
    reason: '近12个月同时出现 3 类困难情形（预警线 3 类）',
  },
  department_help_received: {
    fires: [f('department_help', 30, { amountFen: 500_000, helpType: 'cash', title: '医疗救助金' })],
    silent: [f('department_help', 30, { amountFen: 499_999, helpType: 'cash', title: '医疗救助金' })],
    reason: '近12个月已获其他部门帮扶 1 次，合计 5,000.00 元（计分线 5,000.00 元）',
  },
  disaster_no_help: {
    fires: [
      f('disaster_accident', 30, { amountFen: 1000, type: 'fire' }),
      f('department_help', 60, { helpType: 'goods', title: '慰问品' }),
    ],
    silent: [
      f('disaster_accident', 30, { amountFen: 1000, type: 'fire' }),
      f('department_help', 10, { helpType: 'goods', title: '慰问品' }),
    ],
    reason: `${daysAgo(30)} 遭遇灾害或意外，此后没有其他部门的救助记录`,
  },
};

let db: Db;
let instances: RuleInstance[];
interface Hit {
  worker_id: string;
  instance_no: number;
  rule_id: string;
  rule_version_id: string;
  code: string;
  version: number;
  weight: number;
  reason: string;
  figures: unknown;
  latest_on: string | null;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const hitsOf = new Map<string, Hit[]>();
const workers = new Map<string, { fires: string; silent: string }>();

beforeAll(async () => {
  db = createDb({ connectionString: inject('databaseUrl'), poolSize: 2 });
  const config = readApiConfig({});
  const unit = await db.selectFrom('org_unit').select('id').where('level', '=', 'grassroots').executeTakeFirstOrThrow();
  const rowsByKind = new Map<FeedKind, Record<string, unknown>[]>();
  for (const [code, { fires, silent }] of Object.entries(CASES)) {
    const pair = { fires: randomIdNumber('330624'), silent: randomIdNumber('330624') };
    workers.set(code, {
      fires: await insertWorker(db, config, { unitId: unit.id, idNumber: pair.fires }),
      silent: await insertWorker(db, config, { unitId: unit.id, idNumber: pair.silent }),
    });
    for (const [idNumber, facts] of [
      [pair.fires, fires],
      [pair.silent, silent],
    ] as const) {
      for (const { kind, days, ...rest } of facts) {
        const rows = rowsByKind.get(kind) ?? [];
        rows.push({ idNumber, occurredOn: daysAgo(days), department: '测试部门', ...rest });
        rowsByKind.set(kind, rows);
      }
    }
  }
  for (const [kind, rows] of rowsByKind) {
    const result = await importFeedBatch(db, {
      kind,
      format: 'ndjson',
      encoding: 'utf-8',
      body: [ndjson(rows)],
      limitBytes: 1 << 24,
      uploadedBy: null,
      lookupHashKey: config.lookupHashKey,
    });
    expect(result.rejected, JSON.stringify(result.errors)).toBe(0);
  }
  const published = await db.selectFrom('perception_rule_version').select('id').where('version', '=', 1).execute();
  instances = await loadInstances(
    db,
    published.map((v) => v.id),
  );
  const ids = [...workers.values()].flatMap((pair) => [pair.fires, pair.silent]);
  const { rows } = await sql<Hit>`${hitsSql(instances, shanghaiDate(Date.now()), { workerIds: ids })}`.execute(db);
  for (const row of rows) {
    hitsOf.set(row.worker_id, [...(hitsOf.get(row.worker_id) ?? []), row]);
  }
});

afterAll(async () => {
  await db?.destroy();
});

describe('the rule models', () => {
  test('every rule in the catalogue has a case here, and there are at least 18', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.code).sort());
    expect(RULES.length).toBeGreaterThanOrEqual(18);
  });

  test.each(Object.keys(CASES))('%s fires at its threshold and stays silent just below it', (code) => {
    const instance = instances.find((i) => i.code === code)!;
    const pair = workers.get(code)!;
    const fired = (hitsOf.get(pair.fires) ?? []).find((h) => h.instance_no === instance.no);
    const silent = (hitsOf.get(pair.silent) ?? []).find((h) => h.instance_no === instance.no);

    expect(fired, `${code} should fire`).toBeDefined();
    expect(silent, `${code} should stay silent`).toBeUndefined();
    expect(fired!.reason).toBe(CASES[code]!.reason);
    expect(fired!.latest_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("scores each worker as its hits add up: the scan's score, reasons, rule ids and digest", async () => {
    const ids = [...workers.values()].flatMap((pair) => [pair.fires, pair.silent]);
    const { rows } = await sql<{
      worker_id: string;
      score: number;
      data_as_of: string | null;
      rule_ids: string[];
      version_ids: string[];
      reasons: unknown[];
      digest: string;
    }>`${flaggedSql(instances, shanghaiDate(Date.now()), { workerIds: ids }, -1000)}`.execute(db);

    const expected = [...hitsOf.entries()].map(([workerId, hits]) => {
      const byVersion = [...hits].sort((a, b) => compare(a.rule_version_id, b.rule_version_id));
      const byWeight = [...hits].sort((a, b) => b.weight - a.weight || compare(a.code, b.code));
      return {
        worker_id: workerId,
        score: hits.reduce((sum, h) => sum + h.weight, 0),
        data_as_of: hits.map((h) => h.latest_on).reduce((a, b) => (a === null || (b !== null && b > a) ? b : a)),
        rule_ids: byVersion.map((h) => h.rule_id),
        version_ids: byVersion.map((h) => h.rule_version_id),
        reasons: byWeight.map((h) => ({
          ruleId: h.rule_id,
          ruleVersionId: h.rule_version_id,
          ruleCode: h.code,
          ruleVersion: h.version,
          weight: h.weight,
          reason: h.reason,
          figures: h.figures,
          dataAsOf: h.latest_on,
        })),
        digest: createHash('md5')
          .update(byVersion.map((h) => `${h.rule_version_id}:${h.reason}`).join('|'))
          .digest('hex'),
      };
    });
    const byWorker = (a: { worker_id: string }, b: { worker_id: string }) => compare(a.worker_id, b.worker_id);
    expect(rows.length).toBeGreaterThan(21);
    expect([...rows].sort(byWorker)).toEqual(expected.sort(byWorker));
  });
});
