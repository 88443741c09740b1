import type { Db } from '../db/database.js';
import { move } from '../db/repositories/ledger.repository.js';
import { fundYear } from '../activities/fund-rules.js';
import { buildOrgTree } from './01-reference-data.js';

/** Demo budgets of the warmth fund for the current year, in fen: the city's, and what it passes down. */
export const DEMO_BUDGETS = {
  city: 1_000_000_000, // 10,000,000 yuan
  district: 100_000_000, // 1,000,000 yuan to each district
  township: 20_000_000, // 200,000 yuan to each township
} as const;

/**
 * Funds the city's warmth budget for the current year and allocates it down to districts and townships, the
 * levels that approve plans. Every movement goes through the ledger under a fixed posting key, so a second run
 * posts nothing and the balances always equal their ledger entries.
 */
export async function seedFunds(db: Db, year = fundYear(Date.now())): Promise<number> {
  const units = buildOrgTree();
  let posted = 0;
  await db.transaction().execute(async (trx) => {
    const budgetOf = async (unit: { id: string; path: string }) => {
      await trx
        .insertInto('budget')
        .values({ unit_id: unit.id, unit_path: unit.path, year, fund: 'warmth' })
        .onConflict((oc) => oc.columns(['unit_id', 'year', 'fund']).doNothing())
        .execute();
      const row = await trx
        .selectFrom('budget')
        .select('id')
        .where('unit_id', '=', unit.id)
        .where('year', '=', year)
        .where('fund', '=', 'warmth')
        .executeTakeFirstOrThrow();
      return row.id;
    };
    const city = units.find((unit) => unit.level === 'city')!;
    const cityBudget = await budgetOf(city);
    const funded = await move(
      trx,
      { kind: 'fund', budgetId: cityBudget, amountFen: DEMO_BUDGETS.city },
      { postingKey: `seed:fund:${year}:${city.id}`, memo: '演示：市总送温暖资金年度预算' },
    );
    posted += funded.created ? 1 : 0;
    for (const unit of units.filter((u) => u.level === 'district' || u.level === 'township')) {
      const parent = units.find((u) => u.id === unit.parentId)!;
      const result = await move(
        trx,
        {
          kind: 'allocate',
          fromBudgetId: await budgetOf(parent),
          toBudgetId: await budgetOf(unit),
          amountFen: unit.level === 'district' ? DEMO_BUDGETS.district : DEMO_BUDGETS.township,
        },
        { postingKey: `seed:allocate:${year}:${unit.id}`, memo: '演示：预算下拨' },
      );
      posted += result.created ? 1 : 0;
    }
  });
  return posted;
}
