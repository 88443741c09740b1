import { sql, type RawBuilder, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fundYear } from '../../activities/fund-rules.js';
import type { Database, Db } from '../../db/database.js';
import { createStaff, expectError } from '../support/api-fixtures.js';
import { createCaseApi, type CaseApi } from '../support/case-api.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';

/*
 * RELIABILITY M1 and I2: many approvals at once against one budget that covers only some of them. Isolation: this
 * file works only in the xinchang_t2 township subtree (xinchang_t2 approves, xinchang_t2_g1 plans) and its current
 * year's warmth budget, which no other file moves money on. The ledger invariants are checked over the whole
 * ledger, other files' postings included, each time within one repeatable-read snapshot.
 */

const YEAR = fundYear(Date.now());
const CASES = 50;
const FITS = 20;
const PLAN_FEN = 100_000;

/** Runs `fn` over `inputs` with at most `limit` calls in flight; answers in input order. */
async function mapLimit<T, R>(inputs: readonly T[], limit: number, fn: (input: T, index: number) => Promise<R>) {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, inputs.length) }, async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await fn(inputs[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

interface LedgerViolations {
  unbalancedTransactions: unknown[];
  duplicatePostingKeys: unknown[];
  budgetsOffTheirEntries: unknown[];
  overdrawnBudgets: unknown[];
  paymentsWithoutCounterPosting: unknown[];
  reversalsWithoutPosting: unknown[];
  ledgerTotal: number;
}

/** RELIABILITY I2 over the whole ledger, read in one snapshot so that concurrent writers cannot tear it. */
async function ledgerViolations(db: Db): Promise<LedgerViolations> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx: Transaction<Database>) => {
      const rows = async (query: RawBuilder<unknown>) => (await query.execute(trx)).rows;
      const unbalancedTransactions = await rows(sql`
        select t.id, t.posting_key, t.kind, coalesce(sum(e.amount_fen), 0)::bigint as total, count(e.id)::int as entries
        from ledger_transaction t left join ledger_entry e on e.transaction_id = t.id
        group by t.id having coalesce(sum(e.amount_fen), 0) <> 0 or count(e.id) < 2`);
      const duplicatePostingKeys = await rows(sql`
        select posting_key, count(*)::int as n from ledger_transaction group by posting_key having count(*) > 1`);
      const budgetsOffTheirEntries = await rows(sql`
        select b.id, b.allocated_fen, b.allocated_out_fen, b.reserved_fen, b.paid_fen, s.*
        from budget b left join lateral (
          select
            coalesce(sum(e.amount_fen) filter (where e.account = 'reserved'), 0)::bigint as reserved_entries,
            coalesce(sum(e.amount_fen) filter (where e.account = 'paid'), 0)::bigint as paid_entries,
            coalesce(sum(e.amount_fen) filter (where e.account = 'available'), 0)::bigint as available_entries,
            coalesce(sum(e.amount_fen) filter (
              where e.account = 'available' and e.amount_fen > 0 and t.kind in ('fund', 'allocate')), 0)::bigint
              as allocated_in_entries,
            coalesce(-sum(e.amount_fen) filter (
              where e.account = 'available' and t.kind = 'allocate' and e.amount_fen < 0), 0)::bigint
              as allocated_out_entries
          from ledger_entry e join ledger_transaction t on t.id = e.transaction_id
          where e.budget_id = b.id
        ) s on true
        where s.reserved_entries <> b.reserved_fen
           or s.paid_entries <> b.paid_fen
           or s.available_entries <> b.allocated_fen - b.allocated_out_fen - b.reserved_fen - b.paid_fen
           or s.allocated_in_entries <> b.allocated_fen
           or s.allocated_out_entries <> b.allocated_out_fen`);
      const overdrawnBudgets = await rows(sql`
        select id from budget
        where reserved_fen < 0 or paid_fen < 0 or allocated_out_fen < 0
           or allocated_out_fen + reserved_fen + paid_fen > allocated_fen`);
      const paymentsWithoutCounterPosting = await rows(sql`
        select p.id from payment p join ledger_transaction t on t.id = p.transaction_id
        where t.kind <> 'pay'
           or not exists (select 1 from ledger_entry e where e.transaction_id = t.id and e.budget_id = p.budget_id
                          and e.account = 'reserved' and e.amount_fen = -p.amount_fen)
           or not exists (select 1 from ledger_entry e where e.transaction_id = t.id and e.budget_id = p.budget_id
                          and e.account = 'paid' and e.amount_fen = p.amount_fen)`);
      const reversalsWithoutPosting = await rows(sql`
        select p.id from payment p left join ledger_transaction t on t.id = p.reversal_transaction_id
        where (p.reversed_at is null) <> (p.reversal_transaction_id is null)
           or (p.reversal_transaction_id is not null and (t.kind <> 'reverse' or not exists (
                select 1 from ledger_entry e where e.transaction_id = t.id and e.budget_id = p.budget_id
                  and e.account = 'paid' and e.amount_fen = -p.amount_fen)))`);
      const [total] = await rows(sql`select coalesce(sum(amount_fen), 0)::bigint as total from ledger_entry`);
      return {
        unbalancedTransactions,
        duplicatePostingKeys,
        budgetsOffTheirEntries,
        overdrawnBudgets,
        paymentsWithoutCounterPosting,
        reversalsWithoutPosting,
        ledgerTotal: Number((total as { total: number }).total),
      };
    });
}

