import { sql, type Kysely } from 'kysely';

/**
 * The policy list of the worker portal (政策清单): assistance policies with who qualifies as structured
 * conditions (JSON, checked by the API before it is stored), whom to contact and when each is in force.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('assistance_policy')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('summary', 'text', (col) => col.notNull())
    .addColumn('conditions', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('contact', 'text', (col) => col.notNull())
    .addColumn('valid_from', 'date', (col) => col.notNull())
    .addColumn('valid_to', 'date')
    .addColumn('active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('revision', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('updated_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('assistance_policy_valid_range', sql`valid_to is null or valid_to >= valid_from`)
    .execute();
  await db.schema
    .createIndex('assistance_policy_active_valid_from_idx')
    .on('assistance_policy')
    .columns(['active', 'valid_from'])
    .execute();
  await db.schema
    .createIndex('assistance_policy_created_by_idx')
    .on('assistance_policy')
    .column('created_by')
    .execute();
  await db.schema
    .createIndex('assistance_policy_updated_by_idx')
    .on('assistance_policy')
    .column('updated_by')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('assistance_policy').ifExists().execute();
}
