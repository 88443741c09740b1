import { sql, type Kysely } from 'kysely';

/**
 * The foundation of the assistance-case capability: the org tree, staff, workers and households, the case read
 * model (case, events, steps), notifications, audit, idempotency records, time-limit policies and the holiday
 * calendar. Frozen once merged; later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const stamps = <T extends { addColumn: any }>(table: T): T =>
    table
      .addColumn('created_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`));

  await stamps(
    db.schema
      .createTable('org_unit')
      .addColumn('id', 'uuid', id)
      .addColumn('parent_id', 'uuid', (col) => col.references('org_unit.id').onDelete('restrict'))
      .addColumn('level', 'text', (col) =>
        col.notNull().check(sql`level in ('city', 'district', 'township', 'grassroots')`),
      )
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('path', 'text', (col) => col.notNull().unique()),
  ).execute();
  await sql`create index org_unit_path_idx on org_unit (path text_pattern_ops)`.execute(db);
  await db.schema.createIndex('org_unit_parent_id_idx').on('org_unit').column('parent_id').execute();

  await stamps(
    db.schema
      .createTable('app_user')
      .addColumn('id', 'uuid', id)
      .addColumn('username', 'text', (col) => col.notNull().unique())
      .addColumn('password_hash', 'text', (col) => col.notNull())
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('role', 'text', (col) =>
        col
          .notNull()
          .check(sql`role in ('admin', 'supervisor', 'caseworker', 'trainer', 'employment_officer', 'inspector')`),
      )
      .addColumn('unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('disabled_at', 'timestamptz'),
  ).execute();
  await db.schema.createIndex('app_user_unit_id_idx').on('app_user').columns(['unit_id', 'role']).execute();

  await stamps(
    db.schema
      .createTable('household')
      .addColumn('id', 'uuid', id)
      .addColumn('unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict')),
  ).execute();
  await db.schema.createIndex('household_unit_id_idx').on('household').column('unit_id').execute();

  await stamps(
    db.schema
      .createTable('worker')
      .addColumn('id', 'uuid', id)
      .addColumn('household_id', 'uuid', (col) => col.notNull().references('household.id').onDelete('restrict'))
      .addColumn('unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('id_number_enc', 'text', (col) => col.notNull())
      .addColumn('id_number_hash', 'text', (col) => col.notNull().unique())
      .addColumn('id_number_masked', 'text', (col) => col.notNull())
      .addColumn('phone_enc', 'text', (col) => col.notNull())
      .addColumn('phone_hash', 'text', (col) => col.notNull())
      .addColumn('phone_masked', 'text', (col) => col.notNull())
      .addColumn('birth_date', 'date', (col) => col.notNull())
      .addColumn('gender', 'text', (col) => col.notNull().check(sql`gender in ('female', 'male')`))
      .addColumn('hardship_status', 'text', (col) =>
        col.notNull().check(sql`hardship_status in ('none', 'borderline', 'registered')`),
      )
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();
  await db.schema.createIndex('worker_unit_id_idx').on('worker').column('unit_id').execute();
  await db.schema.createIndex('worker_household_id_idx').on('worker').column('household_id').execute();
  await db.schema.createIndex('worker_phone_hash_idx').on('worker').column('phone_hash').execute();

  await stamps(
    db.schema
      .createTable('time_limit_policy')
      .addColumn('id', 'uuid', id)
      .addColumn('category', 'text', (col) => col.notNull())
      .addColumn('urgency', 'text', (col) => col.notNull())
      .addColumn('version', 'integer', (col) => col.notNull())
      .addColumn('limits', 'jsonb', (col) => col.notNull())
      .addColumn('max_suspension', 'text', (col) => col.notNull())
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addUniqueConstraint('time_limit_policy_category_urgency_version_key', ['category', 'urgency', 'version']),
  ).execute();

  await stamps(
    db.schema
      .createTable('holiday_calendar')
      .addColumn('id', 'uuid', id)
      .addColumn('year', 'integer', (col) => col.notNull().unique())
      .addColumn('holidays', sql`date[]`, (col) => col.notNull())
      .addColumn('workdays', sql`date[]`, (col) => col.notNull())
      .addColumn('revision', 'integer', (col) => col.notNull().defaultTo(1))
      .addColumn('updated_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();

  await stamps(
    db.schema
      .createTable('assistance_case')
      .addColumn('id', 'uuid', (col) => col.primaryKey())
      .addColumn('number', 'bigserial', (col) => col.notNull().unique())
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('household_id', 'uuid', (col) => col.notNull().references('household.id').onDelete('restrict'))
      .addColumn('worker_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('worker_unit_path', 'text', (col) => col.notNull())
      .addColumn('category', 'text', (col) => col.notNull())
      .addColumn('urgency', 'text', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('summary', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('step', 'text', (col) => col.notNull())
      .addColumn('holder_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('holder_unit_path', 'text', (col) => col.notNull())
      .addColumn('assignee_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('opened_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('opened_by_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('policy_version', 'integer', (col) => col.notNull())
      .addColumn('step_seq', 'integer', (col) => col.notNull())
      .addColumn('step_started_at', 'timestamptz', (col) => col.notNull())
      .addColumn('due_at', 'timestamptz')
      .addColumn('remind_at', 'timestamptz')
      .addColumn('suspended_until', 'timestamptz')
      .addColumn('escalation_level', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('last_seq', 'integer', (col) => col.notNull())
      .addColumn('opened_at', 'timestamptz', (col) => col.notNull())
      .addColumn('closed_at', 'timestamptz'),
  ).execute();
  await sql`create index assistance_case_holder_unit_path_idx on assistance_case (holder_unit_path text_pattern_ops)`.execute(
    db,
  );
  await sql`create index assistance_case_worker_unit_path_idx on assistance_case (worker_unit_path text_pattern_ops)`.execute(
    db,
  );
  await sql`create index assistance_case_open_due_at_idx on assistance_case (due_at) where status = 'open'`.execute(db);
  await sql`create index assistance_case_inbox_idx on assistance_case (holder_unit_id, due_at) where status = 'open'`.execute(
    db,
  );
  for (const column of ['worker_id', 'household_id', 'worker_unit_id', 'assignee_unit_id', 'opened_unit_id']) {
    await db.schema.createIndex(`assistance_case_${column}_idx`).on('assistance_case').column(column).execute();
  }
  await db.schema
    .createIndex('assistance_case_status_step_idx')
    .on('assistance_case')
    .columns(['status', 'step'])
    .execute();

  await db.schema
    .createTable('case_event')
    .addColumn('id', 'uuid', id)
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('assistance_case.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('from_step', 'text', (col) => col.notNull())
    .addColumn('to_step', 'text', (col) => col.notNull())
    .addColumn('actor_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('actor_unit_id', 'uuid', (col) => col.references('org_unit.id').onDelete('set null'))
    .addColumn('holder_unit_id', 'uuid', (col) => col.references('org_unit.id').onDelete('set null'))
    .addColumn('data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('case_event_case_id_seq_key', ['case_id', 'seq'])
    .execute();
  await sql`
    create function case_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'case_event is append-only';
    end $$;
    create trigger case_event_append_only before update or delete on case_event
      for each row execute function case_event_append_only();
  `.execute(db);

  await stamps(
    db.schema
      .createTable('case_step')
      .addColumn('id', 'uuid', id)
      .addColumn('case_id', 'uuid', (col) => col.notNull().references('assistance_case.id').onDelete('cascade'))
      .addColumn('step_seq', 'integer', (col) => col.notNull())
      .addColumn('step', 'text', (col) => col.notNull())
      .addColumn('holder_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('started_at', 'timestamptz', (col) => col.notNull())
      .addColumn('duration', 'text', (col) => col.notNull())
      .addColumn('calendar', 'text', (col) => col.notNull())
      .addColumn('max_suspension', 'text', (col) => col.notNull())
      .addColumn('due_at', 'timestamptz', (col) => col.notNull())
      .addColumn('remind_at', 'timestamptz', (col) => col.notNull())
      .addColumn('paused_ms', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completed_at', 'timestamptz')
      .addColumn('late_ms', 'bigint')
      .addColumn('max_escalation_level', 'integer', (col) => col.notNull().defaultTo(0))
      .addUniqueConstraint('case_step_case_id_step_seq_key', ['case_id', 'step_seq']),
  ).execute();
  await db.schema.createIndex('case_step_holder_unit_id_idx').on('case_step').column('holder_unit_id').execute();

  await stamps(
    db.schema
      .createTable('notification')
      .addColumn('id', 'uuid', id)
      .addColumn('user_id', 'uuid', (col) => col.notNull().references('app_user.id').onDelete('cascade'))
      .addColumn('unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('cascade'))
      .addColumn('case_id', 'uuid', (col) => col.references('assistance_case.id').onDelete('cascade'))
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('title', 'text', (col) => col.notNull())
      .addColumn('data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('dedupe_key', 'text', (col) => col.notNull())
      .addColumn('deliver_at', 'timestamptz', (col) => col.notNull())
      .addColumn('read_at', 'timestamptz')
      .addUniqueConstraint('notification_dedupe_key_user_id_key', ['dedupe_key', 'user_id']),
  ).execute();
  await db.schema
    .createIndex('notification_user_id_idx')
    .on('notification')
    .columns(['user_id', 'deliver_at'])
    .execute();
  await db.schema.createIndex('notification_case_id_idx').on('notification').column('case_id').execute();
  await db.schema.createIndex('notification_unit_id_idx').on('notification').column('unit_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'uuid', id)
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('actor_kind', 'text', (col) => col.notNull())
    .addColumn('actor_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('actor_unit_path', 'text')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('status_code', 'integer', (col) => col.notNull())
    .addColumn('ip', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_log_occurred_at_idx').on('audit_log').column('occurred_at').execute();
  await db.schema.createIndex('audit_log_actor_user_id_idx').on('audit_log').column('actor_user_id').execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_type', 'target_id']).execute();
  await sql`create index audit_log_actor_unit_path_idx on audit_log (actor_unit_path text_pattern_ops)`.execute(db);

  await stamps(
    db.schema
      .createTable('idempotency_record')
      .addColumn('id', 'uuid', id)
      .addColumn('owner', 'text', (col) => col.notNull())
      .addColumn('key', 'text', (col) => col.notNull())
      .addColumn('method', 'text', (col) => col.notNull())
      .addColumn('path', 'text', (col) => col.notNull())
      .addColumn('request_hash', 'text', (col) => col.notNull())
      .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('in_progress', 'done')`))
      .addColumn('response_status', 'integer')
      .addColumn('response_body', 'jsonb')
      .addUniqueConstraint('idempotency_record_owner_key_key', ['owner', 'key']),
  ).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_record',
    'audit_log',
    'notification',
    'case_step',
    'case_event',
    'assistance_case',
    'holiday_calendar',
    'time_limit_policy',
    'worker',
    'household',
    'app_user',
    'org_unit',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists case_event_append_only()`.execute(db);
}
