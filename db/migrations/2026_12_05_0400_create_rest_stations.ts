import { sql, type Kysely } from 'kysely';

/**
 * Rest stations for outdoor workers (越工驿站): the registry (position, hours, services, responsible person,
 * owning unit, status), activities held and daily visitor counts, the inspection policy per station type, and the
 * read model of inspections (one row per inspection plus an append-only event table) with the commendations they
 * earned. Frozen once merged; later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const stamps = <T extends { addColumn: any }>(table: T): T =>
    table
      .addColumn('created_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`));

  await stamps(
    db.schema
      .createTable('station')
      .addColumn('id', 'uuid', id)
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('type', 'text', (col) => col.notNull().check(sql`type in ('standard', 'benchmark', '24h')`))
      .addColumn('status', 'text', (col) =>
        col.notNull().check(sql`status in ('planned', 'building', 'open', 'suspended', 'closed')`),
      )
      .addColumn('latitude', 'double precision', (col) => col.notNull().check(sql`latitude between -90 and 90`))
      .addColumn('longitude', 'double precision', (col) => col.notNull().check(sql`longitude between -180 and 180`))
      .addColumn('address', 'text', (col) => col.notNull())
      .addColumn('services', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
      .addColumn('hours', 'jsonb', (col) => col.notNull())
      // Derived from `hours` on every write: minutes of the week (Monday 00:00 = 0) and of a holiday when it is open.
      .addColumn('weekly_open', sql`int4multirange`, (col) => col.notNull())
      .addColumn('holiday_open', sql`int4multirange`)
      .addColumn('owner_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('owner_unit_path', 'text', (col) => col.notNull())
      .addColumn('responsible_name', 'text', (col) => col.notNull())
      .addColumn('responsible_phone_enc', 'text', (col) => col.notNull())
      .addColumn('responsible_phone_masked', 'text', (col) => col.notNull())
      .addColumn('notes', 'text')
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('updated_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();
  await sql`create index station_owner_unit_path_idx on station (owner_unit_path text_pattern_ops)`.execute(db);
  await sql`create index station_location_idx on station (latitude, longitude) where status in ('open', 'suspended')`.execute(
    db,
  );
  await db.schema.createIndex('station_owner_unit_id_idx').on('station').column('owner_unit_id').execute();
  await db.schema.createIndex('station_type_status_idx').on('station').columns(['type', 'status']).execute();
  await db.schema.createIndex('station_created_by_idx').on('station').column('created_by').execute();
  await db.schema.createIndex('station_updated_by_idx').on('station').column('updated_by').execute();

  await stamps(
    db.schema
      .createTable('station_activity')
      .addColumn('id', 'uuid', id)
      .addColumn('station_id', 'uuid', (col) => col.notNull().references('station.id').onDelete('cascade'))
      .addColumn('held_on', 'date', (col) => col.notNull())
      .addColumn('title', 'text', (col) => col.notNull())
      .addColumn('participants', 'integer', (col) => col.notNull().check(sql`participants > 0`))
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();
  await db.schema
    .createIndex('station_activity_station_id_held_on_idx')
    .on('station_activity')
    .columns(['station_id', 'held_on'])
    .execute();
  await db.schema.createIndex('station_activity_held_on_idx').on('station_activity').column('held_on').execute();
  await db.schema.createIndex('station_activity_created_by_idx').on('station_activity').column('created_by').execute();

  await stamps(
    db.schema
      .createTable('station_visit')
      .addColumn('id', 'uuid', id)
      .addColumn('station_id', 'uuid', (col) => col.notNull().references('station.id').onDelete('cascade'))
      .addColumn('visit_date', 'date', (col) => col.notNull())
      .addColumn('visitors', 'integer', (col) => col.notNull().check(sql`visitors >= 0`))
      .addColumn('reported_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addUniqueConstraint('station_visit_station_id_visit_date_key', ['station_id', 'visit_date']),
  ).execute();
  await db.schema.createIndex('station_visit_visit_date_idx').on('station_visit').column('visit_date').execute();
  await db.schema.createIndex('station_visit_reported_by_idx').on('station_visit').column('reported_by').execute();

  await stamps(
    db.schema
      .createTable('inspection_policy')
      .addColumn('id', 'uuid', id)
      .addColumn('station_type', 'text', (col) => col.notNull())
      .addColumn('version', 'integer', (col) => col.notNull().check(sql`version > 0`))
      .addColumn('limits', 'jsonb', (col) => col.notNull())
      .addColumn('pass_mark', 'integer', (col) => col.notNull())
      .addColumn('excellent_mark', 'integer', (col) => col.notNull())
      .addColumn('checklist', 'jsonb', (col) => col.notNull())
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addUniqueConstraint('inspection_policy_station_type_version_key', ['station_type', 'version'])
      .addCheckConstraint('inspection_policy_marks_ordered', sql`pass_mark > 0 and pass_mark < excellent_mark`),
  ).execute();
  await db.schema
    .createIndex('inspection_policy_created_by_idx')
    .on('inspection_policy')
    .column('created_by')
    .execute();

  await stamps(
    db.schema
      .createTable('inspection')
      .addColumn('id', 'uuid', (col) => col.primaryKey())
      .addColumn('workflow_id', 'text', (col) => col.notNull().unique())
      .addColumn('station_id', 'uuid', (col) => col.notNull().references('station.id').onDelete('restrict'))
      .addColumn('station_type', 'text', (col) => col.notNull())
      .addColumn('owner_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('owner_unit_path', 'text', (col) => col.notNull())
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('scheduled', 'spot')`))
      .addColumn('policy_version', 'integer', (col) => col.notNull())
      .addColumn('checklist', 'jsonb', (col) => col.notNull())
      .addColumn('pass_mark', 'integer', (col) => col.notNull())
      .addColumn('excellent_mark', 'integer', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('open', 'closed')`))
      .addColumn('step', 'text', (col) => col.notNull().check(sql`step in ('inspect', 'rectify', 'reinspect', 'done')`))
      .addColumn('outcome', 'text', (col) => col.check(sql`outcome in ('excellent', 'passed', 'rectified', 'failed')`))
      .addColumn('inspector_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('ordered_by_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('step_seq', 'integer', (col) => col.notNull())
      .addColumn('step_started_at', 'timestamptz', (col) => col.notNull())
      .addColumn('step_duration', 'text')
      .addColumn('step_calendar', 'text')
      .addColumn('due_at', 'timestamptz')
      .addColumn('escalation_level', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('scores', 'jsonb')
      .addColumn('first_score', 'integer')
      .addColumn('reinspection_scores', 'jsonb')
      .addColumn('final_score', 'integer')
      .addColumn('rectification_due_at', 'timestamptz')
      .addColumn('rectified_at', 'timestamptz')
      .addColumn('last_seq', 'integer', (col) => col.notNull())
      .addColumn('opened_at', 'timestamptz', (col) => col.notNull())
      .addColumn('closed_at', 'timestamptz')
      .addUniqueConstraint('inspection_station_id_period_key', ['station_id', 'period']),
  ).execute();
  await sql`create index inspection_owner_unit_path_idx on inspection (owner_unit_path text_pattern_ops)`.execute(db);
  await sql`create index inspection_open_due_at_idx on inspection (due_at) where status = 'open'`.execute(db);
  await sql`create index inspection_closed_at_idx on inspection (closed_at) where status = 'closed'`.execute(db);
  await db.schema.createIndex('inspection_owner_unit_id_idx').on('inspection').column('owner_unit_id').execute();
  await db.schema
    .createIndex('inspection_inspector_user_id_idx')
    .on('inspection')
    .columns(['inspector_user_id', 'status'])
    .execute();
  await db.schema
    .createIndex('inspection_ordered_by_user_id_idx')
    .on('inspection')
    .column('ordered_by_user_id')
    .execute();
  await db.schema.createIndex('inspection_opened_at_idx').on('inspection').columns(['opened_at', 'id']).execute();
  await db.schema.createIndex('inspection_status_step_idx').on('inspection').columns(['status', 'step']).execute();

  await db.schema
    .createTable('inspection_event')
    .addColumn('id', 'uuid', id)
    .addColumn('inspection_id', 'uuid', (col) => col.notNull().references('inspection.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('from_step', 'text', (col) => col.notNull())
    .addColumn('to_step', 'text', (col) => col.notNull())
    .addColumn('actor_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('actor_unit_id', 'uuid', (col) => col.references('org_unit.id').onDelete('set null'))
    .addColumn('data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('inspection_event_inspection_id_seq_key', ['inspection_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('inspection_event_actor_user_id_idx')
    .on('inspection_event')
    .column('actor_user_id')
    .execute();
  await db.schema
    .createIndex('inspection_event_actor_unit_id_idx')
    .on('inspection_event')
    .column('actor_unit_id')
    .execute();
  await sql`
    create function inspection_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'inspection_event is append-only';
    end $$;
    create trigger inspection_event_append_only before update or delete on inspection_event
      for each row execute function inspection_event_append_only();
  `.execute(db);

  await stamps(
    db.schema
      .createTable('station_commendation')
      .addColumn('id', 'uuid', id)
      .addColumn('station_id', 'uuid', (col) => col.notNull().references('station.id').onDelete('restrict'))
      .addColumn('inspection_id', 'uuid', (col) =>
        col.notNull().unique().references('inspection.id').onDelete('restrict'),
      )
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('score', 'integer', (col) => col.notNull())
      .addColumn('commended_at', 'timestamptz', (col) => col.notNull()),
  ).execute();
  await db.schema
    .createIndex('station_commendation_station_id_idx')
    .on('station_commendation')
    .column('station_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'station_commendation',
    'inspection_event',
    'inspection',
    'inspection_policy',
    'station_visit',
    'station_activity',
    'station',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists inspection_event_append_only()`.execute(db);
}
