import { sql, type SqlBool } from 'kysely';
import type { Db } from '../database.js';
import type { AssistanceCase, CaseEvent } from '../tables/assistance-case.table.js';
import type { Payment } from '../tables/fund.table.js';

/**
 * Reads of the worker portal. Every function takes the signed-in worker's id and reads only rows about that
 * worker: their cases, their payments, department rows matched to them. No business rules here.
 */

/** The worker's cases, newest first, one page after the (opened_at ISO, id) of the previous page's last row. */
export async function workerCases(
  db: Db,
  workerId: string,
  limit: number,
  after: [string, string] | null,
): Promise<AssistanceCase[]> {
  let query = db
    .selectFrom('assistance_case as c')
    .selectAll('c')
    .where('c.worker_id', '=', workerId)
    .orderBy('c.opened_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit + 1);
  if (after) {
    query = query.where(sql<SqlBool>`(c.opened_at, c.id) < (${new Date(after[0])}, ${after[1]}::uuid)`);
  }
  return query.execute();
}

/** One case with its timeline, read in one snapshot, only when it is this worker's. */
export async function workerCaseWithTimeline(
  db: Db,
  workerId: string,
  caseId: string,
): Promise<{ row: AssistanceCase; events: CaseEvent[] } | null> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const row = await trx
        .selectFrom('assistance_case')
        .selectAll()
        .where('id', '=', caseId)
        .where('worker_id', '=', workerId)
        .executeTakeFirst();
      if (!row) {
        return null;
      }
      const events = await trx
        .selectFrom('case_event')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('seq')
        .execute();
      return { row, events };
    });
}

/** An open case of the worker in a category, if there is one (the oldest). */
export async function openCaseOfCategory(db: Db, workerId: string, category: string) {
  return db
    .selectFrom('assistance_case')
    .select(['id', 'number'])
    .where('worker_id', '=', workerId)
    .where('category', '=', category)
    .where('status', '=', 'open')
    .orderBy('opened_at')
    .executeTakeFirst();
}

/** How many self-applications of the worker opened cases in the last 24 hours, and when the oldest of them was. */
export async function recentSelfApplications(
  db: Db,
  workerId: string,
): Promise<{ count: number; oldestAgoSeconds: number }> {
  return db
    .selectFrom('assistance_case')
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<number>`coalesce(extract(epoch from now() - min(opened_at)), 0)::float8`.as('oldestAgoSeconds'),
    ])
    .where('worker_id', '=', workerId)
    .where('source', '=', 'self_application')
    .where('opened_at', '>', sql<Date>`now() - interval '24 hours'`)
    .executeTakeFirstOrThrow();
}

