import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Department data (feeds): batches as uploaded and their rows, one table for every kind. Perception reads the
 * rows to flag hardship; the worker portal's warm-heart list reads the help other departments gave.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feed_batch')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('content_hash', 'text', (col) => col.notNull())
    .addColumn('format', 'text', (col) => col.notNull().check(sql`format in ('ndjson', 'csv')`))
    .addColumn('uploaded_by_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('uploaded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('accepted', 'integer', (col) => col.notNull().check(sql`accepted >= 0`))
    .addColumn('rejected', 'integer', (col) => col.notNull().check(sql`rejected >= 0`))
    .addColumn('errors', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addUniqueConstraint('feed_batch_kind_content_hash_key', ['kind', 'content_hash'])
    .execute();

  await db.schema
    .createTable('feed_row')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('row_key', 'text', (col) => col.notNull())
    .addColumn('batch_id', 'uuid', (col) => col.notNull().references('feed_batch.id'))
    .addColumn('id_number_hash', 'text', (col) => col.notNull())
    .addColumn('worker_id', 'uuid', (col) => col.references('worker.id'))
    .addColumn('occurred_on', 'date', (col) => col.notNull())
    .addColumn('amount_fen', 'bigint', (col) => col.check(sql`amount_fen >= 0`))
    .addColumn('department', 'text', (col) => col.notNull())
    .addColumn('detail', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('feed_row_kind_row_key_key', ['kind', 'row_key'])
    .execute();
  await sql`create index feed_row_worker_idx on feed_row (worker_id, kind, occurred_on) where worker_id is not null`.execute(
    db,
  );
  await sql`create index feed_row_unmatched_idx on feed_row (id_number_hash) where worker_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feed_row').execute();
  await db.schema.dropTable('feed_batch').execute();
}
