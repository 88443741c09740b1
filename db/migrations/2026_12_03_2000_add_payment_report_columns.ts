import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The funds report reads payments alone: the family's union path and whether it was a registered hardship
 * household are recorded on the payment when it is made, and a covering index serves a subtree and a period.
 * Over a million payments the join to cases this replaces dominated the report's time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('payment')
    .addColumn('worker_unit_path', 'text')
    .addColumn('registered_household', 'boolean')
    .execute();
  await sql`
    update payment p set worker_unit_path = c.worker_unit_path, registered_household = (w.hardship_status = 'registered')
    from assistance_case c, worker w
    where c.id = p.case_id and w.id = p.worker_id
  `.execute(db);
  await sql`alter table payment alter column worker_unit_path set not null, alter column registered_household set not null`.execute(
    db,
  );
  await sql`
    create index payment_report_idx on payment (worker_unit_path text_pattern_ops, paid_at)
      include (category, fund, amount_fen, household_id, case_id, registered_household)
      where reversed_at is null
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists payment_report_idx`.execute(db);
  await db.schema.alterTable('payment').dropColumn('worker_unit_path').dropColumn('registered_household').execute();
}
