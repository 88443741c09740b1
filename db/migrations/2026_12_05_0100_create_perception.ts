import { sql, type Kysely } from 'kysely';

/**
 * Perception (感知): rule models and their versions, scoring settings, scans with their chunks, leads (with the
 * reasons that raised them), and dry-run results. Feed batches gain the figures an upload answers with, feed rows an index by batch,
 * and workers a trigger that matches department rows waiting for them. Frozen once merged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const stamps = <T extends { addColumn: any }>(table: T): T =>
    table
      .addColumn('created_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`));

  await db.schema
    .alterTable('feed_batch')
    .addColumn('stored', 'integer', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`stored >= 0`),
    )
    .addColumn('duplicates', 'integer', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`duplicates >= 0`),
    )
    .addColumn('error_count', 'integer', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`error_count >= 0`),
    )
    .addColumn('bytes', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('encoding', 'text', (col) => col.notNull().defaultTo('utf-8'))
    .execute();
  await db.schema
    .createIndex('feed_batch_uploaded_by_user_id_idx')
    .on('feed_batch')
    .column('uploaded_by_user_id')
    .execute();
  await db.schema.createIndex('feed_row_batch_id_idx').on('feed_row').column('batch_id').execute();
  // Rows that arrived before their worker was registered are matched the moment the worker appears, whatever
  // path registered them (API, seeds, bulk loads).
  await sql`
    create function feed_row_match_worker() returns trigger language plpgsql as $$
    begin
      update feed_row set worker_id = new.id where id_number_hash = new.id_number_hash and worker_id is null;
      return null;
    end $$;
    create trigger worker_match_feed_rows after insert or update of id_number_hash on worker
      for each row execute function feed_row_match_worker();
  `.execute(db);

  await stamps(
    db.schema
      .createTable('perception_rule')
      .addColumn('id', 'uuid', (col) => col.primaryKey())
      .addColumn('code', 'text', (col) => col.notNull().unique()),
  ).execute();

  await stamps(
    db.schema
      .createTable('perception_rule_version')
      .addColumn('id', 'uuid', id)
      .addColumn('rule_id', 'uuid', (col) => col.notNull().references('perception_rule.id').onDelete('restrict'))
      .addColumn('version', 'integer', (col) => col.notNull().check(sql`version >= 1`))
      .addColumn('thresholds', 'jsonb', (col) => col.notNull())
      .addColumn('weight', 'integer', (col) => col.notNull().check(sql`weight between -100 and 100`))
      .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
      .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('draft', 'published', 'superseded')`))
      .addColumn('note', 'text')
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('published_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('published_at', 'timestamptz')
      .addUniqueConstraint('perception_rule_version_rule_id_version_key', ['rule_id', 'version']),
  ).execute();
  await sql`create unique index perception_rule_version_published_idx on perception_rule_version (rule_id)
    where status = 'published'`.execute(db);

  await stamps(
    db.schema
      .createTable('perception_setting')
      .addColumn('id', 'uuid', id)
      .addColumn('version', 'integer', (col) => col.notNull().unique())
      .addColumn('line', 'integer', (col) => col.notNull().check(sql`line between 1 and 1000`))
      .addColumn('margin', 'integer', (col) => col.notNull())
      .addColumn('suppress_days', 'integer', (col) => col.notNull().check(sql`suppress_days between 0 and 3650`))
      .addColumn('review_limit', 'text', (col) => col.notNull())
      .addColumn('review_calendar', 'text', (col) =>
        col.notNull().check(sql`review_calendar in ('working', 'natural')`),
      )
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addCheckConstraint('perception_setting_margin_below_line', sql`margin >= 0 and margin < line`),
  ).execute();

  await stamps(
    db.schema
      .createTable('perception_scan')
      .addColumn('id', 'uuid', (col) => col.primaryKey())
      .addColumn('workflow_id', 'text', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('scan', 'dry_run')`))
      .addColumn('trigger', 'text', (col) => col.notNull().check(sql`trigger in ('manual', 'schedule')`))
      .addColumn('status', 'text', (col) =>
        col.notNull().check(sql`status in ('running', 'completed', 'skipped', 'failed', 'abandoned')`),
      )
      .addColumn('requested_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('as_of', 'date', (col) => col.notNull())
      .addColumn('rule_version_ids', sql`uuid[]`, (col) => col.notNull())
      .addColumn('candidate_version_id', 'uuid', (col) =>
        col.references('perception_rule_version.id').onDelete('restrict'),
      )
      .addColumn('setting_version', 'integer', (col) => col.notNull())
      .addColumn('chunk_size', 'integer', (col) => col.notNull().check(sql`chunk_size >= 1`))
      .addColumn('chunk_bounds', sql`uuid[]`, (col) => col.notNull())
      .addColumn('total_chunks', 'integer', (col) => col.notNull())
      .addColumn('chunks_done', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('workers_scanned', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('workers_flagged', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('leads_created', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('leads_updated', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('leads_lapsed', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('suppressed', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('dry_added', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('dry_dropped', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('blocked_by_scan_id', 'uuid', (col) => col.references('perception_scan.id').onDelete('set null'))
      .addColumn('failure', 'text')
      .addColumn('started_at', 'timestamptz', (col) => col.notNull())
      .addColumn('finished_at', 'timestamptz'),
  ).execute();
  // One scan that writes leads at a time, whoever started it (a person or the nightly schedule).
  await sql`create unique index perception_scan_one_running_idx on perception_scan ((true))
    where status = 'running' and kind = 'scan'`.execute(db);
  await db.schema
    .createIndex('perception_scan_started_at_idx')
    .on('perception_scan')
    .columns(['started_at', 'id'])
    .execute();
  await db.schema
    .createIndex('perception_scan_candidate_version_id_idx')
    .on('perception_scan')
    .column('candidate_version_id')
    .execute();

  await db.schema
    .createTable('perception_scan_chunk')
    .addColumn('id', 'uuid', id)
    .addColumn('scan_id', 'uuid', (col) => col.notNull().references('perception_scan.id').onDelete('cascade'))
    .addColumn('chunk_no', 'integer', (col) => col.notNull())
    .addColumn('workers', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('flagged', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('leads_created', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('leads_updated', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('leads_lapsed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('suppressed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('dry_added', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('dry_dropped', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('perception_scan_chunk_scan_id_chunk_no_key', ['scan_id', 'chunk_no'])
    .execute();

  await stamps(
    db.schema
      .createTable('perception_lead')
      .addColumn('id', 'uuid', id)
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      // Copies of the worker's unit and of the unit that reviews, taken at each scan: scoping reads the paths.
      // Not foreign keys, so a scan writing a hundred thousand leads checks no org unit per row.
      .addColumn('worker_unit_id', 'uuid', (col) => col.notNull())
      .addColumn('worker_unit_path', 'text', (col) => col.notNull())
      .addColumn('review_unit_id', 'uuid', (col) => col.notNull())
      .addColumn('review_unit_path', 'text', (col) => col.notNull())
      .addColumn('hardship_group', 'text', (col) =>
        col.notNull().check(sql`hardship_group in ('registered', 'borderline', 'discovered')`),
      )
      .addColumn('score', 'integer', (col) => col.notNull())
      .addColumn('status', 'text', (col) =>
        col.notNull().check(sql`status in ('open', 'confirmed', 'dismissed', 'lapsed')`),
      )
      .addColumn('raised_scan_id', 'uuid', (col) => col.notNull().references('perception_scan.id').onDelete('restrict'))
      // The last scan that changed the lead, for tracing only (no foreign key, no index).
      .addColumn('last_scan_id', 'uuid', (col) => col.notNull())
      .addColumn('setting_version', 'integer', (col) => col.notNull())
      .addColumn('rule_ids', sql`uuid[]`, (col) => col.notNull())
      .addColumn('rule_version_ids', sql`uuid[]`, (col) => col.notNull())
      // The rules that fired, strongest first: rule and version ids, weight, the reason in Chinese, its figures
      // and data date. Kept on the lead (one row per lead) so a scan writes one row per flagged worker.
      .addColumn('reasons', 'jsonb', (col) => col.notNull())
      .addColumn('reasons_digest', 'text', (col) => col.notNull())
      .addColumn('data_as_of', 'date')
      .addColumn('due_at', 'timestamptz')
      .addColumn('escalation_level', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('case_id', 'uuid', (col) => col.references('assistance_case.id').onDelete('set null'))
      .addColumn('reviewed_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('reviewed_at', 'timestamptz')
      .addColumn('dismiss_reason', 'text')
      .addColumn('lapsed_reason', 'text', (col) => col.check(sql`lapsed_reason in ('no_longer_flagged', 'case_open')`))
      .addColumn('lapsed_at', 'timestamptz'),
  ).execute();
  await sql`create unique index perception_lead_open_worker_idx on perception_lead (worker_id) where status = 'open'`.execute(
    db,
  );
  await db.schema
    .createIndex('perception_lead_worker_id_idx')
    .on('perception_lead')
    .columns(['worker_id', 'status'])
    .execute();
  await sql`create index perception_lead_worker_unit_path_idx on perception_lead (worker_unit_path text_pattern_ops)`.execute(
    db,
  );
  await db.schema
    .createIndex('perception_lead_list_idx')
    .on('perception_lead')
    .columns(['status', 'score desc', 'id'])
    .execute();
  await sql`create index perception_lead_raised_scan_id_idx on perception_lead (raised_scan_id) where status = 'open'`.execute(
    db,
  );
  await sql`create index perception_lead_case_id_idx on perception_lead (case_id) where case_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('perception_dry_run_change')
    .addColumn('id', 'uuid', id)
    .addColumn('scan_id', 'uuid', (col) => col.notNull().references('perception_scan.id').onDelete('cascade'))
    .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('cascade'))
    .addColumn('worker_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
    .addColumn('worker_unit_path', 'text', (col) => col.notNull())
    .addColumn('change', 'text', (col) => col.notNull().check(sql`change in ('added', 'dropped')`))
    .addColumn('score_before', 'integer', (col) => col.notNull())
    .addColumn('score_after', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('perception_dry_run_change_scan_id_worker_id_key', ['scan_id', 'worker_id'])
    .execute();
  await db.schema
    .createIndex('perception_dry_run_change_unit_idx')
    .on('perception_dry_run_change')
    .columns(['scan_id', 'worker_unit_id'])
    .execute();
  await db.schema
    .createIndex('perception_dry_run_change_worker_id_idx')
    .on('perception_dry_run_change')
    .column('worker_id')
    .execute();
  await db.schema
    .createIndex('perception_dry_run_change_worker_unit_id_idx')
    .on('perception_dry_run_change')
    .column('worker_unit_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'perception_dry_run_change',
    'perception_lead',
    'perception_scan_chunk',
    'perception_scan',
    'perception_setting',
    'perception_rule_version',
    'perception_rule',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop trigger if exists worker_match_feed_rows on worker`.execute(db);
  await sql`drop function if exists feed_row_match_worker()`.execute(db);
  await db.schema.dropIndex('feed_row_batch_id_idx').ifExists().execute();
  await db.schema.dropIndex('feed_batch_uploaded_by_user_id_idx').ifExists().execute();
  await db.schema
    .alterTable('feed_batch')
    .dropColumn('stored')
    .dropColumn('duplicates')
    .dropColumn('error_count')
    .dropColumn('bytes')
    .dropColumn('encoding')
    .execute();
}
