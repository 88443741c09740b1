import type { ColumnType, Generated, Selectable } from 'kysely';

type Json<T> = ColumnType<T, string, string>;

/**
 * The kinds of department data the federation receives. Each kind has its own row schema (validated on import);
 * every kind is stored in `feed_row` with the columns all kinds share and the rest in `detail`.
 */
export const FEED_KINDS = [
  'medical_expense', // 医疗费用 (医保局)
  'minimum_living_allowance', // 最低生活保障 (民政局)
  'unemployment_registration', // 失业登记 (人社局)
  'unpaid_wages', // 欠薪 (人社局、法院)
  'disability_certificate', // 残疾证 (残联)
  'serious_illness', // 大病 (医保局、卫健委)
  'housing_hardship', // 住房困难 (住建局)
  'child_tuition', // 子女学费 (教育局)
  'disaster_accident', // 灾害与意外 (应急管理局)
  'family_death', // 家庭成员死亡 (公安局、民政局)
  'low_income', // 低收入 (民政局、税务局)
  'work_injury', // 工伤 (人社局)
  'department_help', // 其他部门已给予的帮扶
] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** One uploaded batch of one kind. The same content uploaded again finds this batch and stores nothing. */
export interface FeedBatchTable {
  id: Generated<string>;
  kind: FeedKind;
  /** SHA-256 of the uploaded body; unique per kind. */
  content_hash: string;
  format: 'ndjson' | 'csv';
  uploaded_by_user_id: string | null;
  uploaded_at: Generated<Date>;
  accepted: number;
  rejected: number;
  /** The rows refused: `[{ line, field, reason }]`, capped in size by the importer. */
  errors: Json<{ line: number; field: string; reason: string }[]>;
  /** Accepted rows that were new; the others (`duplicates`) were already stored from an earlier batch. */
  stored: Generated<number>;
  duplicates: Generated<number>;
  /** Every problem found, also those beyond the capped `errors` list. */
  error_count: Generated<number>;
  bytes: Generated<number>;
  encoding: Generated<string>;
}

/**
 * One row of department data about one person. `row_key` is a hash of the row's normalised content, unique per
 * kind, so a row sent again in another batch is stored once. The person is known by the keyed hash of their
 * ID-card number (never the number itself); `worker_id` is filled when a union member has that hash, now or later.
 */
export interface FeedRowTable {
  id: Generated<string>;
  kind: FeedKind;
  row_key: string;
  batch_id: string;
  id_number_hash: string;
  worker_id: string | null;
  /** The date the fact happened or was recorded by the department (never in the future). */
  occurred_on: string;
  /** Money in fen where the kind has an amount (expenses, wages owed, help given); null otherwise. */
  amount_fen: number | null;
  /** The department that sent the row, in Chinese (for example 医保局). */
  department: string;
  /** The kind's own fields, validated by its schema. */
  detail: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export type FeedBatch = Selectable<FeedBatchTable>;
export type FeedRow = Selectable<FeedRowTable>;
