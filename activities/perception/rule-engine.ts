import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import { RULES_BY_CODE, type RuleSql, type Thresholds } from './rule-catalogue.js';

/**
 * Composes the rule models into set-based SQL: a single pass over the feed rows of a range of workers computes
 * every rule's aggregates (`agg`), one row per worker. A scan scores each worker's row once (`flaggedSql`) and
 * formats reasons only for the workers at or above the floor; dry runs and tests read one row per hit
 * (`hitsSql`, a `union all` branch per rule over the same pass). Nothing is evaluated per row in JavaScript.
 */

/** One rule version taking part in an evaluation; `no` numbers it within the statement. */
export interface RuleInstance {
  no: number;
  ruleId: string;
  versionId: string;
  code: string;
  version: number;
  thresholds: Thresholds;
  weight: number;
}

/** Worker ids in (after, upTo] (null: unbounded on that side), or a list of workers. */
export type WorkerRange = { after: string | null; upTo: string | null } | { workerIds: readonly string[] };

interface BuiltInstance {
  instance: RuleInstance;
  parts: RuleSql;
}

function buildInstances(instances: readonly RuleInstance[], asOf: string): BuiltInstance[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    throw new Error(`asOf must be a date, got ${asOf}`);
  }
  const asOfSql = sql`${sql.lit(asOf)}::date`;
  return instances.map((instance) => {
    const rule = RULES_BY_CODE.get(instance.code);
    if (!rule) {
      throw new Error(`Rule ${instance.code} is not in the catalogue`);
    }
    const agg = (name: string) => sql.ref(`a.i${instance.no}_${name}`);
    return { instance, parts: rule.build(instance.thresholds, { asOf: asOfSql, agg }) };
  });
}

/** One pass over the feed rows of the workers in `range`: every instance's aggregates, one row per worker. */
function aggregatesSql(built: readonly BuiltInstance[], range: WorkerRange): RawBuilder<unknown> {
  const aggregates = built.flatMap(({ instance, parts }) =>
    Object.entries(parts.aggregates).map(
      ([name, expression]) => sql`${expression} as ${sql.id(`i${instance.no}_${name}`)}`,
    ),
  );
  const workers =
    'workerIds' in range
      ? sql`and f.worker_id = any(${[...range.workerIds]}::uuid[])`
      : sql`${range.after ? sql`and f.worker_id > ${range.after}::uuid` : sql``}
            ${range.upTo ? sql`and f.worker_id <= ${range.upTo}::uuid` : sql``}`;
  return sql`
    select f.worker_id, ${sql.join(aggregates)}
    from feed_row f
    where f.worker_id is not null ${workers}
    group by f.worker_id`;
}

/**
 * The SQL of the hits of `instances` for the workers in `range`, as of a date: one row per (worker, instance that
 * fired) with `worker_id, instance_no, rule_id, rule_version_id, code, version, weight, reason, figures, latest_on`.
 */
export function hitsSql(instances: readonly RuleInstance[], asOf: string, range: WorkerRange): RawBuilder<unknown> {
  const built = buildInstances(instances, asOf);
  if (built.length === 0) {
    return sql`select null::uuid as worker_id, 0 as instance_no, null::uuid as rule_id, null::uuid as rule_version_id,
      ''::text as code, 0 as version, 0 as weight, ''::text as reason, '{}'::jsonb as figures, null::date as latest_on where false`;
  }
  const branches = built.map(
    ({ instance, parts }) => sql`
      select a.worker_id, ${sql.lit(instance.no)}::int as instance_no, ${sql.lit(instance.ruleId)}::uuid as rule_id,
             ${sql.lit(instance.versionId)}::uuid as rule_version_id, ${sql.lit(instance.code)}::text as code,
             ${sql.lit(instance.version)}::int as version, ${sql.lit(instance.weight)}::int as weight,
             (${parts.reason})::text as reason, (${parts.figures})::jsonb as figures, (${parts.latestOn})::date as latest_on
      from agg a where ${parts.fires}`,
  );
  return sql`
    with agg as materialized (${aggregatesSql(built, range)})
    ${sql.join(branches, sql` union all `)}`;
}

/**
 * The SQL of the workers in `range` whose score (the sum of the weights of the instances that fired) reaches
 * `floor`, one row each, with what a lead stores: `worker_id, score, data_as_of` (the latest data date of the rules
 * that fired), `rule_ids` and `version_ids` (by version id), `reasons` (a JSON array by weight, heaviest first,
 * then rule code) and `digest` (md5 of `versionId:reason` by version id, joined with `|`). The same figures as
 * grouping `hitsSql` by worker, without a row per hit: each worker's aggregate row is scored once, and the reason
 * text is formatted only for the workers that reach the floor.
 */
