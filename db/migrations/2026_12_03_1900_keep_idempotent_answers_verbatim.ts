import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Stores the first answer to an idempotent request as text rather than jsonb: jsonb reorders keys, and a repeat
 * must return the same bytes (RELIABILITY I3 compares body hashes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table idempotency_record alter column response_body type text using response_body::text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table idempotency_record alter column response_body type jsonb using response_body::jsonb`.execute(
    db,
  );
}
