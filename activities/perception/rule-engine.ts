import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import { RULES_BY_CODE, type Thresholds } from './rule-catalogue.js';

/**
 * Composes the rule models into one set-based statement: a single pass over the feed rows of a range of workers
 * computes every rule's aggregates (`agg`), then each rule contributes its hits with a `union all` branch over
 * that pass. Nothing is evaluated per row in JavaScript. The same statement serves scans (which turn hits into
 * leads) and dry runs (which compare two sets of rule versions).
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

/**
 * The SQL of the hits of `instances` for the workers in `range`, as of a date: one row per (worker, instance that
 * fired) with `worker_id, instance_no, rule_id, rule_version_id, code, version, weight, reason, figures, latest_on`.
 */
export function hitsSql(instances: readonly RuleInstance[], asOf: string, range: WorkerRange): RawBuilder<unknown> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    throw new Error(`asOf must be a date, got ${asOf}`);
  }
  const asOfSql = sql`${sql.lit(asOf)}::date`;
  const built = instances.map((instance) => {
    const rule = RULES_BY_CODE.get(instance.code);
    if (!rule) {
      throw new Error(`Rule ${instance.code} is not in the catalogue`);
    }
    const agg = (name: string) => sql.ref(`a.i${instance.no}_${name}`);
    return { instance, parts: rule.build(instance.thresholds, { asOf: asOfSql, agg }) };
  });
  if (built.length === 0) {
    return sql`select null::uuid as worker_id, 0 as instance_no, null::uuid as rule_id, null::uuid as rule_version_id,
      ''::text as code, 0 as version, 0 as weight, ''::text as reason, '{}'::jsonb as figures, null::date as latest_on where false`;
  }
  const aggregates = built.flatMap(({ instance, parts }) =>
    Object.entries(parts.aggregates).map(
      ([name, expression]) => sql`${expression} as ${sql.id(`i${instance.no}_${name}`)}`,
    ),
  );
  const branches = built.map(
    ({ instance, parts }) => sql`
      select a.worker_id, ${sql.lit(instance.no)}::int as instance_no, ${sql.lit(instance.ruleId)}::uuid as rule_id,
             ${sql.lit(instance.versionId)}::uuid as rule_version_id, ${sql.lit(instance.code)}::text as code,
             ${sql.lit(instance.version)}::int as version, ${sql.lit(instance.weight)}::int as weight,
             (${parts.reason})::text as reason, (${parts.figures})::jsonb as figures, (${parts.latestOn})::date as latest_on
      from agg a where ${parts.fires}`,
  );
  const workers =
    'workerIds' in range
      ? sql`and f.worker_id = any(${[...range.workerIds]}::uuid[])`
      : sql`${range.after ? sql`and f.worker_id > ${range.after}::uuid` : sql``}
            ${range.upTo ? sql`and f.worker_id <= ${range.upTo}::uuid` : sql``}`;
  return sql`
    with agg as materialized (
      select f.worker_id, ${sql.join(aggregates)}
      from feed_row f
      where f.worker_id is not null ${workers}
      group by f.worker_id
    )
    ${sql.join(branches, sql` union all `)}`;
}

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
