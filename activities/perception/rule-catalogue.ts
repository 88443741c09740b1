import { sql, type RawBuilder } from 'kysely';
import type { FeedKind } from '../../db/tables/feed.table.js';
import type { Category } from '../../workflows/shared/case-vocabulary.js';

/**
 * The rule models of perception (感知规则模型): what each rule looks at, its thresholds, and the SQL that evaluates
 * it over department feed rows. Thresholds and weights live in the database, versioned (perception_rule_version);
 * this catalogue holds what a version cannot change: which feeds a rule reads, the meaning and range of each
 * threshold, and how the rule is written in SQL. Every rule is evaluated set-based in PostgreSQL (rule-engine.ts
 * composes them into one statement per chunk of workers); nothing here runs per row in JavaScript.
 */

export type ThresholdUnit = 'months' | 'days' | 'fen' | 'count' | 'grade';

export interface ThresholdSpec {
  key: string;
  /** What the threshold means, in Chinese, for the rule editor. */
  label: string;
  unit: ThresholdUnit;
  min: number;
  max: number;
}

export type Thresholds = Record<string, number>;

/** SQL pieces of one rule instance; `agg(name)` refers to one of its own aggregate columns. */
export interface RuleSql {
  /** Aggregates over the feed rows `f` of one worker. */
  aggregates: Record<string, RawBuilder<unknown>>;
  /** True when the rule fires for the worker, over the aggregates. */
  fires: RawBuilder<unknown>;
  /** The reason a caseworker reads, in Chinese, with the figures that triggered the rule. */
  reason: RawBuilder<unknown>;
  /** The same figures as JSON, for screens and reports. */
  figures: RawBuilder<unknown>;
  /** The latest `occurred_on` of the rows the rule used: how fresh its data is. */
  latestOn: RawBuilder<unknown>;
}

export interface RuleSqlContext {
  /** The scan's reference date (Asia/Shanghai), as a SQL date. */
  asOf: RawBuilder<unknown>;
  agg(name: string): RawBuilder<unknown>;
}

export interface RuleDefinition {
  code: string;
  name: string;
  description: string;
  /** The assistance category a confirmed lead opens its case under when this is its strongest reason. */
  category: Category;
  kinds: readonly FeedKind[];
  thresholds: readonly ThresholdSpec[];
  /** Version 1 of the rule, as the migration 2026_12_05_0110_seed_perception_rules stored it. */
  initial: { thresholds: Thresholds; weight: number };
  build(t: Thresholds, x: RuleSqlContext): RuleSql;
}

// --- SQL helpers. Threshold values are validated integers and enter SQL as literals, never as text from users.

const n = (value: number) => sql.lit(value);
const kind = (k: FeedKind) => sql`f.kind = ${sql.lit(k)}`;
const within = (x: RuleSqlContext, months: number) =>
  sql`f.occurred_on > (${x.asOf} - make_interval(months => ${n(months)}))::date`;
