import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../database.js';
import type { FeedBatch, FeedKind } from '../tables/feed.table.js';

/** Writes and reads of department feed batches and rows. No business rules: validation happens before. */

export interface FeedRowValues {
  rowKeys: string[];
  idNumberHashes: string[];
  occurredOn: string[];
  amountFen: (number | null)[];
  departments: string[];
  details: string[];
}

/**
 * Stores one chunk of validated rows of a batch in one statement, each matched to its worker by the keyed hash
 * of the ID-card number; a row already stored (same kind and row key, from this batch or an earlier one) is
 * skipped. Returns how many rows were new.
 */
export async function insertFeedRows(
  trx: Transaction<Database>,
  kind: FeedKind,
  batchId: string,
  rows: FeedRowValues,
): Promise<number> {
  const result = await sql`
    insert into feed_row (kind, row_key, batch_id, id_number_hash, worker_id, occurred_on, amount_fen, department, detail)
    select ${kind}, v.row_key, ${batchId}::uuid, v.id_number_hash, w.id, v.occurred_on, v.amount_fen, v.department,
           v.detail::jsonb
    from unnest(${rows.rowKeys}::text[], ${rows.idNumberHashes}::text[], ${rows.occurredOn}::date[],
                ${rows.amountFen}::bigint[], ${rows.departments}::text[], ${rows.details}::text[])
         as v(row_key, id_number_hash, occurred_on, amount_fen, department, detail)
    left join worker w on w.id_number_hash = v.id_number_hash
    on conflict (kind, row_key) do nothing
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

export async function createPendingBatch(
  trx: Transaction<Database>,
  values: {
    kind: FeedKind;
    format: 'ndjson' | 'csv';
    encoding: string;
    uploadedBy: string | null;
    placeholder: string;
  },
): Promise<string> {
  const row = await trx
    .insertInto('feed_batch')
    .values({
      kind: values.kind,
      content_hash: values.placeholder,
      format: values.format,
      encoding: values.encoding,
      uploaded_by_user_id: values.uploadedBy,
      accepted: 0,
      rejected: 0,
      errors: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function completeBatch(
  trx: Transaction<Database>,
  batchId: string,
  values: {
    contentHash: string;
    accepted: number;
    rejected: number;
    stored: number;
    errorCount: number;
    bytes: number;
    errors: { line: number; field: string; reason: string }[];
  },
): Promise<void> {
  await trx
    .updateTable('feed_batch')
    .set({
      content_hash: values.contentHash,
      accepted: values.accepted,
      rejected: values.rejected,
      stored: values.stored,
      duplicates: values.accepted - values.stored,
      error_count: values.errorCount,
      bytes: values.bytes,
      errors: JSON.stringify(values.errors),
    })
    .where('id', '=', batchId)
    .execute();
}

export async function findBatchByContent(db: Db, kind: FeedKind, contentHash: string): Promise<FeedBatch | undefined> {
  return db
    .selectFrom('feed_batch')
    .selectAll()
    .where('kind', '=', kind)
    .where('content_hash', '=', contentHash)
    .executeTakeFirst();
}

export async function findBatch(db: Db, batchId: string): Promise<FeedBatch | undefined> {
  return db.selectFrom('feed_batch').selectAll().where('id', '=', batchId).executeTakeFirst();
}
