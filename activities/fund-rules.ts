import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { ThresholdTier } from '../db/tables/fund.table.js';
import { UNIT_LEVELS, type UnitLevel } from '../workflows/shared/case-vocabulary.js';
import { shanghaiDate } from '../workflows/shared/working-time.js';

/**
 * The money rules of a case: which level approves a plan of a given size, and how much one case and one
 * household may receive under the assistance standards. Read by the API when a plan is submitted (a friendly
 * early answer) and by the reservation activity at approval (the authoritative check, under a household lock).
 */

/** Up to 2,000 yuan the township approves, up to 10,000 yuan the district, above that the city. */
export const DEFAULT_TIERS: ThresholdTier[] = [
  { upToFen: 200_000, level: 'township' },
  { upToFen: 1_000_000, level: 'district' },
  { upToFen: null, level: 'city' },
];

export interface ThresholdPolicy {
  version: number;
  tiers: ThresholdTier[];
}

export async function currentThresholds(db: Db): Promise<ThresholdPolicy> {
  const row = await db
    .selectFrom('approval_threshold_policy')
    .select(['version', 'tiers'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { version: row.version, tiers: row.tiers } : { version: 0, tiers: DEFAULT_TIERS };
}

export function levelFor(tiers: ThresholdTier[], totalFen: number): UnitLevel {
  const tier = tiers.find((t) => t.upToFen === null || totalFen <= t.upToFen);
  return tier?.level ?? 'city';
}

/**
 * The unit that approves: the assignee's ancestor at the required level, or the assignee itself when it already
 * sits at or above that level (then another person there approves; nobody approves their own plan).
 */
export function approverFor(
  assigneeLineage: { id: string; path: string; level: UnitLevel }[],
  required: UnitLevel,
): { id: string; path: string } {
  const rank = (level: UnitLevel) => UNIT_LEVELS.indexOf(level);
  const assignee = assigneeLineage[assigneeLineage.length - 1]!;
  if (rank(assignee.level) <= rank(required)) {
    return { id: assignee.id, path: assignee.path };
  }
  const match = assigneeLineage.find((unit) => unit.level === required) ?? assigneeLineage[0]!;
  return { id: match.id, path: match.path };
}

/** The unit and its ancestors, city first. */
export async function lineageOf(db: Db, unitPath: string) {
  const ids = unitPath.split('/').filter(Boolean);
  const rows = await db.selectFrom('org_unit').select(['id', 'path', 'level']).where('id', 'in', ids).execute();
  return ids.map((id) => rows.find((row) => row.id === id)!).filter(Boolean);
}

export type StandardBreach = {
  rule: 'max_per_case' | 'max_per_household_year';
  limitFen: number;
  usedFen: number;
  leftFen: number;
};

/** Shanghai calendar year of an instant: budgets and yearly caps run on it. */
export const fundYear = (ms: number): number => Number(shanghaiDate(ms).slice(0, 4));

/**
 * Checks a plan against the category's standard: the per-case maximum and the household's yearly maximum
 * (money already reserved or paid to the household this year, other cases included). Null when within both,
 * when no standard is set for the category, or when the city granted the case an exception.
 */
export async function checkStandard(
  db: Db,
  input: { caseId: string; householdId: string; category: string; totalFen: number; year: number },
): Promise<StandardBreach | null> {
  const standard = await db
    .selectFrom('assistance_standard')
    .select(['max_per_case_fen', 'max_per_household_year_fen'])
    .where('category', '=', input.category)
    .executeTakeFirst();
  if (!standard) {
    return null;
  }
  const exception = await db
    .selectFrom('standard_exception')
    .select('id')
    .where('case_id', '=', input.caseId)
    .executeTakeFirst();
  if (exception) {
    return null;
  }
  if (input.totalFen > standard.max_per_case_fen) {
    return {
      rule: 'max_per_case',
      limitFen: standard.max_per_case_fen,
      usedFen: 0,
      leftFen: standard.max_per_case_fen,
    };
  }
  const used = await householdCommittedFen(db, input.householdId, input.category, input.year, input.caseId);
  const limit = standard.max_per_household_year_fen;
  if (used + input.totalFen > limit) {
    return { rule: 'max_per_household_year', limitFen: limit, usedFen: used, leftFen: Math.max(0, limit - used) };
  }
  return null;
}

/**
 * Money reserved or paid this year to a household under one category's standard, net of releases and reversals,
 * from other cases than this one. Each category's yearly maximum counts only its own money.
 */
export async function householdCommittedFen(
  db: Db,
  householdId: string,
  category: string,
  year: number,
  exceptCaseId: string,
): Promise<number> {
  const row = await db
    .selectFrom('ledger_entry as e')
    .innerJoin('ledger_transaction as t', 't.id', 'e.transaction_id')
    .innerJoin('assistance_case as c', 'c.id', 't.case_id')
    .select(sql<number>`coalesce(sum(e.amount_fen), 0)::bigint`.as('total'))
    .where('c.household_id', '=', householdId)
    .where('c.category', '=', category)
    .where('c.id', '<>', exceptCaseId)
    .where('e.account', 'in', ['reserved', 'paid'])
    .where(sql<boolean>`extract(year from t.posted_at at time zone 'Asia/Shanghai') = ${year}`)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}