/** Self-applications of the worker in a category so far, whatever became of them. */
export async function selfApplicationCount(db: Db, workerId: string, category: string): Promise<number> {
  const row = await db
    .selectFrom('assistance_case')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('worker_id', '=', workerId)
    .where('category', '=', category)
    .where('source', '=', 'self_application')
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Names of org units by id. */
export async function unitNames(db: Db, unitIds: readonly string[]): Promise<Map<string, string>> {
  if (unitIds.length === 0) {
    return new Map();
  }
  const rows = await db
    .selectFrom('org_unit')
    .select(['id', 'name'])
    .where('id', 'in', [...unitIds])
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Every payment made to the worker on any of the given cases, reversed ones included. */
export async function paymentsOfCases(db: Db, workerId: string, caseIds: readonly string[]): Promise<Payment[]> {
  if (caseIds.length === 0) {
    return [];
  }
  return db
    .selectFrom('payment')
    .selectAll()
    .where('worker_id', '=', workerId)
    .where('case_id', 'in', [...caseIds])
    .orderBy('paid_at')
    .orderBy('item_index')
    .execute();
}

export interface RecordTotals {
  caseCount: number;
  paymentCount: number;
  /** Money received: payments not reversed. */
  receivedFen: number;
  reversedCount: number;
}

export async function recordTotals(db: Db, workerId: string): Promise<RecordTotals> {
  const { rows } = await sql<RecordTotals>`
    select
      (select count(*)::int from assistance_case where worker_id = ${workerId}) as "caseCount",
      (select count(*)::int from payment where worker_id = ${workerId}) as "paymentCount",
      (select coalesce(sum(amount_fen), 0)::bigint from payment
        where worker_id = ${workerId} and reversed_at is null) as "receivedFen",
      (select count(*)::int from payment where worker_id = ${workerId} and reversed_at is not null) as "reversedCount"
  `.execute(db);
  return rows[0]!;
}

/** One line of the warm-heart list: a union payment (not reversed) or help from another department. */
export interface HelpRow {
  id: string;
  source: 'union' | 'department';
  /** Shanghai calendar date, `YYYY-MM-DD`. */
  day: string;
  year: number;
  help_type: 'cash' | 'goods' | 'service';
  amount_fen: number | null;
  department: string | null;
  category: string | null;
  item: string | null;
  title: string | null;
  case_id: string | null;
}

/**
 * Everything the worker received, as one relation: payments of the union's ledger that were not reversed, and
 * department help rows matched to the worker. A department row's help type is its `detail.helpType` when that is
 * one of cash, goods or service, otherwise cash when it has an amount and service when not.
 */
const helpReceived = (workerId: string) => sql<HelpRow>`
  select p.id, 'union' as source, (p.paid_at at time zone 'Asia/Shanghai')::date::text as day,
         extract(year from p.paid_at at time zone 'Asia/Shanghai')::int as year,
         case when p.method = 'goods' then 'goods' else 'cash' end as help_type,
         p.amount_fen, null::text as department, p.category, p.kind as item, null::text as title, p.case_id
  from payment p
  where p.worker_id = ${workerId} and p.reversed_at is null
  union all
  select f.id, 'department', f.occurred_on::text, extract(year from f.occurred_on)::int,
         case when f.detail ->> 'helpType' in ('cash', 'goods', 'service') then f.detail ->> 'helpType'
              when f.amount_fen is not null then 'cash' else 'service' end,
         f.amount_fen, f.department, null, null, f.detail ->> 'title', null
  from feed_row f
  where f.worker_id = ${workerId} and f.kind = 'department_help'
`;

/** The warm-heart list, newest first, one page after the (day, id) of the previous page's last row. */
export async function helpTimeline(
  db: Db,
  workerId: string,
  limit: number,
  after: [string, string] | null,
): Promise<HelpRow[]> {
  const afterClause = after ? sql`where (h.day, h.id) < (${after[0]}, ${after[1]}::uuid)` : sql``;
  const { rows } = await sql<HelpRow>`
    select * from (${helpReceived(workerId)}) h
    ${afterClause}
    order by h.day desc, h.id desc
    limit ${limit + 1}
  `.execute(db);
  return rows;
}

export interface HelpYear {
  year: number;
  /** Money given in cash or by transfer, in fen. */
  cashFen: number;
  /** Help in kind (goods and services), counted. */
  inKindCount: number;
  /** What help in kind was worth, where its value is known, in fen. */
  inKindValueFen: number;
  itemCount: number;
}

/** Yearly totals of the warm-heart list, newest year first. */
export async function helpYears(db: Db, workerId: string): Promise<HelpYear[]> {
  const { rows } = await sql<HelpYear>`
    select h.year,
           coalesce(sum(h.amount_fen) filter (where h.help_type = 'cash'), 0)::bigint as "cashFen",
           (count(*) filter (where h.help_type <> 'cash'))::int as "inKindCount",
           coalesce(sum(h.amount_fen) filter (where h.help_type <> 'cash'), 0)::bigint as "inKindValueFen",
           count(*)::int as "itemCount"
    from (${helpReceived(workerId)}) h
    group by h.year
    order by h.year desc
  `.execute(db);
  return rows;
}

/** What the policy evaluator needs to know about a worker: their row and unit, cases and department rows. */
export async function workerFacts(db: Db, workerId: string) {
  const [worker, cases, feeds] = await Promise.all([
    db
      .selectFrom('worker as w')
      .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
      .select(['w.hardship_status', 'w.birth_date', 'w.gender', 'o.path'])
      .where('w.id', '=', workerId)
      .executeTakeFirstOrThrow(),
    db.selectFrom('assistance_case').select(['category', 'status']).where('worker_id', '=', workerId).execute(),
    db.selectFrom('feed_row').select(['kind', 'occurred_on', 'department']).where('worker_id', '=', workerId).execute(),
  ]);
  return { worker, cases, feeds };
}
