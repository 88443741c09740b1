import { sql, type Kysely } from 'kysely';

/**
 * From course to job (培训就业): the skill and certificate vocabularies, needs surveys, enterprises and their job
 * openings, courses with their seats (enrolments), attendance and exam results, certificates, hiring fairs, the
 * read model of every trainee's pipeline (one row plus an append-only event table), offers, and the pushes of
 * openings to trainees and of trainee profiles to enterprises. Frozen once merged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const stamps = <T extends { addColumn: any }>(table: T): T =>
    table
      .addColumn('created_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (col: any) => col.notNull().defaultTo(sql`now()`));
  const pathIndex = (table: string, column: string) =>
    sql`create index ${sql.raw(`${table}_${column}_idx`)} on ${sql.table(table)} (${sql.ref(column)} text_pattern_ops)`.execute(
      db,
    );
  const index = (table: string, columns: string[]) =>
    db.schema
      .createIndex(`${table}_${columns.join('_')}_idx`)
      .on(table)
      .columns(columns)
      .execute();

  for (const table of ['skill', 'certificate_type']) {
    await stamps(
      db.schema
        .createTable(table)
        .addColumn('id', 'uuid', id)
        .addColumn('code', 'text', (col) =>
          col
            .notNull()
            .unique()
            .check(sql`code ~ '^[a-z][a-z0-9_]{1,49}$'`),
        )
        .addColumn('label', 'text', (col) => col.notNull()),
    ).execute();
  }

  await stamps(
    db.schema
      .createTable('needs_survey')
      .addColumn('id', 'uuid', id)
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('worker_unit_path', 'text', (col) => col.notNull())
      .addColumn('skills', sql`text[]`, (col) => col.notNull())
      .addColumn('wished_skills', sql`text[]`, (col) => col.notNull())
      .addColumn('hours', sql`text[]`, (col) => col.notNull().check(sql`cardinality(hours) >= 1`))
      .addColumn('district_ids', sql`uuid[]`, (col) => col.notNull())
      .addColumn('wished_pay_fen', 'integer', (col) => col.check(sql`wished_pay_fen > 0`))
      .addColumn('note', 'text')
      .addColumn('surveyed_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('surveyed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`)),
  ).execute();
  await index('needs_survey', ['worker_id', 'surveyed_at']);
  await pathIndex('needs_survey', 'worker_unit_path');

  await stamps(
    db.schema
      .createTable('enterprise')
      .addColumn('id', 'uuid', id)
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('credit_code', 'text', (col) => col.notNull().unique())
      .addColumn('unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('unit_path', 'text', (col) => col.notNull())
      .addColumn('industry', 'text')
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();
  await index('enterprise', ['unit_id']);
  await pathIndex('enterprise', 'unit_path');

  await stamps(
    db.schema
      .createTable('job_opening')
      .addColumn('id', 'uuid', id)
      .addColumn('enterprise_id', 'uuid', (col) => col.notNull().references('enterprise.id').onDelete('restrict'))
      .addColumn('owner_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('owner_unit_path', 'text', (col) => col.notNull())
      .addColumn('title', 'text', (col) => col.notNull())
      .addColumn('skills', sql`text[]`, (col) => col.notNull().check(sql`cardinality(skills) >= 1`))
      .addColumn('certificate_code', 'text', (col) => col.references('certificate_type.code').onDelete('restrict'))
      .addColumn('district_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('monthly_pay_fen', 'integer', (col) => col.notNull().check(sql`monthly_pay_fen > 0`))
      .addColumn('headcount', 'integer', (col) => col.notNull().check(sql`headcount > 0`))
      .addColumn('placed_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('hours', 'text', (col) => col.notNull().check(sql`hours in ('full_time', 'part_time', 'shifts')`))
      .addColumn('status', 'text', (col) =>
        col
          .notNull()
          .defaultTo('open')
          .check(sql`status in ('open', 'closed')`),
      )
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addCheckConstraint('job_opening_headcount_never_exceeded', sql`placed_count between 0 and headcount`),
  ).execute();
  await sql`create index job_opening_skills_idx on job_opening using gin (skills)`.execute(db);
  await index('job_opening', ['enterprise_id']);
  await index('job_opening', ['district_id']);
  await index('job_opening', ['certificate_code']);
  await pathIndex('job_opening', 'owner_unit_path');

  await stamps(
    db.schema
      .createTable('course')
      .addColumn('id', 'uuid', id)
      .addColumn('owner_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('owner_unit_path', 'text', (col) => col.notNull())
      .addColumn('title', 'text', (col) => col.notNull())
      .addColumn('skills', sql`text[]`, (col) => col.notNull().check(sql`cardinality(skills) >= 1`))
      .addColumn('capacity', 'integer', (col) => col.notNull().check(sql`capacity > 0`))
      .addColumn('waitlist_capacity', 'integer', (col) => col.notNull().check(sql`waitlist_capacity >= 0`))
      .addColumn('starts_at', 'timestamptz', (col) => col.notNull())
      .addColumn('ends_at', 'timestamptz', (col) => col.notNull())
      .addColumn('ended_at', 'timestamptz')
      .addColumn('sessions', 'integer', (col) => col.notNull().check(sql`sessions > 0`))
      .addColumn('required_attendance_pct', 'integer', (col) =>
        col.notNull().check(sql`required_attendance_pct between 1 and 100`),
      )
      .addColumn('exam_certificate_code', 'text', (col) => col.references('certificate_type.code').onDelete('restrict'))
      .addColumn('fair_within', 'text', (col) => col.notNull())
      .addColumn('time_limits', 'jsonb', (col) => col.notNull())
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addCheckConstraint('course_dates_in_order', sql`ends_at > starts_at`),
  ).execute();
  await index('course', ['owner_unit_id']);
  await index('course', ['ends_at']);
  await pathIndex('course', 'owner_unit_path');

  await db.schema
    .createTable('course_opening')
    .addColumn('id', 'uuid', id)
    .addColumn('course_id', 'uuid', (col) => col.notNull().references('course.id').onDelete('cascade'))
    .addColumn('opening_id', 'uuid', (col) => col.notNull().references('job_opening.id').onDelete('restrict'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('course_opening_course_id_opening_id_key', ['course_id', 'opening_id'])
    .execute();
  await index('course_opening', ['opening_id']);

  // The seats of a course. Its id is the pipeline's id: one enrolment, one pipeline.
  await stamps(
    db.schema
      .createTable('course_enrolment')
      .addColumn('id', 'uuid', (col) => col.primaryKey())
      .addColumn('course_id', 'uuid', (col) => col.notNull().references('course.id').onDelete('restrict'))
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('status', 'text', (col) =>
        col.notNull().check(sql`status in ('waitlisted', 'offered', 'confirmed', 'released')`),
      )
      .addColumn('position', 'bigserial', (col) => col.notNull())
      .addColumn('released_reason', 'text')
      .addUniqueConstraint('course_enrolment_course_id_worker_id_key', ['course_id', 'worker_id']),
  ).execute();
  await index('course_enrolment', ['course_id', 'status', 'position']);
  await index('course_enrolment', ['worker_id']);

  await stamps(
    db.schema
      .createTable('course_attendance')
      .addColumn('id', 'uuid', id)
      .addColumn('course_id', 'uuid', (col) => col.notNull().references('course.id').onDelete('restrict'))
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('session', 'integer', (col) => col.notNull().check(sql`session > 0`))
      .addColumn('present', 'boolean', (col) => col.notNull())
      .addColumn('recorded_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addUniqueConstraint('course_attendance_course_id_worker_id_session_key', ['course_id', 'worker_id', 'session']),
  ).execute();
  await index('course_attendance', ['worker_id']);

  await stamps(
    db.schema
      .createTable('hiring_fair')
      .addColumn('id', 'uuid', id)
      .addColumn('course_id', 'uuid', (col) => col.unique().references('course.id').onDelete('restrict'))
      .addColumn('owner_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('owner_unit_path', 'text', (col) => col.notNull())
      .addColumn('title', 'text', (col) => col.notNull())
      .addColumn('held_at', 'timestamptz', (col) => col.notNull())
      .addColumn('created_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null')),
  ).execute();
  await index('hiring_fair', ['owner_unit_id']);
  await index('hiring_fair', ['held_at']);
  await pathIndex('hiring_fair', 'owner_unit_path');

  await db.schema
    .createTable('fair_opening')
    .addColumn('id', 'uuid', id)
    .addColumn('fair_id', 'uuid', (col) => col.notNull().references('hiring_fair.id').onDelete('cascade'))
    .addColumn('opening_id', 'uuid', (col) => col.notNull().references('job_opening.id').onDelete('restrict'))
    .addColumn('enterprise_id', 'uuid', (col) => col.notNull().references('enterprise.id').onDelete('restrict'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('fair_opening_fair_id_opening_id_key', ['fair_id', 'opening_id'])
    .execute();
  await index('fair_opening', ['opening_id']);
  await index('fair_opening', ['enterprise_id']);

  await stamps(
    db.schema
      .createTable('trainee_pipeline')
      .addColumn('id', 'uuid', (col) => col.primaryKey().references('course_enrolment.id').onDelete('restrict'))
      .addColumn('course_id', 'uuid', (col) => col.notNull().references('course.id').onDelete('restrict'))
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('worker_unit_id', 'uuid', (col) => col.notNull().references('org_unit.id').onDelete('restrict'))
      .addColumn('worker_unit_path', 'text', (col) => col.notNull())
      .addColumn('survey_id', 'uuid', (col) => col.notNull().references('needs_survey.id').onDelete('restrict'))
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('step', 'text', (col) => col.notNull())
      .addColumn('step_seq', 'integer', (col) => col.notNull())
      .addColumn('step_started_at', 'timestamptz', (col) => col.notNull())
      .addColumn('opens_at', 'timestamptz')
      .addColumn('due_at', 'timestamptz')
      .addColumn('due_action', 'text')
      .addColumn('escalated_at', 'timestamptz')
      .addColumn('escalated_unit_id', 'uuid', (col) => col.references('org_unit.id').onDelete('set null'))
      .addColumn('certified', 'boolean', (col) => col.notNull().defaultTo(false))
      .addColumn('fair_id', 'uuid', (col) => col.references('hiring_fair.id').onDelete('set null'))
      .addColumn('current_offer_id', 'uuid')
      .addColumn('placed_opening_id', 'uuid', (col) => col.references('job_opening.id').onDelete('set null'))
      .addColumn('placed_at', 'timestamptz')
      .addColumn('last_seq', 'integer', (col) => col.notNull())
      .addColumn('opened_by_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('opened_at', 'timestamptz', (col) => col.notNull())
      .addColumn('closed_at', 'timestamptz'),
  ).execute();
  await pathIndex('trainee_pipeline', 'worker_unit_path');
  for (const column of ['course_id', 'worker_id', 'worker_unit_id', 'survey_id', 'fair_id', 'placed_opening_id']) {
    await index('trainee_pipeline', [column]);
  }
  await index('trainee_pipeline', ['status', 'step']);
  await sql`create index trainee_pipeline_open_due_at_idx on trainee_pipeline (due_at) where status = 'open'`.execute(
    db,
  );
  await sql`create index trainee_pipeline_stalled_idx on trainee_pipeline (escalated_at)
    where status = 'open' and escalated_at is not null`.execute(db);

  await db.schema
    .createTable('trainee_pipeline_event')
    .addColumn('id', 'uuid', id)
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('trainee_pipeline.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('from_step', 'text', (col) => col.notNull())
    .addColumn('to_step', 'text', (col) => col.notNull())
    .addColumn('actor_user_id', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
    .addColumn('data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('trainee_pipeline_event_pipeline_id_seq_key', ['pipeline_id', 'seq'])
    .execute();
  await index('trainee_pipeline_event', ['kind', 'occurred_at']);
  await index('trainee_pipeline_event', ['actor_user_id']);
  await sql`
    create function trainee_pipeline_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'trainee_pipeline_event is append-only';
    end $$;
    create trigger trainee_pipeline_event_append_only before update or delete on trainee_pipeline_event
      for each row execute function trainee_pipeline_event_append_only();
  `.execute(db);

  await stamps(
    db.schema
      .createTable('exam_result')
      .addColumn('id', 'uuid', id)
      .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('trainee_pipeline.id').onDelete('restrict'))
      .addColumn('course_id', 'uuid', (col) => col.notNull().references('course.id').onDelete('restrict'))
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('sitting', 'integer', (col) => col.notNull().check(sql`sitting in (1, 2)`))
      .addColumn('passed', 'boolean', (col) => col.notNull())
      .addColumn('recorded_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('recorded_at', 'timestamptz', (col) => col.notNull())
      .addUniqueConstraint('exam_result_pipeline_id_sitting_key', ['pipeline_id', 'sitting']),
  ).execute();
  await index('exam_result', ['course_id']);
  await index('exam_result', ['worker_id']);

  await stamps(
    db.schema
      .createTable('certificate')
      .addColumn('id', 'uuid', id)
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('certificate_code', 'text', (col) =>
        col.notNull().references('certificate_type.code').onDelete('restrict'),
      )
      .addColumn('course_id', 'uuid', (col) => col.notNull().references('course.id').onDelete('restrict'))
      .addColumn('pipeline_id', 'uuid', (col) =>
        col.notNull().unique().references('trainee_pipeline.id').onDelete('restrict'),
      )
      .addColumn('issued_at', 'timestamptz', (col) => col.notNull()),
  ).execute();
  await index('certificate', ['worker_id']);
  await index('certificate', ['course_id']);

  await stamps(
    db.schema
      .createTable('job_offer')
      .addColumn('id', 'uuid', (col) => col.primaryKey())
      .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('trainee_pipeline.id').onDelete('restrict'))
      .addColumn('opening_id', 'uuid', (col) => col.notNull().references('job_opening.id').onDelete('restrict'))
      .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
      .addColumn('status', 'text', (col) =>
        col.notNull().check(sql`status in ('pending', 'accepted', 'declined', 'lapsed', 'withdrawn', 'left')`),
      )
      .addColumn('recorded_by', 'uuid', (col) => col.references('app_user.id').onDelete('set null'))
      .addColumn('offered_at', 'timestamptz', (col) => col.notNull())
      .addColumn('answered_at', 'timestamptz'),
  ).execute();
  await index('job_offer', ['pipeline_id']);
  await index('job_offer', ['opening_id']);
  await index('job_offer', ['worker_id']);

  await db.schema
    .createTable('profile_push')
    .addColumn('id', 'uuid', id)
    .addColumn('fair_id', 'uuid', (col) => col.notNull().references('hiring_fair.id').onDelete('restrict'))
    .addColumn('enterprise_id', 'uuid', (col) => col.notNull().references('enterprise.id').onDelete('restrict'))
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('trainee_pipeline.id').onDelete('restrict'))
    .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
    .addColumn('pushed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('profile_push_fair_id_enterprise_id_pipeline_id_key', [
      'fair_id',
      'enterprise_id',
      'pipeline_id',
    ])
    .execute();
  await index('profile_push', ['enterprise_id']);
  await index('profile_push', ['pipeline_id']);
  await index('profile_push', ['worker_id']);

  await db.schema
    .createTable('opening_push')
    .addColumn('id', 'uuid', id)
    .addColumn('pipeline_id', 'uuid', (col) => col.notNull().references('trainee_pipeline.id').onDelete('restrict'))
    .addColumn('worker_id', 'uuid', (col) => col.notNull().references('worker.id').onDelete('restrict'))
    .addColumn('opening_id', 'uuid', (col) => col.notNull().references('job_opening.id').onDelete('restrict'))
    .addColumn('rank', 'integer', (col) => col.notNull())
    .addColumn('score', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('pushed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('opening_push_pipeline_id_opening_id_key', ['pipeline_id', 'opening_id'])
    .execute();
  await index('opening_push', ['opening_id']);
  await index('opening_push', ['worker_id']);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'opening_push',
    'profile_push',
    'job_offer',
    'certificate',
    'exam_result',
    'trainee_pipeline_event',
    'trainee_pipeline',
    'fair_opening',
    'hiring_fair',
    'course_attendance',
    'course_enrolment',
    'course_opening',
    'course',
    'job_opening',
    'enterprise',
    'needs_survey',
    'certificate_type',
    'skill',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists trainee_pipeline_event_append_only()`.execute(db);
}