const NO_VIOLATIONS: LedgerViolations = {
  unbalancedTransactions: [],
  duplicatePostingKeys: [],
  budgetsOffTheirEntries: [],
  overdrawnBudgets: [],
  paymentsWithoutCounterPosting: [],
  reversalsWithoutPosting: [],
  ledgerTotal: 0,
};

describe('concurrent approvals against one warmth budget', () => {
  let h: Harness;
  let api: CaseApi;
  let township: string;
  let grassroots: string;

  beforeAll(async () => {
    h = await createHarness();
    api = createCaseApi(h);
    township = await api.unitOf('xinchang_t2_caseworker');
    grassroots = await api.unitOf('xinchang_t2_g1_caseworker');
  });

  afterAll(async () => {
    await h?.close();
  });

  const budgetRow = () =>
    h.db
      .selectFrom('budget')
      .selectAll()
      .where('unit_id', '=', township)
      .where('year', '=', YEAR)
      .where('fund', '=', 'warmth')
      .executeTakeFirstOrThrow();

  /** Opens a living case at xinchang_t2 and brings it to approve there with a 1,000-yuan plan. */
  async function caseAtApprove(workerId: string): Promise<string> {
    const { id } = await api.open('xinchang_t2_caseworker', { workerId, category: 'living', urgency: 'normal' });
    await api.act('xinchang_t2_caseworker', id, 'dispatch', { toUnitId: grassroots });
    await api.act('xinchang_t2_g1_caseworker', id, 'accept');
    await api.act('xinchang_t2_g1_caseworker', id, 'verify', { eligible: true, findings: '入户核实：家庭困难属实' });
    const planned = await api.act('xinchang_t2_g1_caseworker', id, 'plan', {
      items: [{ kind: '生活补助', amountFen: PLAN_FEN }],
    });
    expect([planned.step, planned.holderUnitId]).toEqual(['approve', township]);
    return id;
  }

  test(`${CASES} approvals at once against a budget covering ${FITS}: exactly ${FITS} pass, the rest wait, nothing is overdrawn`, async () => {
    const workerId = await api.workerAt(grassroots);
    const setupStarted = performance.now();
    const ids = await mapLimit(Array.from({ length: CASES }), 10, () => caseAtApprove(workerId));
    const seeded = await budgetRow();
    expect([seeded.reserved_fen, seeded.paid_fen]).toEqual([0, 0]);
    const drain = seeded.allocated_fen - seeded.allocated_out_fen - FITS * PLAN_FEN;
    const drained = await h.request('POST', `/budgets/${seeded.id}/allocations`, {
      token: await api.token('xinchang_admin'),
      body: { toUnitId: grassroots, amountFen: drain },
    });
    expect([drained.status, drained.body.from?.availableFen]).toEqual([201, FITS * PLAN_FEN]);
    const token = await api.token('xinchang_t2_caseworker');

    const burstStarted = performance.now();
    let burstDone = false;
    const samples: LedgerViolations[] = [];
    const sampler = (async () => {
      while (!burstDone) {
        samples.push(await ledgerViolations(h.db));
      }
    })();
    const answers: HarnessResponse[] = await Promise.all(
      ids.map((id) => h.request('POST', `/cases/${id}/actions/approve`, { token, body: { note: '同意' } })),
    ).finally(() => {
      burstDone = true;
    });
    await sampler;
    console.log(
      `M1: ${CASES} cases brought to approve in ${Math.round(burstStarted - setupStarted)} ms; ` +
        `burst of approvals answered in ${Math.round(performance.now() - burstStarted)} ms; ` +
        `${samples.length} ledger snapshots checked during it`,
    );

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(FITS);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(CASES - FITS);
    for (const answer of refused) {
      expectError(answer, 409, 'FUNDS_UNAVAILABLE');
    }
    const after = await budgetRow();
    expect({
      reserved: after.reserved_fen,
      paid: after.paid_fen,
      available: after.allocated_fen - after.allocated_out_fen - after.reserved_fen - after.paid_fen,
    }).toEqual({ reserved: FITS * PLAN_FEN, paid: 0, available: 0 });
    const approvedIds = ids.filter((_, i) => answers[i]!.status === 200);
    const rows = await h.db
      .selectFrom('assistance_case')
      .select(['id', 'step', 'funding_blocked_reason'])
      .where('id', 'in', ids)
      .execute();
    const stepOf = new Map(rows.map((r) => [r.id, r]));
    expect(approvedIds.map((id) => stepOf.get(id)?.step)).toEqual(Array(FITS).fill('deliver'));
    expect(approvedIds.map((id) => stepOf.get(id)?.funding_blocked_reason)).toEqual(Array(FITS).fill(null));
    const waiting = ids.filter((id) => !approvedIds.includes(id)).map((id) => stepOf.get(id));
    expect(waiting.map((r) => r?.step)).toEqual(Array(CASES - FITS).fill('approve'));
    expect(waiting.every((r) => typeof r?.funding_blocked_reason === 'string')).toBe(true);
    const reservations = await h.db
      .selectFrom('ledger_transaction')
      .select(['case_id', sql<number>`count(*)::int`.as('n')])
      .where('case_id', 'in', ids)
      .where('kind', '=', 'reserve')
      .groupBy('case_id')
      .execute();
    expect(reservations.map((r) => r.case_id).sort()).toEqual([...approvedIds].sort());
    expect(reservations.every((r) => r.n === 1)).toBe(true);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter((s) => JSON.stringify(s) !== JSON.stringify(NO_VIOLATIONS))).toEqual([]);
    expect(await ledgerViolations(h.db)).toEqual(NO_VIOLATIONS);
  });

  test('two approvers of the unit approving one plan at once: one succeeds, the other gets 409, one reservation', async () => {
    const funded = await h.request('POST', '/budgets', {
      token: await api.token('xinchang_admin'),
      body: { unitId: township, year: YEAR, fund: 'warmth', amountFen: 500_000 },
    });
    expect(funded.status).toBe(201);
    const second = await createStaff(h, await api.token('xinchang_admin'), {
      unitId: township,
      role: 'supervisor',
      prefix: 'xc_t2_sup',
    });
    const id = await caseAtApprove(await api.workerAt(grassroots));
    const before = await budgetRow();

    const answers = await Promise.all([
      h.request('POST', `/cases/${id}/actions/approve`, {
        token: await api.token('xinchang_t2_caseworker'),
        body: { note: '同意' },
      }),
      h.request('POST', `/cases/${id}/actions/approve`, { token: second.token, body: { note: '同意' } }),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expectError(
      answers.find((a) => a.status === 409)!,
      409,
      'STEP_MISMATCH',
    );
    const reservations = await h.db
      .selectFrom('ledger_transaction')
      .select('posting_key')
      .where('case_id', '=', id)
      .where('kind', '=', 'reserve')
      .execute();
    expect(reservations).toEqual([{ posting_key: `reserve:${id}:1` }]);
    expect((await budgetRow()).reserved_fen).toBe(before.reserved_fen + PLAN_FEN);
    const approvals = (await api.get('xinchang_t2_caseworker', id)).timeline.filter((e) => e.kind === 'approve');
    expect(approvals).toHaveLength(1);
    expect(await ledgerViolations(h.db)).toEqual(NO_VIOLATIONS);
  });
});
