import { sql, type Kysely } from 'kysely';

/**
 * The worker portal's sign-in by phone and one-time code: the codes sent (only a keyed hash of each code is kept,
 * with its expiry, wrong-attempt counter and single use) and every sign-in attempt, which the per-address throttle
 * counts. Both are keyed by the phone's lookup hash, never the phone itself. A daily schedule purges old rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('portal_login_code')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('phone_hash', 'text', (col) => col.notNull())
    .addColumn('code_hash', 'text', (col) => col.notNull())
    .addColumn('requested_ip', 'text', (col) => col.notNull())
    .addColumn('delivered', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`attempts >= 0`),
    )
    .addColumn('consumed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('portal_login_code_phone_hash_created_at_idx')
    .on('portal_login_code')
    .columns(['phone_hash', 'created_at'])
    .execute();
  await db.schema
    .createIndex('portal_login_code_requested_ip_created_at_idx')
    .on('portal_login_code')
    .columns(['requested_ip', 'created_at'])
    .execute();
  await db.schema
    .createIndex('portal_login_code_created_at_idx')
    .on('portal_login_code')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('portal_login_attempt')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('phone_hash', 'text', (col) => col.notNull())
    .addColumn('ip', 'text', (col) => col.notNull())
    .addColumn('succeeded', 'boolean', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index portal_login_attempt_failed_ip_idx on portal_login_attempt (ip, created_at) where not succeeded`.execute(
    db,
  );
  await db.schema
    .createIndex('portal_login_attempt_created_at_idx')
    .on('portal_login_attempt')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('portal_login_attempt').ifExists().execute();
  await db.schema.dropTable('portal_login_code').ifExists().execute();
}
