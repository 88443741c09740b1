import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../database.js';
import type { AssistanceCase, CaseEvent } from '../tables/assistance-case.table.js';

/**
 * Reads of the case read model. Every function takes the caller's unit path: a case is visible when the unit
 * holding it or the worker's unit lies in that subtree. No business rules here.
 */

const visibleTo = (unitPath: string) =>
  sql<SqlBool>`(c.holder_unit_path like ${`${unitPath}%`} or c.worker_unit_path like ${`${unitPath}%`})`;

export async function findVisibleCase(db: Db, caseId: string, unitPath: string): Promise<AssistanceCase | undefined> {
  return db
    .selectFrom('assistance_case as c')
    .selectAll('c')
    .where('c.id', '=', caseId)
    .where(visibleTo(unitPath))
    .executeTakeFirst();
}

/** The case by id, with no scope: only for answering an action the caller was allowed to take a moment ago. */
export async function findCase(db: Db, caseId: string): Promise<AssistanceCase | undefined> {
  return db.selectFrom('assistance_case as c').selectAll('c').where('c.id', '=', caseId).executeTakeFirst();
}

export async function caseTimeline(db: Db, caseId: string): Promise<CaseEvent[]> {
  return db.selectFrom('case_event').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
}

export interface CaseFilters {
  unitPath: string;
  status?: string;
  step?: string;
  category?: string;
  workerId?: string;
  overdue?: boolean;
  /** Sort key of the last row of the previous page: opened_at (ISO) and id. */
  after?: [string, string] | null;
  limit: number;
}

