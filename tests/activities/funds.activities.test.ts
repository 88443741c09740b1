import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createCaseRecordActivities } from '../../activities/case-records.activities.js';
import { createFundActivities, reserveKey } from '../../activities/funds.activities.js';
import { createDb, type Db } from '../../db/database.js';
import { InsufficientFundsError, move } from '../../db/repositories/ledger.repository.js';
import { buildOrgTree, buildStaffAccounts } from '../../seeds/01-reference-data.js';
import type { TransitionRecord } from '../../workflows/case-lifecycle/case-lifecycle.records.js';
import { initialState, openingEvent, type CaseOpening } from '../../workflows/case-lifecycle/case-lifecycle.state.js';

/*
 * The money activities against the real database, run in MockActivityEnvironment. Isolation: budgets of the
 * zhuji_t2 township and its grassroots unions for the year 2099 only (no other file uses them); every movement here
 * is dated in 2099 through the activity's `occurredAt`, so the current-year zhuji budgets are never touched. Cases
 * are written by the real `recordCaseTransition` activity (as a workflow's first write does), already closed so that
 * they sit in nobody's inbox.
 */

const YEAR = 2099;
const AT = Date.UTC(YEAR, 5, 1, 2, 0, 0);
const units = new Map(buildOrgTree().map((unit) => [unit.handle, unit]));
const unit = (handle: string) => units.get(handle)!;
const caseworker = buildStaffAccounts(buildOrgTree()).find((a) => a.username === 'zhuji_t2_caseworker')!;

