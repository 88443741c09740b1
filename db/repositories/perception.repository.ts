import { sql, type SqlBool } from 'kysely';
import type { Db } from '../database.js';
import type { PerceptionLead } from '../tables/perception.table.js';

/** Reads of perception's rules, scans and leads. No business rules; scoping is by the unit path passed in. */

export interface RuleRecord {
  rule_id: string;
  rule_version_id: string | null;
  open: number;
  confirmed: number;
  dismissed: number;
  lapsed: number;
}

/**
 * How the leads each rule (and each of its versions) took part in were reviewed: confirmed into a case, dismissed,
 * still open or lapsed. A lead counts once per rule among its reasons.
 */
export async function ruleRecords(db: Db, byVersion: boolean): Promise<RuleRecord[]> {
  const { rows } = await sql<RuleRecord>`
    select r.rule_id, ${byVersion ? sql`r.rule_version_id` : sql`null::uuid`} as rule_version_id,
           count(*) filter (where l.status = 'open')::int as open,
           count(*) filter (where l.status = 'confirmed')::int as confirmed,
           count(*) filter (where l.status = 'dismissed')::int as dismissed,
           count(*) filter (where l.status = 'lapsed')::int as lapsed
    from perception_lead l cross join unnest(l.rule_ids, l.rule_version_ids) as r(rule_id, rule_version_id)
    group by r.rule_id ${byVersion ? sql`, r.rule_version_id` : sql``}`.execute(db);
  return rows;
}

export interface LeadFilters {
  unitPath: string;
  status: string;
  group?: string;
  ruleId?: string;
  minScore?: number;
  /** Sort key of the last row of the previous page: score and id. */
  after: [number, string] | null;
  limit: number;
}

export type LeadRow = PerceptionLead & { worker_name: string; id_number_masked: string; hardship_status: string };

const leadColumns = [
  'l.id',
  'l.worker_id',
  'l.worker_unit_id',
  'l.worker_unit_path',
  'l.review_unit_id',
  'l.review_unit_path',
  'l.hardship_group',
  'l.score',
  'l.status',
  'l.raised_scan_id',
  'l.last_scan_id',
  'l.setting_version',
  'l.rule_ids',
  'l.rule_version_ids',
  'l.reasons',
  'l.reasons_digest',
  'l.data_as_of',
  'l.due_at',
  'l.escalation_level',
  'l.case_id',
  'l.reviewed_by',
  'l.reviewed_at',
  'l.dismiss_reason',
  'l.lapsed_reason',
  'l.lapsed_at',
  'l.created_at',
  'l.updated_at',
  'w.name as worker_name',
  'w.id_number_masked',
  'w.hardship_status',
] as const;

/** Leads of workers in the subtree, highest score first. */
export async function listLeads(db: Db, filters: LeadFilters): Promise<LeadRow[]> {
  let query = db
    .selectFrom('perception_lead as l')
    .innerJoin('worker as w', 'w.id', 'l.worker_id')
    .select(leadColumns)
    .where(sql<SqlBool>`l.worker_unit_path like ${`${filters.unitPath}%`}`)
    .where('l.status', '=', filters.status as never)
    .orderBy('l.score', 'desc')
    .orderBy('l.id')
    .limit(filters.limit + 1);
  if (filters.group) {
    query = query.where('l.hardship_group', '=', filters.group as never);
  }
  if (filters.minScore !== undefined) {
    query = query.where('l.score', '>=', filters.minScore);
  }
  // Known limit: no index serves the rule filter; it is applied to the leads the status and scope select.
  if (filters.ruleId) {
    query = query.where(sql<SqlBool>`l.rule_ids @> array[${filters.ruleId}]::uuid[]`);
  }
  if (filters.after) {
    const [score, id] = filters.after;
    query = query.where(sql<SqlBool>`(l.score < ${score} or (l.score = ${score} and l.id > ${id}::uuid))`);
  }
  return query.execute();
}

export async function findVisibleLead(db: Db, leadId: string, unitPath: string): Promise<LeadRow | undefined> {
  return db
    .selectFrom('perception_lead as l')
    .innerJoin('worker as w', 'w.id', 'l.worker_id')
    .select(leadColumns)
    .where('l.id', '=', leadId)
    .where(sql<SqlBool>`l.worker_unit_path like ${`${unitPath}%`}`)
    .executeTakeFirst();
}
