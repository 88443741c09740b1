import { sql, type Kysely } from 'kysely';

/**
 * The warmth fund: budgets per unit, year and fund with their running balances, a double-entry ledger
 * (transactions and entries, append-only, idempotent on a posting key), payments to workers, assistance
 * standards, approval thresholds and standard exceptions. Frozen once merged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const stamps = <T extends { addColumn: any }>(table: T): T =>
    table
      .addColumn('created_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`));

  await stamps(
    db.schema
      .createTable('budget')
      .addColumn('id', 'uuid', id)
      .addColumn('unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('unit_path', 'text', (col) => col.notNull())
      .addColumn('year', 'integer', (col) => col.notNull())
      .addColumn('fund', 'text', (col) => col.notNull())
      .addColumn('allocated_fen', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('allocated_out_fen', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('reserved_fen', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('paid_fen', 'bigint', (col) => col.notNull().defaultTo(0))
      .addUniqueConstraint('budget_unit_id_year_fund_key', ['unit_id', 'year', 'fund'])
      .addCheckConstraint(
        'budget_never_overdrawn',
        sql`allocated_out_fen >= 0 and reserved_fen >= 0 and paid_fen >= 0
            and allocated_out_fen + reserved_fen + paid_fen <= allocated_fen`,
      ),
  ).execute();
  await sql`create index budget_unit_path_idx on budget (unit_path text_pattern_ops)`.execute(db);

  await db.schema
    .createTable('ledger_transaction')
    .addColumn('id', 'uuid', id)
    .addColumn('posting_key', 'text', (col) => col.notNull().unique())
    .addColumn('kind', 'text', (col) =>
      col.notNull().check(sql`kind in ('fund', 'allocate', 'reserve', 'release', 'pay', 'reverse')`),
    )
    .addColumn('case_id', 'uuid', (col) => col.references('assistance_case.id').onDelete('restrict'))
    .addColumn('actor_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('memo', 'text')
    .addColumn('posted_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('ledger_transaction_case_id_idx').on('ledger_transaction').column('case_id').execute();
  await db.schema
    .createIndex('ledger_transaction_posted_at_idx')
    .on('ledger_transaction')
    .column('posted_at')
    .execute();

  await db.schema
    .createTable('ledger_entry')
    .addColumn('id', 'uuid', id)
    .addColumn('transaction_id', 'uuid', (col) =>
      col.notNull().references('ledger_transaction.id').onDelete('restrict'),
    )
    .addColumn('budget_id', 'uuid', (col) => col.references('budget.id').onDelete('restrict'))
    .addColumn('account', 'text', (col) =>
      col.notNull().check(sql`account in ('source', 'available', 'allocated_out', 'reserved', 'paid')`),
    )
    .addColumn('amount_fen', 'bigint', (col) => col.notNull().check(sql`amount_fen <> 0`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('ledger_entry_transaction_id_idx').on('ledger_entry').column('transaction_id').execute();
  await db.schema
    .createIndex('ledger_entry_budget_id_idx')
    .on('ledger_entry')
    .columns(['budget_id', 'account'])
    .execute();
  await sql`
    create function ledger_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the ledger is append-only: post a reversing entry instead';
    end $$;
    create trigger ledger_transaction_append_only before update or delete on ledger_transaction
      for each row execute function ledger_append_only();
    create trigger ledger_entry_append_only before update or delete on ledger_entry
      for each row execute function ledger_append_only();
  `.execute(db);

  await stamps(
    db.schema
      .createTable('payment')
      .addColumn('id', 'uuid', id)
      .addColumn('case_id', 'uuid', (col) => col.notNull().references('assistance_case.id').onDelete('restrict'))
      .addColumn('plan_version', 'integer', (col) => col.notNull())
      .addColumn('item_index', 'integer', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('amount_fen', 'bigint', (col) => col.notNull().check(sql`amount_fen > 0`))
      .addColumn('method', 'text', (col) => col.notNull())
      .addColumn('reference', 'text', (col) => col.notNull())
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('household_id', 'uuid', (col) => col.notNull().references('household.id').onDelete('restrict'))
      .addColumn('budget_id', 'uuid', (col) => col.notNull().references('budget.id').onDelete('restrict'))
      .addColumn('unit_path', 'text', (col) => col.notNull())
      .addColumn('category', 'text', (col) => col.notNull())
      .addColumn('fund', 'text', (col) => col.notNull())
      .addColumn('transaction_id', 'uuid', (col) =>
        col.notNull().references('ledger_transaction.id').onDelete('restrict'),
      )
      .addColumn('paid_at', 'timestamptz', (col) => col.notNull())
      .addColumn('reversed_at', 'timestamptz')
      .addColumn('reversal_transaction_id', 'uuid', (col) =>
        col.references('ledger_transaction.id').onDelete('restrict'),
      )
      .addColumn('reversal_reason', 'text')
      .addUniqueConstraint('payment_case_id_plan_version_item_index_key', ['case_id', 'plan_version', 'item_index']),
  ).execute();
  await db.schema.createIndex('payment_household_id_idx').on('payment').column('household_id').execute();
  await db.schema.createIndex('payment_worker_id_idx').on('payment').column('worker_id').execute();
  await db.schema.createIndex('payment_budget_id_idx').on('payment').column('budget_id').execute();
  await db.schema.createIndex('payment_paid_at_idx').on('payment').column('paid_at').execute();
  await sql`create index payment_unit_path_idx on payment (unit_path text_pattern_ops)`.execute(db);

  await stamps(
    db.schema
      .createTable('assistance_standard')
      .addColumn('id', 'uuid', id)
      .addColumn('category', 'text', (col) => col.notNull().unique())
      .addColumn('max_per_case_fen', 'bigint', (col) => col.notNull().check(sql`max_per_case_fen > 0`))
      .addColumn('max_per_household_year_fen', 'bigint', (col) =>
        col.notNull().check(sql`max_per_household_year_fen > 0`),
      )
      .addColumn('updated_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();

  await stamps(
    db.schema
      .createTable('approval_threshold_policy')
      .addColumn('id', 'uuid', id)
      .addColumn('version', 'integer', (col) => col.notNull().unique())
      .addColumn('tiers', 'jsonb', (col) => col.notNull())
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();

  await stamps(
    db.schema
      .createTable('standard_exception')
      .addColumn('id', 'uuid', id)
      .addColumn('case_id', 'uuid', (col) => col.notNull().references('assistance_case.id').onDelete('restrict'))
      .addColumn('reason', 'text', (col) => col.notNull())
      .addColumn('granted_by', 'uuid', (col) => col.notNull().references('app_user.id').onDelete('restrict')),
  ).execute();
  await db.schema.createIndex('standard_exception_case_id_idx').on('standard_exception').column('case_id').execute();

  await db.schema
    .alterTable('assistance_case')
    .addColumn('fund', 'text', (col) => col.notNull().defaultTo('warmth'))
    .addColumn('funding_blocked_reason', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('assistance_case').dropColumn('fund').dropColumn('funding_blocked_reason').execute();
  for (const table of [
    'standard_exception',
    'approval_threshold_policy',
    'assistance_standard',
    'payment',
    'ledger_entry',
    'ledger_transaction',
    'budget',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists ledger_append_only()`.execute(db);
}
