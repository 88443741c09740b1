import { ApplicationFailure, log } from '@temporalio/activity';
import { appendCaseEvent } from './case-events.js';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { InsufficientFundsError, move } from '../db/repositories/ledger.repository.js';
import type { PlanItem } from '../workflows/case-lifecycle/case-lifecycle.state.js';
import { FailureType } from '../workflows/shared/failure-types.js';
import { notifyUnitStaff } from './case-records.activities.js';
import { checkStandard, fundYear } from './fund-rules.js';

export interface FundDeps {
  db: Db;
}

export interface ReserveRequest {
  caseId: string;
  seq: number;
  stepSeq: number;
  planVersion: number;
  approverUnitId: string;
  totalFen: number;
  occurredAt: number;
}

export type ReserveOutcome =
  { ok: true; budgetId: string } | { ok: false; reason: 'no_budget' | 'insufficient' | 'standard'; message: string };

const yuan = (fen: number) => `${(fen / 100).toFixed(2)} 元`;

export const reserveKey = (caseId: string, planVersion: number) => `reserve:${caseId}:${planVersion}`;

/** Carries a refused reservation out of its transaction, which must roll back. */
class NotReserved extends Error {
  constructor(readonly outcome: ReserveOutcome & { ok: false }) {
    super(outcome.message);
  }
}

