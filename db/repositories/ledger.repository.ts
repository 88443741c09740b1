import { sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { LedgerAccount, LedgerKind } from '../tables/fund.table.js';

/**
 * The double-entry ledger. Every movement of money is one transaction, unique on its posting key, whose entries
 * sum to zero; the budget rows carry running balances that change in the same database transaction. Nothing is
 * ever updated or deleted in the ledger: a correction is a reversing transaction. Callers pass a transaction.
 */

type Trx = Transaction<Database>;

export interface EntryDraft {
  budgetId: string | null;
  account: LedgerAccount;
  amountFen: number;
}

export interface PostingDraft {
  postingKey: string;
  kind: LedgerKind;
  caseId?: string | null;
  actorUserId?: string | null;
  memo?: string | null;
  entries: EntryDraft[];
}

export interface Posted {
  transactionId: string;
  /** False when the posting key was already used: the movement happened before and nothing was written now. */
  created: boolean;
}

/** Balance deltas on one budget row; the account each affects is named after the column. */
export interface BudgetDelta {
  allocated?: number;
  allocatedOut?: number;
  reserved?: number;
  paid?: number;
}

export class LedgerImbalanceError extends Error {
  override name = 'LedgerImbalanceError';
}

/** A budget could not cover a movement; thrown so that the surrounding database transaction rolls back. */
export class InsufficientFundsError extends Error {
  override name = 'InsufficientFundsError';

  constructor(readonly budgetId: string) {
    super(`Budget ${budgetId} cannot cover the movement`);
  }
}

/** Writes the transaction and its entries, or finds the one already written under the same key. */
export async function post(trx: Trx, draft: PostingDraft): Promise<Posted> {
  const sum = draft.entries.reduce((total, entry) => total + entry.amountFen, 0);
  if (sum !== 0 || draft.entries.length < 2 || draft.entries.some((e) => !Number.isSafeInteger(e.amountFen))) {
    throw new LedgerImbalanceError(`Posting ${draft.postingKey} does not balance`);
  }
  const claimed = await claimPostingKey(trx, draft);
  if (claimed.created) {
    await writeEntries(trx, claimed.transactionId, draft.entries);
  }
  return claimed;
}

async function claimPostingKey(trx: Trx, draft: Omit<PostingDraft, 'entries'>): Promise<Posted> {
  const inserted = await trx
    .insertInto('ledger_transaction')
    .values({
      posting_key: draft.postingKey,
      kind: draft.kind,
      case_id: draft.caseId ?? null,
      actor_user_id: draft.actorUserId ?? null,
      memo: draft.memo ?? null,
    })
    .onConflict((oc) => oc.column('posting_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    return { transactionId: inserted.id, created: true };
  }
  const existing = await trx
    .selectFrom('ledger_transaction')
    .select('id')
    .where('posting_key', '=', draft.postingKey)
    .executeTakeFirstOrThrow();
  return { transactionId: existing.id, created: false };
}

async function writeEntries(trx: Trx, transactionId: string, entries: EntryDraft[]): Promise<void> {
  await trx
    .insertInto('ledger_entry')
    .values(
      entries.map((entry) => ({
        transaction_id: transactionId,
        budget_id: entry.budgetId,
        account: entry.account,
        amount_fen: entry.amountFen,
      })),
    )
    .execute();
}

/**
 * Applies balance deltas to a budget only if it stays within its allocation (available never below zero, no
 * balance negative). The row lock of the UPDATE serialises concurrent approvals on the same budget.
 * Returns false, changing nothing, when the budget cannot cover it.
 */
export async function applyToBudget(trx: Trx, budgetId: string, delta: BudgetDelta): Promise<boolean> {
  const a = delta.allocated ?? 0;
  const o = delta.allocatedOut ?? 0;
  const r = delta.reserved ?? 0;
  const p = delta.paid ?? 0;
  const updated = await trx
    .updateTable('budget')
    .set({
      allocated_fen: sql`allocated_fen + ${a}`,
      allocated_out_fen: sql`allocated_out_fen + ${o}`,
      reserved_fen: sql`reserved_fen + ${r}`,
      paid_fen: sql`paid_fen + ${p}`,
      updated_at: sql`now()`,
    })
    .where('id', '=', budgetId)
    .where(sql<boolean>`allocated_out_fen + ${o} >= 0 and reserved_fen + ${r} >= 0 and paid_fen + ${p} >= 0`)
    .where(sql<boolean>`(allocated_out_fen + ${o}) + (reserved_fen + ${r}) + (paid_fen + ${p}) <= allocated_fen + ${a}`)
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}

export type Movement =
  | { kind: 'fund'; budgetId: string; amountFen: number }
  | { kind: 'allocate'; fromBudgetId: string; toBudgetId: string; amountFen: number }
  | { kind: 'reserve' | 'release' | 'pay' | 'reverse'; budgetId: string; amountFen: number };

/**
 * The ledger entries and balance deltas of each kind of movement. Accounts: `source` (money brought into the
 * fund), and per budget `available`, `reserved` (earmarked for an approved plan) and `paid` (given to workers).
 */
function plan(movement: Movement): { entries: EntryDraft[]; deltas: [string, BudgetDelta][] } {
  const x = movement.amountFen;
  switch (movement.kind) {
    case 'fund':
      return {
        entries: [
          { budgetId: null, account: 'source', amountFen: -x },
          { budgetId: movement.budgetId, account: 'available', amountFen: x },
        ],
        deltas: [[movement.budgetId, { allocated: x }]],
      };
    case 'allocate':
      return {
        entries: [
          { budgetId: movement.fromBudgetId, account: 'available', amountFen: -x },
          { budgetId: movement.toBudgetId, account: 'available', amountFen: x },
        ],
        deltas: [
          [movement.fromBudgetId, { allocatedOut: x }],
          [movement.toBudgetId, { allocated: x }],
        ],
      };
    case 'reserve':
      return {
        entries: [
          { budgetId: movement.budgetId, account: 'available', amountFen: -x },
          { budgetId: movement.budgetId, account: 'reserved', amountFen: x },
        ],
        deltas: [[movement.budgetId, { reserved: x }]],
      };
    case 'release':
      return {
        entries: [
          { budgetId: movement.budgetId, account: 'reserved', amountFen: -x },
          { budgetId: movement.budgetId, account: 'available', amountFen: x },
        ],
        deltas: [[movement.budgetId, { reserved: -x }]],
      };
    case 'pay':
      return {
        entries: [
          { budgetId: movement.budgetId, account: 'reserved', amountFen: -x },
          { budgetId: movement.budgetId, account: 'paid', amountFen: x },
        ],
        deltas: [[movement.budgetId, { reserved: -x, paid: x }]],
      };
    case 'reverse':
      return {
        entries: [
          { budgetId: movement.budgetId, account: 'paid', amountFen: -x },
          { budgetId: movement.budgetId, account: 'available', amountFen: x },
        ],
        deltas: [[movement.budgetId, { paid: -x }]],
      };
  }
}

/**
 * Moves money: posts the balanced transaction and applies its balance deltas, all or nothing, idempotent on
 * the posting key. Throws InsufficientFundsError when a budget cannot cover it; the caller's transaction then
 * rolls back whole. Budgets are touched in id order so that two movements between the same budgets cannot
 * deadlock.
 */
export async function move(
  trx: Trx,
  movement: Movement,
  meta: Omit<PostingDraft, 'entries' | 'kind'>,
): Promise<Posted> {
  if (!Number.isSafeInteger(movement.amountFen) || movement.amountFen <= 0) {
    throw new LedgerImbalanceError('A movement needs a positive whole number of fen');
  }
  const { entries, deltas } = plan(movement);
  // Claiming the posting key first makes a concurrent mover of the same key wait on the unique index until this
  // transaction ends, then find the key taken: at most one of them ever touches the balances.
  const claimed = await claimPostingKey(trx, { ...meta, kind: movement.kind });
  if (!claimed.created) {
    return claimed;
  }
  for (const [budgetId, delta] of [...deltas].sort(([a], [b]) => a.localeCompare(b))) {
    if (!(await applyToBudget(trx, budgetId, delta))) {
      throw new InsufficientFundsError(budgetId);
    }
  }
  await writeEntries(trx, claimed.transactionId, entries);
  return claimed;
}