export async function listCases(db: Db, filters: CaseFilters): Promise<AssistanceCase[]> {
  let query = db
    .selectFrom('assistance_case as c')
    .selectAll('c')
    .where(visibleTo(filters.unitPath))
    .orderBy('c.opened_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(filters.limit + 1);
  if (filters.status) {
    query = query.where('c.status', '=', filters.status as never);
  }
  if (filters.step) {
    query = query.where('c.step', '=', filters.step as never);
  }
  if (filters.category) {
    query = query.where('c.category', '=', filters.category);
  }
  if (filters.workerId) {
    query = query.where('c.worker_id', '=', filters.workerId);
  }
  if (filters.overdue !== undefined) {
    const overdue = sql<SqlBool>`(c.status = 'open' and c.due_at < now())`;
    query = query.where(filters.overdue ? overdue : sql<SqlBool>`not ${overdue as Expression<SqlBool>}`);
  }
  if (filters.after) {
    const [openedAt, id] = filters.after;
    query = query.where(sql<SqlBool>`(c.opened_at, c.id) < (${new Date(openedAt)}, ${id}::uuid)`);
  }
  return query.execute();
}

/** The inbox cursor's stand-in for "no running deadline" (JSON has no infinity). */
export const SUSPENDED_SORT_KEY = 1e300;

/** Open steps held by one unit, soonest deadline first; suspended steps (no running deadline) last. */
export async function inbox(
  db: Db,
  unitId: string,
  limit: number,
  after: [number, string] | null,
): Promise<AssistanceCase[]> {
  const sortKey = sql<number>`coalesce(extract(epoch from c.due_at), 'infinity'::float8)`;
  let query = db
    .selectFrom('assistance_case as c')
    .selectAll('c')
    .where('c.holder_unit_id', '=', unitId)
    .where('c.status', '=', 'open')
    .orderBy(sortKey)
    .orderBy('c.id')
    .limit(limit + 1);
  if (after) {
    const key = after[0] >= SUSPENDED_SORT_KEY ? 'infinity' : String(after[0]);
    query = query.where(sql<SqlBool>`(${sortKey}, c.id) > (${key}::float8, ${after[1]}::uuid)`);
  }
  return query.execute();
}

export interface OverdueRow {
  id: string;
  number: string;
  step: string;
  holder_unit_id: string;
  due_at: Date | null;
  escalation_level: number;
  late_by_seconds: number;
}

/**
 * Open cases in a subtree that are late now, most overdue first, with how far they were escalated. A case whose
 * clock is suspended or whose deadline moved is not late, whatever its past escalations. The filter on `due_at`
 * alone lets PostgreSQL use the partial index of open cases by deadline.
 */
export async function overdueCases(db: Db, unitPath: string, limit: number, offset: number): Promise<OverdueRow[]> {
  return db
    .selectFrom('assistance_case as c')
    .select([
      'c.id',
      'c.number',
      'c.step',
      'c.holder_unit_id',
      'c.due_at',
      'c.escalation_level',
      sql<number>`greatest(0, floor(extract(epoch from now() - c.due_at)))::int`.as('late_by_seconds'),
    ])
    .where('c.status', '=', 'open')
    .where(sql<SqlBool>`c.due_at < now()`)
    .where(sql<SqlBool>`c.holder_unit_path like ${`${unitPath}%`}`)
    .orderBy('c.due_at')
    .orderBy('c.id')
    .limit(limit + 1)
    .offset(offset)
    .execute();
}

export async function overdueByUnit(
  db: Db,
  unitPath: string,
): Promise<{ unit_id: string; overdue: number; escalated: number }[]> {
  return db
    .selectFrom('assistance_case as c')
    .select([
      'c.holder_unit_id as unit_id',
      sql<number>`count(*)::int`.as('overdue'),
      sql<number>`count(*) filter (where c.escalation_level > 0)::int`.as('escalated'),
    ])
    .where('c.status', '=', 'open')
    .where(sql<SqlBool>`c.due_at < now()`)
    .where(sql<SqlBool>`c.holder_unit_path like ${`${unitPath}%`}`)
    .groupBy('c.holder_unit_id')
    .orderBy(sql`count(*)`, 'desc')
    .execute();
}

/** The calendar (`working` or `natural`) each case's current step counts its limit on, by case id. */
export async function currentStepCalendars(
  db: Db,
  cases: readonly { id: string; step_seq: number }[],
): Promise<Map<string, string>> {
  if (cases.length === 0) {
    return new Map();
  }
  const rows = await db
    .selectFrom('case_step as s')
    .select(['s.case_id', 's.calendar'])
    .where(
      sql<SqlBool>`(s.case_id, s.step_seq) in (${sql.join(cases.map((c) => sql`(${c.id}::uuid, ${c.step_seq}::int)`))})`,
    )
    .execute();
  return new Map(rows.map((row) => [row.case_id, row.calendar]));
}

export interface OpenCaseCount {
  unit_id: string;
  step: string;
  open: number;
  overdue: number;
  escalated: number;
  suspended: number;
}

/**
 * Open cases in a subtree counted by step and by the unit directly below the scope that holds them (the scope
 * itself for cases it holds), with how many are late now and how many of those were escalated: the figures the
 * overdue board draws per unit. Late means what the overdue board means: an open case past its current deadline.
 */
export async function openCaseCounts(db: Db, scope: { id: string; path: string }): Promise<OpenCaseCount[]> {
  const childId = sql<string>`case when c.holder_unit_path = ${scope.path} then ${scope.id}::text
    else split_part(substr(c.holder_unit_path, ${scope.path.length + 1}), '/', 1) end`;
  return db
    .selectFrom('assistance_case as c')
    .select([
      childId.as('unit_id'),
      'c.step',
      sql<number>`count(*)::int`.as('open'),
      sql<number>`count(*) filter (where c.due_at < now())::int`.as('overdue'),
      sql<number>`count(*) filter (where c.due_at < now() and c.escalation_level > 0)::int`.as('escalated'),
      sql<number>`count(*) filter (where c.suspended_until is not null)::int`.as('suspended'),
    ])
    .where('c.status', '=', 'open')
    .where(sql<SqlBool>`c.holder_unit_path like ${`${scope.path}%`}`)
    .groupBy([sql`1`, 'c.step'])
    .execute();
}
