import pg from 'pg';
import { inject } from 'vitest';

/** The advisory lock key of perception scans in the test database ("YueP" in ASCII). */
const PERCEPTION_LOCK_KEY = 0x5975_6550;

/** How long a test file may wait for another to finish its scans: scan.test.ts runs for several minutes. */
export const PERCEPTION_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Takes the test database's perception lock, waiting while another file holds it, and returns its release. A scan
 * flags every worker in the database and only one runs at a time, so the files that start scans (scan.test.ts,
 * console-perception.test.ts) take this lock in `beforeAll` and release it in `afterAll`: they never overlap. The
 * lock is a PostgreSQL session advisory lock on a connection of its own, so it also ends if the file's process dies.
 */
export async function holdPerceptionLock(): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    await client.query('set statement_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [PERCEPTION_LOCK_KEY]);
  } catch (error) {
    await client.end();
    throw error;
  }
  return async () => {
    try {
      await client.query('select pg_advisory_unlock($1)', [PERCEPTION_LOCK_KEY]);
    } finally {
      await client.end();
    }
  };
}