/** A fen amount as Chinese readers write yuan: `38,200.00`. */
const yuanSql = (fen: RawBuilder<unknown>) => sql`to_char((${fen})::numeric / 100, 'FM999,999,999,990.00')`;
const yuanText = (fen: number) =>
  (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const text = (value: string) => sql.lit(value);
const dateText = (date: RawBuilder<unknown>) => sql`to_char(${date}, 'YYYY-MM-DD')`;
/** `max(date || '|' || field)`: the field of the latest row, without an ordered aggregate. */
const latestWith = (field: RawBuilder<unknown>, filter: RawBuilder<unknown>) =>
  sql`max(to_char(f.occurred_on, 'YYYY-MM-DD') || '|' || coalesce(${field}, '')) filter (where ${filter})`;
const partOf = (packed: RawBuilder<unknown>, index: 1 | 2) => sql`split_part(${packed}, '|', ${n(index)})`;
const relationLabel = (code: RawBuilder<unknown>) =>
  sql`case ${code} when 'self' then '本人' when 'spouse' then '配偶' when 'child' then '子女' when 'parent' then '父母' else '家庭成员' end`;
const openUnemployment = (x: RuleSqlContext) =>
  sql`${kind('unemployment_registration')} and (f.detail->>'endedOn' is null or (f.detail->>'endedOn')::date > ${x.asOf})`;
const unresolvedWages = (x: RuleSqlContext, months: number) =>
  sql`${kind('unpaid_wages')} and ${within(x, months)} and not f.detail @> '{"resolved": true}'`;

const MONTHS = (key = 'months', label = '统计近几个月的数据'): ThresholdSpec => ({
  key,
  label,
  unit: 'months',
  min: 1,
  max: 120,
});
const FEN = (key: string, label: string): ThresholdSpec => ({ key, label, unit: 'fen', min: 1, max: 10_000_000_000 });
const COUNT = (key: string, label: string): ThresholdSpec => ({ key, label, unit: 'count', min: 1, max: 1000 });

/** Feed kinds that describe hardship (everything but help already given). */
export const HARDSHIP_KINDS: readonly FeedKind[] = [
  'medical_expense',
  'minimum_living_allowance',
  'unemployment_registration',
  'unpaid_wages',
  'disability_certificate',
  'serious_illness',
  'housing_hardship',
  'child_tuition',
  'disaster_accident',
  'family_death',
  'low_income',
  'work_injury',
];

export const RULES: readonly RuleDefinition[] = [
  {
    code: 'medical_out_of_pocket',
    name: '大额医疗自付',
    description: '统计期内医疗费用个人自付合计达到预警线',
    category: 'medical',
    kinds: ['medical_expense'],
    thresholds: [MONTHS(), FEN('minFen', '个人自付合计预警线（分）')],
    initial: { thresholds: { months: 12, minFen: 3_000_000 }, weight: 40 },
    build: (t, x) => {
      const rows = sql`${kind('medical_expense')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          total: sql`sum(f.amount_fen) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('total')} >= ${n(t.minFen!)}`,
        reason: sql`format('近%s个月医疗费用个人自付 %s 元（预警线 %s 元）', ${n(t.months!)}, ${yuanSql(x.agg('total'))}, ${text(yuanText(t.minFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'totalFen', ${x.agg('total')}, 'minFen', ${n(t.minFen!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'medical_frequent',
    name: '频繁就医',
    description: '统计期内医保结算就医次数达到预警线',
    category: 'medical',
    kinds: ['medical_expense'],
    thresholds: [MONTHS(), COUNT('minVisits', '就医次数预警线')],
    initial: { thresholds: { months: 6, minVisits: 6 }, weight: 15 },
    build: (t, x) => {
      const rows = sql`${kind('medical_expense')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          visits: sql`count(*) filter (where ${rows})`,
          total: sql`coalesce(sum(f.amount_fen) filter (where ${rows}), 0)`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('visits')} >= ${n(t.minVisits!)}`,
        reason: sql`format('近%s个月医保结算就医 %s 次（预警线 %s 次），个人自付合计 %s 元', ${n(t.months!)}, ${x.agg('visits')}, ${n(t.minVisits!)}, ${yuanSql(x.agg('total'))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'visits', ${x.agg('visits')}, 'minVisits', ${n(t.minVisits!)}, 'totalFen', ${x.agg('total')})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'medical_inpatient',
    name: '多次住院',
    description: '统计期内住院次数达到预警线',
    category: 'medical',
    kinds: ['medical_expense'],
    thresholds: [MONTHS(), COUNT('minStays', '住院次数预警线')],
    initial: { thresholds: { months: 12, minStays: 2 }, weight: 15 },
    build: (t, x) => {
      const rows = sql`${kind('medical_expense')} and ${within(x, t.months!)} and f.detail @> '{"inpatient": true}'`;
      return {
        aggregates: {
          stays: sql`count(*) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('stays')} >= ${n(t.minStays!)}`,
        reason: sql`format('近%s个月住院 %s 次（预警线 %s 次）', ${n(t.months!)}, ${x.agg('stays')}, ${n(t.minStays!)})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'stays', ${x.agg('stays')}, 'minStays', ${n(t.minStays!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'serious_illness',
    name: '家庭成员患大病',
    description: '统计期内本人或家庭成员确诊重大疾病',
    category: 'medical',
    kinds: ['serious_illness'],
    thresholds: [MONTHS()],
    initial: { thresholds: { months: 24 }, weight: 40 },
    build: (t, x) => {
      const rows = sql`${kind('serious_illness')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          cases: sql`count(*) filter (where ${rows})`,
          last: latestWith(sql`f.detail->>'relation'`, rows),
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('cases')} >= 1`,
        reason: sql`format('近%s个月家庭成员确诊重大疾病 %s 例（最近一次 %s，%s）', ${n(t.months!)}, ${x.agg('cases')}, ${partOf(x.agg('last'), 1)}, ${relationLabel(partOf(x.agg('last'), 2))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'cases', ${x.agg('cases')}, 'relation', ${partOf(x.agg('last'), 2)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'minimum_living_allowance',
    name: '享受最低生活保障',
    description: '统计期内民政部门有最低生活保障（低保）记录',
    category: 'living',
    kinds: ['minimum_living_allowance'],
    thresholds: [MONTHS()],
    initial: { thresholds: { months: 12 }, weight: 60 },
    build: (t, x) => {
      const rows = sql`${kind('minimum_living_allowance')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          records: sql`count(*) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('records')} >= 1`,
        reason: sql`format('享受最低生活保障（民政部门最近记录 %s）', ${dateText(x.agg('latest'))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'records', ${x.agg('records')})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'low_income',
    name: '低收入家庭',
    description: '统计期内家庭人均月收入不高于低收入线',
    category: 'living',
    kinds: ['low_income'],
    thresholds: [MONTHS(), FEN('maxFen', '家庭人均月收入上限（分）')],
    initial: { thresholds: { months: 12, maxFen: 150_000 }, weight: 30 },
    build: (t, x) => {
      const rows = sql`${kind('low_income')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          income: sql`min(f.amount_fen) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('income')} <= ${n(t.maxFen!)}`,
        reason: sql`format('家庭人均月收入 %s 元（低收入线 %s 元）', ${yuanSql(x.agg('income'))}, ${text(yuanText(t.maxFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'incomeFen', ${x.agg('income')}, 'maxFen', ${n(t.maxFen!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'unemployment_long',
    name: '长期失业',
    description: '失业登记后持续未就业的天数达到预警线',
    category: 'employment',
    kinds: ['unemployment_registration'],
    thresholds: [{ key: 'minDays', label: '失业天数预警线', unit: 'days', min: 1, max: 3650 }],
    initial: { thresholds: { minDays: 90 }, weight: 30 },
    build: (t, x) => {
      const rows = openUnemployment(x);
      return {
        aggregates: { since: sql`min(f.occurred_on) filter (where ${rows})` },
        fires: sql`${x.asOf} - ${x.agg('since')} >= ${n(t.minDays!)}`,
        reason: sql`format('失业登记 %s 天仍未就业（自 %s 起，预警线 %s 天）', ${x.asOf} - ${x.agg('since')}, ${dateText(x.agg('since'))}, ${n(t.minDays!)})`,
        figures: sql`jsonb_build_object('days', ${x.asOf} - ${x.agg('since')}, 'since', ${x.agg('since')}, 'minDays', ${n(t.minDays!)})`,
        latestOn: x.agg('since'),
      };
    },
  },
  {
    code: 'unpaid_wages',
    name: '被拖欠工资',
    description: '统计期内尚未解决的欠薪金额达到预警线',
    category: 'legal',
    kinds: ['unpaid_wages'],
    thresholds: [MONTHS(), FEN('minFen', '欠薪金额预警线（分）')],
    initial: { thresholds: { months: 12, minFen: 1_000_000 }, weight: 25 },
    build: (t, x) => {
      const rows = unresolvedWages(x, t.months!);
      return {
        aggregates: {
          owed: sql`sum(f.amount_fen) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('owed')} >= ${n(t.minFen!)}`,
        reason: sql`format('近%s个月被拖欠工资 %s 元尚未解决（预警线 %s 元）', ${n(t.months!)}, ${yuanSql(x.agg('owed'))}, ${text(yuanText(t.minFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'owedFen', ${x.agg('owed')}, 'minFen', ${n(t.minFen!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'unpaid_wages_long',
    name: '长期欠薪',
    description: '尚未解决的欠薪所涉月数达到预警线',
    category: 'legal',
    kinds: ['unpaid_wages'],
    thresholds: [MONTHS(), COUNT('minMonths', '欠薪月数预警线')],
    initial: { thresholds: { months: 12, minMonths: 3 }, weight: 15 },
    build: (t, x) => {
      const rows = sql`${unresolvedWages(x, t.months!)} and f.detail ? 'months'`;
      return {
        aggregates: {
          span: sql`max((f.detail->>'months')::int) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('span')} >= ${n(t.minMonths!)}`,
        reason: sql`format('被拖欠工资已达 %s 个月（预警线 %s 个月）', ${x.agg('span')}, ${n(t.minMonths!)})`,
        figures: sql`jsonb_build_object('months', ${x.agg('span')}, 'minMonths', ${n(t.minMonths!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'disability_severe',
    name: '重度残疾',
    description: '持有残疾证且残疾等级不低于预警等级（一级最重）',
    category: 'living',
    kinds: ['disability_certificate'],
    thresholds: [{ key: 'maxGrade', label: '残疾等级预警线（含该级及更重）', unit: 'grade', min: 1, max: 4 }],
    initial: { thresholds: { maxGrade: 2 }, weight: 40 },
    build: (t, x) => {
      const rows = kind('disability_certificate');
      return {
        aggregates: {
          grade: sql`min((f.detail->>'grade')::int) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('grade')} <= ${n(t.maxGrade!)}`,
        reason: sql`format('持有 %s 级残疾证（预警：%s 级及更重）', ${x.agg('grade')}, ${n(t.maxGrade!)})`,
        figures: sql`jsonb_build_object('grade', ${x.agg('grade')}, 'maxGrade', ${n(t.maxGrade!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'housing_hardship',
    name: '住房困难',
    description: '统计期内住建部门认定住房困难',
    category: 'living',
    kinds: ['housing_hardship'],
    thresholds: [MONTHS()],
    initial: { thresholds: { months: 24 }, weight: 20 },
    build: (t, x) => {
      const rows = sql`${kind('housing_hardship')} and ${within(x, t.months!)}`;
      const situation = partOf(x.agg('last'), 2);
      return {
        aggregates: {
          last: latestWith(sql`f.detail->>'situation'`, rows),
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('last')} is not null`,
        reason: sql`format('住房困难（%s，认定于 %s）', case ${situation} when 'no_housing' then '无自有住房' when 'dilapidated' then '住房为危房' else '人均住房面积过小' end, ${partOf(x.agg('last'), 1)})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'situation', ${situation})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'child_tuition',
    name: '子女教育负担重',
    description: '统计期内子女教育费用合计达到预警线',
    category: 'education',
    kinds: ['child_tuition'],
    thresholds: [MONTHS(), FEN('minFen', '教育费用预警线（分）')],
    initial: { thresholds: { months: 12, minFen: 1_000_000 }, weight: 20 },
    build: (t, x) => {
      const rows = sql`${kind('child_tuition')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          total: sql`sum(f.amount_fen) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('total')} >= ${n(t.minFen!)}`,
        reason: sql`format('近%s个月子女教育费用 %s 元（预警线 %s 元）', ${n(t.months!)}, ${yuanSql(x.agg('total'))}, ${text(yuanText(t.minFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'totalFen', ${x.agg('total')}, 'minFen', ${n(t.minFen!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'disaster_loss',
    name: '灾害意外损失',
    description: '统计期内因灾害或意外造成的损失合计达到预警线',
    category: 'emergency',
    kinds: ['disaster_accident'],
    thresholds: [MONTHS(), FEN('minFen', '损失金额预警线（分）')],
    initial: { thresholds: { months: 12, minFen: 2_000_000 }, weight: 35 },
    build: (t, x) => {
      const rows = sql`${kind('disaster_accident')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          loss: sql`sum(f.amount_fen) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('loss')} >= ${n(t.minFen!)}`,
        reason: sql`format('近%s个月因灾害或意外损失 %s 元（预警线 %s 元）', ${n(t.months!)}, ${yuanSql(x.agg('loss'))}, ${text(yuanText(t.minFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'lossFen', ${x.agg('loss')}, 'minFen', ${n(t.minFen!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'family_death',
    name: '家庭成员亡故',
    description: '统计期内配偶、子女或父母亡故',
    category: 'living',
    kinds: ['family_death'],
    thresholds: [MONTHS()],
    initial: { thresholds: { months: 6 }, weight: 25 },
    build: (t, x) => {
      const rows = sql`${kind('family_death')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          last: latestWith(sql`f.detail->>'relation'`, rows),
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('last')} is not null`,
        reason: sql`format('近%s个月家庭成员亡故（%s，%s）', ${n(t.months!)}, ${relationLabel(partOf(x.agg('last'), 2))}, ${partOf(x.agg('last'), 1)})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'relation', ${partOf(x.agg('last'), 2)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'work_injury',
    name: '工伤致残',
    description: '统计期内工伤认定的伤残等级不低于预警等级（一级最重）',
    category: 'medical',
    kinds: ['work_injury'],
    thresholds: [
      MONTHS(),
      { key: 'maxGrade', label: '伤残等级预警线（含该级及更重）', unit: 'grade', min: 1, max: 10 },
    ],
    initial: { thresholds: { months: 24, maxGrade: 6 }, weight: 30 },
    build: (t, x) => {
      const rows = sql`${kind('work_injury')} and ${within(x, t.months!)} and f.detail ? 'grade'`;
      return {
        aggregates: {
          grade: sql`min((f.detail->>'grade')::int) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('grade')} <= ${n(t.maxGrade!)}`,
        reason: sql`format('近%s个月工伤认定伤残 %s 级（预警：%s 级及更重）', ${n(t.months!)}, ${x.agg('grade')}, ${n(t.maxGrade!)})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'grade', ${x.agg('grade')}, 'maxGrade', ${n(t.maxGrade!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'illness_poverty',
    name: '因病致贫',
    description: '医疗自付达到预警线，且家庭人均月收入不高于收入线',
    category: 'medical',
    kinds: ['medical_expense', 'low_income'],
    thresholds: [MONTHS(), FEN('medicalFen', '医疗自付预警线（分）'), FEN('maxIncomeFen', '家庭人均月收入上限（分）')],
    initial: { thresholds: { months: 12, medicalFen: 1_000_000, maxIncomeFen: 200_000 }, weight: 30 },
    build: (t, x) => {
      const medical = sql`${kind('medical_expense')} and ${within(x, t.months!)}`;
      const income = sql`${kind('low_income')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          medical: sql`sum(f.amount_fen) filter (where ${medical})`,
          income: sql`min(f.amount_fen) filter (where ${income})`,
          latestMedical: sql`max(f.occurred_on) filter (where ${medical})`,
          latestIncome: sql`max(f.occurred_on) filter (where ${income})`,
        },
        fires: sql`${x.agg('medical')} >= ${n(t.medicalFen!)} and ${x.agg('income')} <= ${n(t.maxIncomeFen!)}`,
        reason: sql`format('因病致贫迹象：近%s个月医疗自付 %s 元，家庭人均月收入 %s 元（预警线：自付 %s 元，收入 %s 元）', ${n(t.months!)}, ${yuanSql(x.agg('medical'))}, ${yuanSql(x.agg('income'))}, ${text(yuanText(t.medicalFen!))}, ${text(yuanText(t.maxIncomeFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'medicalFen', ${x.agg('medical')}, 'incomeFen', ${x.agg('income')})`,
        latestOn: sql`greatest(${x.agg('latestMedical')}, ${x.agg('latestIncome')})`,
      };
    },
  },
  {
    code: 'unemployed_with_student',
    name: '失业且子女就学',
    description: '失业天数达到预警线，且统计期内有子女教育费用记录',
    category: 'employment',
    kinds: ['unemployment_registration', 'child_tuition'],
    thresholds: [{ key: 'minDays', label: '失业天数预警线', unit: 'days', min: 1, max: 3650 }, MONTHS()],
    initial: { thresholds: { minDays: 30, months: 12 }, weight: 20 },
    build: (t, x) => {
      const tuition = sql`${kind('child_tuition')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          since: sql`min(f.occurred_on) filter (where ${openUnemployment(x)})`,
          latestTuition: sql`max(f.occurred_on) filter (where ${tuition})`,
        },
        fires: sql`${x.asOf} - ${x.agg('since')} >= ${n(t.minDays!)} and ${x.agg('latestTuition')} is not null`,
        reason: sql`format('失业 %s 天（自 %s 起，预警线 %s 天），且有子女在读（最近学费记录 %s）', ${x.asOf} - ${x.agg('since')}, ${dateText(x.agg('since'))}, ${n(t.minDays!)}, ${dateText(x.agg('latestTuition'))})`,
        figures: sql`jsonb_build_object('days', ${x.asOf} - ${x.agg('since')}, 'minDays', ${n(t.minDays!)})`,
        latestOn: sql`greatest(${x.agg('since')}, ${x.agg('latestTuition')})`,
      };
    },
  },
  {
    code: 'single_parent_signal',
    name: '单亲家庭迹象',
    description: '配偶在统计期内亡故，且有子女在读',
    category: 'living',
    kinds: ['family_death', 'child_tuition'],
    thresholds: [MONTHS('spouseMonths', '配偶亡故统计近几个月'), MONTHS('months', '学费记录统计近几个月')],
    initial: { thresholds: { spouseMonths: 36, months: 12 }, weight: 25 },
    build: (t, x) => {
      const spouse = sql`${kind('family_death')} and ${within(x, t.spouseMonths!)} and f.detail @> '{"relation": "spouse"}'`;
      const tuition = sql`${kind('child_tuition')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          spouseDied: sql`max(f.occurred_on) filter (where ${spouse})`,
          latestTuition: sql`max(f.occurred_on) filter (where ${tuition})`,
        },
        fires: sql`${x.agg('spouseDied')} is not null and ${x.agg('latestTuition')} is not null`,
        reason: sql`format('单亲家庭迹象：配偶于 %s 亡故，且有子女在读（最近学费记录 %s）', ${dateText(x.agg('spouseDied'))}, ${dateText(x.agg('latestTuition'))})`,
        figures: sql`jsonb_build_object('spouseDiedOn', ${x.agg('spouseDied')}, 'latestTuitionOn', ${x.agg('latestTuition')})`,
        latestOn: sql`greatest(${x.agg('spouseDied')}, ${x.agg('latestTuition')})`,
      };
    },
  },
  {
    code: 'multiple_hardships',
    name: '多重困难叠加',
    description: '统计期内同时出现的困难类别数达到预警线',
    category: 'living',
    kinds: HARDSHIP_KINDS,
    thresholds: [MONTHS(), COUNT('minKinds', '困难类别数预警线')],
    initial: { thresholds: { months: 12, minKinds: 3 }, weight: 20 },
    build: (t, x) => {
      const rows = sql`f.kind <> 'department_help' and ${within(x, t.months!)}`;
      const kinds = sql.join(HARDSHIP_KINDS.map((k) => sql.lit(k)));
      return {
        aggregates: {
          kinds: sql`bit_count((bit_or(1 << array_position(array[${kinds}]::text[], f.kind)) filter (where ${rows}))::bit(16))`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('kinds')} >= ${n(t.minKinds!)}`,
        reason: sql`format('近%s个月同时出现 %s 类困难情形（预警线 %s 类）', ${n(t.months!)}, ${x.agg('kinds')}, ${n(t.minKinds!)})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'kinds', ${x.agg('kinds')}, 'minKinds', ${n(t.minKinds!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'department_help_received',
    name: '已获其他部门帮扶',
    description: '统计期内已获其他部门帮扶的金额达到计分线（权重为负时下调分值）',
    category: 'living',
    kinds: ['department_help'],
    thresholds: [MONTHS(), FEN('minFen', '帮扶金额计分线（分）')],
    initial: { thresholds: { months: 12, minFen: 500_000 }, weight: -20 },
    build: (t, x) => {
      const rows = sql`${kind('department_help')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          total: sql`sum(f.amount_fen) filter (where ${rows})`,
          times: sql`count(*) filter (where ${rows})`,
          latest: sql`max(f.occurred_on) filter (where ${rows})`,
        },
        fires: sql`${x.agg('total')} >= ${n(t.minFen!)}`,
        reason: sql`format('近%s个月已获其他部门帮扶 %s 次，合计 %s 元（计分线 %s 元）', ${n(t.months!)}, ${x.agg('times')}, ${yuanSql(x.agg('total'))}, ${text(yuanText(t.minFen!))})`,
        figures: sql`jsonb_build_object('months', ${n(t.months!)}, 'times', ${x.agg('times')}, 'totalFen', ${x.agg('total')}, 'minFen', ${n(t.minFen!)})`,
        latestOn: x.agg('latest'),
      };
    },
  },
  {
    code: 'disaster_no_help',
    name: '灾后未获救助',
    description: '统计期内遭遇灾害或意外，此后没有其他部门的帮扶记录',
    category: 'emergency',
    kinds: ['disaster_accident', 'department_help'],
    thresholds: [MONTHS()],
    initial: { thresholds: { months: 6 }, weight: 15 },
    build: (t, x) => {
      const disaster = sql`${kind('disaster_accident')} and ${within(x, t.months!)}`;
      return {
        aggregates: {
          struck: sql`max(f.occurred_on) filter (where ${disaster})`,
          helped: sql`max(f.occurred_on) filter (where ${kind('department_help')})`,
        },
        fires: sql`${x.agg('struck')} is not null and (${x.agg('helped')} is null or ${x.agg('helped')} < ${x.agg('struck')})`,
        reason: sql`format('%s 遭遇灾害或意外，此后没有其他部门的救助记录', ${dateText(x.agg('struck'))})`,
        figures: sql`jsonb_build_object('struckOn', ${x.agg('struck')}, 'lastHelpOn', ${x.agg('helped')})`,
        latestOn: x.agg('struck'),
      };
    },
  },
];

export const RULES_BY_CODE: ReadonlyMap<string, RuleDefinition> = new Map(RULES.map((rule) => [rule.code, rule]));

export interface ThresholdProblem {
  field: string;
  reason: string;
}

/** Checks a thresholds object against a rule's spec: exactly its keys, each a whole number in range. */
export function checkThresholds(rule: RuleDefinition, thresholds: Record<string, unknown>): ThresholdProblem[] {
  const problems: ThresholdProblem[] = [];
  const known = new Set(rule.thresholds.map((spec) => spec.key));
  for (const key of Object.keys(thresholds)) {
    if (!known.has(key)) {
      problems.push({ field: `thresholds.${key}`, reason: '该规则没有这个阈值' });
    }
  }
  for (const spec of rule.thresholds) {
    const value = thresholds[spec.key];
    if (value === undefined) {
      problems.push({ field: `thresholds.${spec.key}`, reason: '必填' });
    } else if (typeof value !== 'number' || !Number.isInteger(value)) {
      problems.push({ field: `thresholds.${spec.key}`, reason: '须为整数' });
    } else if (value < spec.min || value > spec.max) {
      problems.push({ field: `thresholds.${spec.key}`, reason: `须在 ${spec.min} 到 ${spec.max} 之间` });
    }
  }
  return problems;
}