/** Money movements of a case: reserve on approval, pay on delivery, release when a reserved case ends unpaid. */
export function createFundActivities({ db }: FundDeps) {
  async function blockFunding(request: ReserveRequest, reason: string, message: string, data: object) {
    await db.transaction().execute(async (trx) => {
      const inserted = await appendCaseEvent(trx, {
        caseId: request.caseId,
        seq: request.seq,
        kind: 'funding_blocked',
        fromStep: 'approve',
        toStep: 'approve',
        actorUserId: null,
        actorUnitId: null,
        holderUnitId: request.approverUnitId,
        data: { reason, message, ...data },
        occurredAt: request.occurredAt,
      });
      if (!inserted) {
        return;
      }
      await trx
        .updateTable('assistance_case')
        .set({
          funding_blocked_reason: message,
          last_seq: sql`greatest(last_seq, ${request.seq})`,
          updated_at: sql`now()`,
        })
        .where('id', '=', request.caseId)
        .execute();
      await notifyUnitStaff(trx, {
        caseId: request.caseId,
        unitId: request.approverUnitId,
        kind: 'funding_blocked',
        dedupeKey: `${request.caseId}:${request.seq}:funding_blocked`,
        deliverAt: new Date(request.occurredAt),
        title: `工单待审批但资金不足：${message}`,
        data: { reason },
        roles: ['admin', 'supervisor'],
      });
    });
  }

  function reserveInTransaction(request: ReserveRequest, year: number): Promise<ReserveOutcome> {
    return db.transaction().execute(async (trx): Promise<ReserveOutcome> => {
      const kase = await trx
        .selectFrom('assistance_case')
        .select(['household_id', 'category', 'fund'])
        .where('id', '=', request.caseId)
        .executeTakeFirstOrThrow();
      await trx.selectFrom('household').select('id').where('id', '=', kase.household_id).forUpdate().execute();
      const breach = await checkStandard(trx, {
        caseId: request.caseId,
        householdId: kase.household_id,
        category: kase.category,
        totalFen: request.totalFen,
        year,
      });
      if (breach) {
        return {
          ok: false,
          reason: 'standard',
          message: `超出帮扶标准（${breach.rule === 'max_per_case' ? '单次上限' : '家庭年度上限'} ${yuan(breach.limitFen)}，尚可 ${yuan(breach.leftFen)}）`,
        };
      }
      const budget = await trx
        .selectFrom('budget')
        .select(['id', sql<number>`allocated_fen - allocated_out_fen - reserved_fen - paid_fen`.as('available')])
        .where('unit_id', '=', request.approverUnitId)
        .where('year', '=', year)
        .where('fund', '=', kase.fund)
        .executeTakeFirst();
      if (!budget) {
        return { ok: false, reason: 'no_budget', message: `审批单位没有 ${year} 年度该资金的预算` };
      }
      try {
        await move(
          trx,
          { kind: 'reserve', budgetId: budget.id, amountFen: request.totalFen },
          { postingKey: reserveKey(request.caseId, request.planVersion), caseId: request.caseId },
        );
      } catch (error) {
        if (error instanceof InsufficientFundsError) {
          // Thrown on, so the transaction rolls back whole (the posting key it claimed included).
          throw new NotReserved({
            ok: false,
            reason: 'insufficient',
            message: `预算可用余额 ${yuan(Number(budget.available))}，不足以支付本方案 ${yuan(request.totalFen)}`,
          });
        }
        throw error;
      }
      await trx
        .updateTable('assistance_case')
        .set({ funding_blocked_reason: null, updated_at: sql`now()` })
        .where('id', '=', request.caseId)
        .execute();
      return { ok: true, budgetId: budget.id };
    });
  }

  return {
    /**
     * Reserves an approved plan's total on the approving unit's budget for the year and the case's fund, after
     * re-checking the assistance standard under a lock on the household. Idempotent on the plan version. When the
     * budget is missing or short, or the standard would be broken, nothing is reserved: the case is flagged, the
     * approving unit's supervisors are told why, and the outcome says so (the approval then fails and waits).
     */
    async reserveFunds(request: ReserveRequest): Promise<ReserveOutcome> {
      const year = fundYear(request.occurredAt);
      const outcome = await reserveInTransaction(request, year).catch((error: unknown) => {
        if (error instanceof NotReserved) {
          return error.outcome;
        }
        throw error;
      });
      if (!outcome.ok) {
        await blockFunding(request, outcome.reason, outcome.message, { totalFen: request.totalFen, year });
        log.warn('Funds not reserved', { caseId: request.caseId, reason: outcome.reason });
      }
      return outcome;
    },

    /**
     * Turns the reservation into payments, one per plan item, each idempotent on (case, plan version, item):
     * a retried delivery never pays twice.
     */
    async payFunds(request: {
      caseId: string;
      planVersion: number;
      items: PlanItem[];
      method: string;
      reference: string;
      occurredAt: number;
    }): Promise<{ paidFen: number }> {
      return db.transaction().execute(async (trx) => {
        const reservation = await trx
          .selectFrom('ledger_entry as e')
          .innerJoin('ledger_transaction as t', 't.id', 'e.transaction_id')
          .innerJoin('budget as b', 'b.id', 'e.budget_id')
          .select(['e.budget_id', 'b.unit_path'])
          .where('t.posting_key', '=', reserveKey(request.caseId, request.planVersion))
          .where('e.account', '=', 'reserved')
          .executeTakeFirst();
        if (!reservation?.budget_id) {
          throw ApplicationFailure.nonRetryable('No reservation for this plan', FailureType.FundsUnavailable);
        }
        const kase = await trx
          .selectFrom('assistance_case as c')
          .innerJoin('worker as w', 'w.id', 'c.worker_id')
          .select(['c.worker_id', 'c.household_id', 'c.category', 'c.fund', 'c.worker_unit_path', 'w.hardship_status'])
          .where('c.id', '=', request.caseId)
          .executeTakeFirstOrThrow();
        let paidFen = 0;
        for (const [index, item] of request.items.entries()) {
          const posted = await move(
            trx,
            { kind: 'pay', budgetId: reservation.budget_id, amountFen: item.amountFen },
            { postingKey: `pay:${request.caseId}:${request.planVersion}:${index}`, caseId: request.caseId },
          );
          await trx
            .insertInto('payment')
            .values({
              case_id: request.caseId,
              plan_version: request.planVersion,
              item_index: index,
              kind: item.kind,
              amount_fen: item.amountFen,
              method: request.method,
              reference: request.reference,
              worker_id: kase.worker_id,
              household_id: kase.household_id,
              budget_id: reservation.budget_id,
              unit_path: reservation.unit_path,
              worker_unit_path: kase.worker_unit_path,
              registered_household: kase.hardship_status === 'registered',
              category: kase.category,
              fund: kase.fund,
              transaction_id: posted.transactionId,
              paid_at: new Date(request.occurredAt),
            })
            .onConflict((oc) => oc.columns(['case_id', 'plan_version', 'item_index']).doNothing())
            .execute();
          paidFen += item.amountFen;
        }
        log.info('Case paid', { caseId: request.caseId, planVersion: request.planVersion, paidFen });
        return { paidFen };
      });
    },

    /** Gives back what a plan reserved and never paid (the case was withdrawn after approval). */
    async releaseFunds(request: { caseId: string; planVersion: number }): Promise<{ releasedFen: number }> {
      return db.transaction().execute(async (trx) => {
        const reserved = await trx
          .selectFrom('ledger_entry as e')
          .innerJoin('ledger_transaction as t', 't.id', 'e.transaction_id')
          .select(['e.budget_id', sql<number>`sum(e.amount_fen)::bigint`.as('outstanding')])
          .where('t.case_id', '=', request.caseId)
          .where('e.account', '=', 'reserved')
          .groupBy('e.budget_id')
          .execute();
        let releasedFen = 0;
        for (const row of reserved) {
          const outstanding = Number(row.outstanding);
          if (row.budget_id && outstanding > 0) {
            await move(
              trx,
              { kind: 'release', budgetId: row.budget_id, amountFen: outstanding },
              { postingKey: `release:${request.caseId}:${request.planVersion}`, caseId: request.caseId },
            );
            releasedFen += outstanding;
          }
        }
        return { releasedFen };
      });
    },
  };
}