describe('fund activities', () => {
  let db: Db;
  let fund: ReturnType<typeof createFundActivities>;
  let records: ReturnType<typeof createCaseRecordActivities>;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    db = createDb({ connectionString: inject('databaseUrl'), poolSize: 4 });
    fund = createFundActivities({ db });
    records = createCaseRecordActivities({ db });
  });

  afterAll(async () => {
    await db?.destroy();
  });

  /** A budget of the unit for 2099 with `amountFen` added to it through the ledger; answers its id. */
  async function fundedBudget(handle: string, amountFen: number): Promise<string> {
    const u = unit(handle);
    await db
      .insertInto('budget')
      .values({ unit_id: u.id, unit_path: u.path, year: YEAR, fund: 'warmth' })
      .onConflict((oc) => oc.columns(['unit_id', 'year', 'fund']).doNothing())
      .execute();
    const { id } = await db
      .selectFrom('budget')
      .select('id')
      .where('unit_id', '=', u.id)
      .where('year', '=', YEAR)
      .where('fund', '=', 'warmth')
      .executeTakeFirstOrThrow();
    await db
      .transaction()
      .execute((trx) =>
        move(trx, { kind: 'fund', budgetId: id, amountFen }, { postingKey: `test:fund:${randomUUID()}` }),
      );
    return id;
  }

  const balances = (budgetId: string) =>
    db
      .selectFrom('budget')
      .select(['allocated_fen', 'allocated_out_fen', 'reserved_fen', 'paid_fen'])
      .where('id', '=', budgetId)
      .executeTakeFirstOrThrow();

  /** Writes a closed living case of a seeded worker of the grassroots union through recordCaseTransition. */
  async function recordedCase(grassroots: string): Promise<string> {
    const g = unit(grassroots);
    const worker = await db
      .selectFrom('worker')
      .select('id')
      .where('unit_id', '=', g.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const township = unit('zhuji_t2');
    const opening: CaseOpening = {
      caseId: randomUUID(),
      workerId: worker.id,
      workerUnit: { id: g.id, path: g.path },
      category: 'living',
      urgency: 'normal',
      source: 'staff',
      summary: '活动测试用工单',
      openedBy: { userId: caseworker.id, role: 'caseworker', unit: { id: township.id, path: township.path } },
      policyVersion: 0,
    };
    const state = initialState(opening);
    const record: TransitionRecord = {
      caseId: opening.caseId,
      occurredAt: AT,
      event: openingEvent(opening),
      opening,
      caseRow: { status: 'closed', step: 'done', holder: state.holder, assigneeUnitId: township.id, stepSeq: 1 },
      completedStepSeq: null,
      newStep: null,
      category: 'living',
      urgency: 'normal',
      policyVersion: 0,
    };
    await env.run(records.recordCaseTransition, record);
    return opening.caseId;
  }

  const reserve = (caseId: string, approverHandle: string, totalFen: number) =>
    env.run(fund.reserveFunds, {
      caseId,
      seq: 2,
      stepSeq: 1,
      planVersion: 1,
      approverUnitId: unit(approverHandle).id,
      totalFen,
      occurredAt: AT,
    });

  const PLAN = [
    { kind: '生活补助', amountFen: 100_000 },
    { kind: '交通补助', amountFen: 50_000 },
  ];
  const payArgs = (caseId: string) => ({
    caseId,
    planVersion: 1,
    items: PLAN,
    method: 'bank_transfer',
    reference: `ACT-${caseId.slice(0, 8)}`,
    occurredAt: AT + 60_000,
  });

  async function paymentsOf(caseId: string) {
    return db
      .selectFrom('payment')
      .select(['item_index', 'amount_fen', 'budget_id', 'transaction_id'])
      .where('case_id', '=', caseId)
      .orderBy('item_index')
      .execute();
  }

  async function postingsOf(caseId: string, kind: string) {
    return db
      .selectFrom('ledger_transaction')
      .select('posting_key')
      .where('case_id', '=', caseId)
      .where('kind', '=', kind as never)
      .orderBy('posting_key')
      .execute();
  }

  test('reserveFunds retried with the same request reserves once on the approving unit’s budget', async () => {
    const budgetId = await fundedBudget('zhuji_t2', 1_000_000);
    const caseId = await recordedCase('zhuji_t2_g1');
    const before = await balances(budgetId);

    const first = await reserve(caseId, 'zhuji_t2', 150_000);
    const retried = await reserve(caseId, 'zhuji_t2', 150_000);

    expect(first).toEqual({ ok: true, budgetId });
    expect(retried).toEqual({ ok: true, budgetId });
    expect(await postingsOf(caseId, 'reserve')).toEqual([{ posting_key: reserveKey(caseId, 1) }]);
    expect(await balances(budgetId)).toEqual({ ...before, reserved_fen: before.reserved_fen + 150_000 });
  });

  test('payFunds run twice with the same arguments, as a retry after a failure, pays each item once', async () => {
    const budgetId = await fundedBudget('zhuji_t2', 1_000_000);
    const caseId = await recordedCase('zhuji_t2_g1');
    await reserve(caseId, 'zhuji_t2', 150_000);
    const reserved = await balances(budgetId);

    const first = await env.run(fund.payFunds, payArgs(caseId));
    const retried = await env.run(fund.payFunds, payArgs(caseId));

    expect(first).toEqual({ paidFen: 150_000 });
    expect(retried).toEqual({ paidFen: 150_000 });
    const payments = await paymentsOf(caseId);
    expect(payments.map((p) => [p.item_index, p.amount_fen, p.budget_id])).toEqual([
      [0, 100_000, budgetId],
      [1, 50_000, budgetId],
    ]);
    expect(await postingsOf(caseId, 'pay')).toEqual([
      { posting_key: `pay:${caseId}:1:0` },
      { posting_key: `pay:${caseId}:1:1` },
    ]);
    const pays = await db
      .selectFrom('ledger_transaction')
      .select('id')
      .where('case_id', '=', caseId)
      .where('kind', '=', 'pay')
      .execute();
    expect(payments.map((p) => p.transaction_id).sort()).toEqual(pays.map((t) => t.id).sort());
    expect(await balances(budgetId)).toEqual({
      ...reserved,
      reserved_fen: reserved.reserved_fen - 150_000,
      paid_fen: reserved.paid_fen + 150_000,
    });
  });

  test('a pay posting whose transaction fails after the ledger insert leaves nothing, and the retry pays once', async () => {
    const budgetId = await fundedBudget('zhuji_t2', 1_000_000);
    const caseId = await recordedCase('zhuji_t2_g2');
    await reserve(caseId, 'zhuji_t2', 150_000);
    const reserved = await balances(budgetId);
    const crash = new Error('worker lost its database connection after the ledger insert');

    const failed = db.transaction().execute(async (trx) => {
      const posted = await move(
        trx,
        { kind: 'pay', budgetId, amountFen: 100_000 },
        { postingKey: `pay:${caseId}:1:0`, caseId },
      );
      expect(posted.created).toBe(true);
      throw crash;
    });

    await expect(failed).rejects.toBe(crash);
    expect(await postingsOf(caseId, 'pay')).toEqual([]);
    expect(await balances(budgetId)).toEqual(reserved);
    expect(await env.run(fund.payFunds, payArgs(caseId))).toEqual({ paidFen: 150_000 });
    expect(await env.run(fund.payFunds, payArgs(caseId))).toEqual({ paidFen: 150_000 });
    expect((await paymentsOf(caseId)).map((p) => p.amount_fen)).toEqual([100_000, 50_000]);
    expect(await postingsOf(caseId, 'pay')).toHaveLength(2);
    expect(await balances(budgetId)).toEqual({
      ...reserved,
      reserved_fen: reserved.reserved_fen - 150_000,
      paid_fen: reserved.paid_fen + 150_000,
    });
  });

  test('a payFunds attempt that fails on its second item rolls back the first, and the retry pays both once', async () => {
    // A budget of its own: pay() checks the budget's total reservation, so another case's must not cover the gap.
    const budgetId = await fundedBudget('zhuji_t2_g2', 1_000_000);
    const caseId = await recordedCase('zhuji_t2_g2');
    await reserve(caseId, 'zhuji_t2_g2', 150_000);
    // Take 50,000 fen of the reservation away, so the first attempt pays item 0 and then cannot cover item 1.
    await db
      .transaction()
      .execute((trx) =>
        move(trx, { kind: 'release', budgetId, amountFen: 50_000 }, { postingKey: `test:release:${caseId}`, caseId }),
      );
    const short = await balances(budgetId);

    const attempt = env.run(fund.payFunds, payArgs(caseId));

    await expect(attempt).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await paymentsOf(caseId)).toEqual([]);
    expect(await postingsOf(caseId, 'pay')).toEqual([]);
    expect(await balances(budgetId)).toEqual(short);
    await db
      .transaction()
      .execute((trx) =>
        move(trx, { kind: 'reserve', budgetId, amountFen: 50_000 }, { postingKey: `test:reserve:${caseId}`, caseId }),
      );
    expect(await env.run(fund.payFunds, payArgs(caseId))).toEqual({ paidFen: 150_000 });
    expect(await env.run(fund.payFunds, payArgs(caseId))).toEqual({ paidFen: 150_000 });
    expect((await paymentsOf(caseId)).map((p) => p.amount_fen)).toEqual([100_000, 50_000]);
    expect(await balances(budgetId)).toEqual({
      ...short,
      reserved_fen: short.reserved_fen + 50_000 - 150_000,
      paid_fen: short.paid_fen + 150_000,
    });
  });

  test('payFunds without a reservation fails as non-retryable FundsUnavailableError and pays nothing', async () => {
    const caseId = await recordedCase('zhuji_t2_g1');

    const attempt = env.run(fund.payFunds, payArgs(caseId));

    await expect(attempt).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(attempt).rejects.toMatchObject({ type: 'FundsUnavailableError', nonRetryable: true });
    expect(await paymentsOf(caseId)).toEqual([]);
  });

  test('releaseFunds run twice gives back the unpaid reservation once', async () => {
    const budgetId = await fundedBudget('zhuji_t2', 1_000_000);
    const caseId = await recordedCase('zhuji_t2_g1');
    const before = await balances(budgetId);
    await reserve(caseId, 'zhuji_t2', 150_000);

    const first = await env.run(fund.releaseFunds, { caseId, planVersion: 1 });
    const retried = await env.run(fund.releaseFunds, { caseId, planVersion: 1 });

    expect([first, retried]).toEqual([{ releasedFen: 150_000 }, { releasedFen: 0 }]);
    expect(await postingsOf(caseId, 'release')).toEqual([{ posting_key: `release:${caseId}:1` }]);
    expect(await balances(budgetId)).toEqual(before);
  });

  test('reserveFunds on a budget that cannot cover the plan reserves nothing and flags the case with the reason', async () => {
    const budgetId = await fundedBudget('zhuji_t2', 1);
    const caseId = await recordedCase('zhuji_t2_g2');
    const before = await balances(budgetId);
    const available = before.allocated_fen - before.allocated_out_fen - before.reserved_fen - before.paid_fen;
    const tooMuch = available + 1;

    const outcome = await reserve(caseId, 'zhuji_t2', tooMuch);

    const message = `预算可用余额 ${(available / 100).toFixed(2)} 元，不足以支付本方案 ${(tooMuch / 100).toFixed(2)} 元`;
    expect(outcome).toEqual({ ok: false, reason: 'insufficient', message });
    expect(await balances(budgetId)).toEqual(before);
    expect(await postingsOf(caseId, 'reserve')).toEqual([]);
    const row = await db
      .selectFrom('assistance_case')
      .select('funding_blocked_reason')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(row.funding_blocked_reason).toBe(message);
    const events = await db
      .selectFrom('case_event')
      .select(['seq', 'kind'])
      .where('case_id', '=', caseId)
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      { seq: 1, kind: 'opened' },
      { seq: 2, kind: 'funding_blocked' },
    ]);
  });
});
