import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../database.js';

/**
 * Reads and writes of portal sign-in codes and attempts. Times are compared with the database clock (`now()`), so
 * several API replicas agree on windows and expiry. No business rules here: the routes decide what the numbers mean.
 */

type Trx = Transaction<Database>;

/** Serialises code requests for one phone and one address across every API replica, until the transaction ends. */
export async function lockCodeRequests(trx: Trx, phoneHash: string, ip: string): Promise<void> {
  // Always phone first, then address: every request takes the two locks in the same order, so none can deadlock.
  await sql`select pg_advisory_xact_lock(hashtextextended(${`portal-code:phone:${phoneHash}`}, 0))`.execute(trx);
  await sql`select pg_advisory_xact_lock(hashtextextended(${`portal-code:ip:${ip}`}, 0))`.execute(trx);
}

export interface RecentRequests {
  /** Seconds since the newest code for the phone, or null when none in the last hour. */
  phoneLastAgoSeconds: number | null;
  /** Seconds since the oldest code for the phone within the last hour, or null. */
  phoneOldestAgoSeconds: number | null;
  phoneCount: number;
  addressOldestAgoSeconds: number | null;
  addressCount: number;
}

/** Codes requested in the last hour for a phone and from an address. */
export async function recentCodeRequests(trx: Trx, phoneHash: string, ip: string): Promise<RecentRequests> {
  const { rows } = await sql<RecentRequests>`
    select
      (select extract(epoch from now() - max(created_at))::float8 from portal_login_code
        where phone_hash = ${phoneHash} and created_at > now() - interval '1 hour') as "phoneLastAgoSeconds",
      (select extract(epoch from now() - min(created_at))::float8 from portal_login_code
        where phone_hash = ${phoneHash} and created_at > now() - interval '1 hour') as "phoneOldestAgoSeconds",
      (select count(*)::int from portal_login_code
        where phone_hash = ${phoneHash} and created_at > now() - interval '1 hour') as "phoneCount",
      (select extract(epoch from now() - min(created_at))::float8 from portal_login_code
        where requested_ip = ${ip} and created_at > now() - interval '1 hour') as "addressOldestAgoSeconds",
      (select count(*)::int from portal_login_code
        where requested_ip = ${ip} and created_at > now() - interval '1 hour') as "addressCount"
  `.execute(trx);
  return rows[0]!;
}

export async function insertCode(
  trx: Trx,
  code: { id: string; phoneHash: string; codeHash: string; ip: string; ttlSeconds: number },
): Promise<void> {
  await trx
    .insertInto('portal_login_code')
    .values({
      id: code.id,
      phone_hash: code.phoneHash,
      code_hash: code.codeHash,
      requested_ip: code.ip,
      expires_at: sql<Date>`now() + make_interval(secs => ${code.ttlSeconds})`,
    })
    .execute();
}

export async function markCodeDelivered(db: Db, codeId: string): Promise<void> {
  await db
    .updateTable('portal_login_code')
    .set({ delivered: true, updated_at: sql`now()` })
    .where('id', '=', codeId)
    .execute();
}

/** Ends a code at once (its message could not be sent). */
export async function expireCode(db: Db, codeId: string): Promise<void> {
  await db
    .updateTable('portal_login_code')
    .set({ expires_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', codeId)
    .execute();
}

/** The newest code of a phone, locked until the transaction ends, with whether it has expired by the database clock. */
export async function newestCodeForUpdate(trx: Trx, phoneHash: string) {
  return trx
    .selectFrom('portal_login_code')
    .select(['id', 'code_hash', 'attempts', 'consumed_at', sql<boolean>`expires_at <= now()`.as('expired')])
    .where('phone_hash', '=', phoneHash)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Counts one wrong try against a code and returns the new count. */
export async function countWrongAttempt(trx: Trx, codeId: string): Promise<number> {
  const row = await trx
    .updateTable('portal_login_code')
    .set({ attempts: sql`attempts + 1`, updated_at: sql`now()` })
    .where('id', '=', codeId)
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return row.attempts;
}

export async function consumeCode(trx: Trx, codeId: string): Promise<void> {
  await trx
    .updateTable('portal_login_code')
    .set({ consumed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', codeId)
    .execute();
}

export async function recordLoginAttempt(
  db: Db | Trx,
  attempt: { phoneHash: string; ip: string; succeeded: boolean },
): Promise<void> {
  await db
    .insertInto('portal_login_attempt')
    .values({ phone_hash: attempt.phoneHash, ip: attempt.ip, succeeded: attempt.succeeded })
    .execute();
}

/** Failed sign-ins from an address in the last hour, and how long ago the oldest of them was. */
export async function recentLoginFailures(db: Db, ip: string): Promise<{ count: number; oldestAgoSeconds: number }> {
  const row = await db
    .selectFrom('portal_login_attempt')
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<number>`coalesce(extract(epoch from now() - min(created_at)), 0)::float8`.as('oldestAgoSeconds'),
    ])
    .where('ip', '=', ip)
    .where('succeeded', '=', false)
    .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirstOrThrow();
  return row;
}

/** Deletes codes and attempts older than the cut-off (they no longer count towards any window). */
export async function purgeLoginRecords(db: Db, olderThanHours: number): Promise<{ codes: number; attempts: number }> {
  const cutoff = sql<Date>`now() - make_interval(hours => ${olderThanHours})`;
  const codes = await db.deleteFrom('portal_login_code').where('created_at', '<', cutoff).executeTakeFirst();
  const attempts = await db.deleteFrom('portal_login_attempt').where('created_at', '<', cutoff).executeTakeFirst();
  return { codes: Number(codes.numDeletedRows), attempts: Number(attempts.numDeletedRows) };
}
