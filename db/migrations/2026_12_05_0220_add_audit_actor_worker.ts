import type { Kysely } from 'kysely';

/**
 * Audit rows of what a signed-in worker did in the portal name the worker (`actor_kind = 'worker'`); staff rows
 * keep naming the staff account in `actor_user_id`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('actor_worker_id', 'uuid', (col) => col.references('worker.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('audit_log_actor_worker_id_idx').on('audit_log').column('actor_worker_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_actor_worker_id_idx').ifExists().execute();
  await db.schema.alterTable('audit_log').dropColumn('actor_worker_id').execute();
}