export function flaggedSql(
  instances: readonly RuleInstance[],
  asOf: string,
  range: WorkerRange,
  floor: number,
): RawBuilder<unknown> {
  const built = buildInstances(instances, asOf);
  if (built.length === 0) {
    return sql`select null::uuid as worker_id, 0 as score, null::date as data_as_of, '{}'::uuid[] as rule_ids,
      '{}'::uuid[] as version_ids, '[]'::jsonb as reasons, ''::text as digest where false`;
  }
  const col = (prefix: string, { instance }: BuiltInstance) => sql.ref(`${prefix}${instance.no}`);
  const fired = (alias: string, b: BuiltInstance) => sql.ref(`${alias}.f${b.instance.no}`);
  const ifFired = (alias: string, b: BuiltInstance, value: RawBuilder<unknown>) =>
    sql`case when ${fired(alias, b)} then ${value} end`;
  const each = (items: readonly BuiltInstance[], part: (b: BuiltInstance) => RawBuilder<unknown>) =>
    sql.join(items.map(part));
  const byVersion = [...built].sort((x, y) => compare(x.instance.versionId, y.instance.versionId));
  const byWeight = [...built].sort(
    (x, y) =>
      y.instance.weight - x.instance.weight ||
      compare(x.instance.code, y.instance.code) ||
      compare(x.instance.versionId, y.instance.versionId),
  );
  // The parts of a reason that are the same for every worker are one JSON literal, parsed once per statement;
  // building them per reason with jsonb_build_object took about half as long again.
  const reason = (b: BuiltInstance) => {
    const fixed = {
      ruleId: b.instance.ruleId,
      ruleVersionId: b.instance.versionId,
      ruleCode: b.instance.code,
      ruleVersion: b.instance.version,
      weight: b.instance.weight,
    };
    const no = b.instance.no;
    return ifFired(
      'r',
      b,
      sql`${sql.lit(JSON.stringify(fixed))}::jsonb || jsonb_build_object(
        'reason', ${sql.ref(`r.r${no}`)}, 'figures', ${sql.ref(`r.g${no}`)}, 'dataAsOf', ${sql.ref(`r.l${no}`)})`,
    );
  };
  const latest = (b: BuiltInstance) => ifFired('r', b, sql.ref(`r.l${b.instance.no}`));
  const ruleId = (b: BuiltInstance) => ifFired('r', b, sql`${sql.lit(b.instance.ruleId)}::uuid`);
  const versionId = (b: BuiltInstance) => ifFired('r', b, sql`${sql.lit(b.instance.versionId)}::uuid`);
  const digestPart = (b: BuiltInstance) =>
    ifFired('r', b, sql`${sql.lit(`${b.instance.versionId}:`)} || ${sql.ref(`r.r${b.instance.no}`)}`);
  const text = (b: BuiltInstance) => sql`${ifFired('a', b, sql`(${b.parts.reason})::text`)} as ${col('r', b)}`;
  const figures = (b: BuiltInstance) => sql`${ifFired('a', b, sql`(${b.parts.figures})::jsonb`)} as ${col('g', b)}`;
  const dataDate = (b: BuiltInstance) => sql`${ifFired('a', b, sql`(${b.parts.latestOn})::date`)} as ${col('l', b)}`;
  const weight = (b: BuiltInstance) =>
    sql`case when ${fired('x', b)} then ${sql.lit(b.instance.weight)}::int else 0 end`;
  const fires = (b: BuiltInstance) => sql`coalesce(${b.parts.fires}, false) as ${col('f', b)}`;
  // Three levels, each evaluated once per row: which instances fired (every worker with feed rows), then the
  // reason texts and figures (only the workers at or above the floor), then the lead's arrays and digest.
  return sql`
    with agg as materialized (${aggregatesSql(built, range)})
    select r.worker_id, r.score,
           greatest(${each(built, latest)}) as data_as_of,
           array_remove(array[${each(byVersion, ruleId)}], null) as rule_ids,
           array_remove(array[${each(byVersion, versionId)}], null) as version_ids,
           to_jsonb(array_remove(array[${each(byWeight, reason)}], null)) as reasons,
           md5(concat_ws('|', ${each(byVersion, digestPart)})) as digest
    from (
      select a.worker_id, a.score, ${each(built, (b) => fired('a', b))},
             ${each(built, text)}, ${each(built, figures)}, ${each(built, dataDate)}
      from (
        select x.*, (${sql.join(built.map(weight), sql` + `)}) as score
        from (select a.*, ${each(built, fires)} from agg a offset 0) x
      ) a
      where a.score >= ${sql.lit(floor)} and (${sql.join(
        built.map((b) => fired('a', b)),
        sql` or `,
      )})
      offset 0
    ) r`;
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The rule versions with these ids, with their rule codes, numbered in a stable order (by rule code). */
export async function loadInstances(db: Db, versionIds: readonly string[]): Promise<RuleInstance[]> {
  if (versionIds.length === 0) {
    return [];
  }
  const rows = await db
    .selectFrom('perception_rule_version as v')
    .innerJoin('perception_rule as r', 'r.id', 'v.rule_id')
    .select(['v.id', 'v.rule_id', 'r.code', 'v.version', 'v.thresholds', 'v.weight'])
    .where('v.id', 'in', [...versionIds])
    .orderBy('r.code')
    .execute();
  return rows.map((row, i) => ({
    no: i + 1,
    ruleId: row.rule_id,
    versionId: row.id,
    code: row.code,
    version: row.version,
    thresholds: row.thresholds,
    weight: row.weight,
  }));
}
