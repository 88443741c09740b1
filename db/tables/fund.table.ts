import type { ColumnType, Generated, Selectable } from 'kysely';

type Json<T> = ColumnType<T, string, string>;

export { FUNDS, type Fund } from '../../workflows/shared/case-vocabulary.js';

/** One budget of one unit for one year and fund, with running balances kept equal to its ledger entries. */
export interface BudgetTable {
  id: Generated<string>;
  unit_id: string;
  unit_path: string;
  year: number;
  fund: string;
  allocated_fen: Generated<number>;
  allocated_out_fen: Generated<number>;
  reserved_fen: Generated<number>;
  paid_fen: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type LedgerKind = 'fund' | 'allocate' | 'reserve' | 'release' | 'pay' | 'reverse';
export type LedgerAccount = 'source' | 'available' | 'allocated_out' | 'reserved' | 'paid';

/** Append-only; one row per posting key. Its entries sum to zero. */
export interface LedgerTransactionTable {
  id: Generated<string>;
  posting_key: string;
  kind: LedgerKind;
  case_id: string | null;
  actor_user_id: string | null;
  memo: string | null;
  posted_at: Generated<Date>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LedgerEntryTable {
  id: Generated<string>;
  transaction_id: string;
  budget_id: string | null;
  account: LedgerAccount;
  amount_fen: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PaymentTable {
  id: Generated<string>;
  case_id: string;
  plan_version: number;
  item_index: number;
  kind: string;
  amount_fen: number;
  method: string;
  reference: string;
  worker_id: string;
  household_id: string;
  budget_id: string;
  /** Path of the budget's unit (who paid). */
  unit_path: string;
  /** Path of the family's union (who was helped), for the funds report. */
  worker_unit_path: string;
  /** Whether the family was a registered hardship household when paid. */
  registered_household: boolean;
  category: string;
  fund: string;
  transaction_id: string;
  paid_at: Date;
  reversed_at: Date | null;
  reversal_transaction_id: string | null;
  reversal_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AssistanceStandardTable {
  id: Generated<string>;
  category: string;
  max_per_case_fen: number;
  max_per_household_year_fen: number;
  updated_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ThresholdTier {
  upToFen: number | null;
  level: 'township' | 'district' | 'city';
}

export interface ApprovalThresholdPolicyTable {
  id: Generated<string>;
  version: number;
  tiers: Json<ThresholdTier[]>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StandardExceptionTable {
  id: Generated<string>;
  case_id: string;
  reason: string;
  granted_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type Budget = Selectable<BudgetTable>;
export type Payment = Selectable<PaymentTable>;
