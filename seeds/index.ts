/* CLI: creates the database if needed, migrates it, loads the seeds and prints the demo accounts. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Db } from '../db/database.js';
import { ensureDatabase, migrateToLatest } from '../db/migrator.js';
import {
  seedReferenceData,
  type ReferenceDataOptions,
  type SeedCounts,
  type SeedSummary,
} from './01-reference-data.js';
import { seedFunds } from './02-funds.js';
import { seedPerceptionFeeds } from './03-perception.js';
import { seedPortalPolicies } from './04-portal-policies.js';
import { seedTraining } from './05-training.js';
import { seedStations } from './06-stations.js';

export interface SeedAllOptions extends ReferenceDataOptions {
  /** Runs once the reference data is in place: where later seeds (02-demo-cases) hook in. Must be idempotent. */
  afterReference?: (db: Db) => Promise<void>;
}

/**
 * Loads every seed in order into a migrated database: the reference data, then `afterReference`. Idempotent, so
 * it can run on every start of dev and test; fictional data only, never for production.
 */
export async function seedAll(db: Db, options: SeedAllOptions): Promise<SeedSummary> {
  const summary = await seedReferenceData(db, options);
  await seedFunds(db);
  await seedPerceptionFeeds(db, { keys: options.keys, workerCount: options.workerCount });
  await seedPortalPolicies(db);
  await seedTraining(db, { demoPassword: options.demoPassword, workerCount: options.workerCount });
  await seedStations(db, { demoPassword: options.demoPassword, keys: options.keys });
  await options.afterReference?.(db);
  return summary;
}

async function main(): Promise<void> {
  // Loaded here, not at the top, so that importing seedAll from tests reads no environment.
  const { scriptConfig } = await import('../db/script-config.js');
  if (scriptConfig.production) {
    throw new Error('Seeds create fictional demo accounts and must not run with NODE_ENV=production');
  }
  if (await ensureDatabase(scriptConfig.databaseUrl)) {
    console.log('Created database');
  }

  const db = createDb({ connectionString: scriptConfig.databaseUrl, poolSize: 2 });
  try {
    const migrations = await migrateToLatest(db);
    for (const migration of migrations.results ?? []) {
      console.log(`Migration ${migration.migrationName}: ${migration.status}`);
    }
    const started = performance.now();
    const summary = await seedAll(db, {
      adminPassword: scriptConfig.seedAdminPassword,
      demoPassword: scriptConfig.seedDemoPassword,
      keys: { encryptionKey: scriptConfig.dataEncryptionKey, lookupHashKey: scriptConfig.lookupHashKey },
    });
    printSummary(summary, performance.now() - started);
  } finally {
    await db.destroy();
  }
}

const COUNT_LABELS: Record<keyof SeedCounts, string> = {
  orgUnits: 'org units',
  users: 'staff accounts',
  households: 'households',
  workers: 'workers',
  holidayCalendars: 'holiday calendars',
};

function printSummary(summary: SeedSummary, ms: number): void {
  console.log(`Seeded in ${Math.round(ms)} ms`);
  for (const key of Object.keys(COUNT_LABELS) as (keyof SeedCounts)[]) {
    console.log(`  ${COUNT_LABELS[key].padEnd(18)} ${summary.defined[key]} in the seed, ${summary.inserted[key]} new`);
  }

  const usernameWidth = Math.max(...summary.accounts.map((account) => account.username.length));
  const roleWidth = Math.max(...summary.accounts.map((account) => account.role.length));
  console.log(
    '\nDemo accounts (admin signs in with SEED_ADMIN_PASSWORD, every other account with SEED_DEMO_PASSWORD):',
  );
  console.log(`  ${'username'.padEnd(usernameWidth)}  ${'role'.padEnd(roleWidth)}  unit`);
  for (const account of summary.accounts) {
    console.log(`  ${account.username.padEnd(usernameWidth)}  ${account.role.padEnd(roleWidth)}  ${account.unitName}`);
  }
}

/** A readable reason, also for errors that carry none of their own (a refused connection is an AggregateError). */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return String(error);
}

const runAsScript = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) {
  try {
    await main();
  } catch (error) {
    console.error(`Seeding failed: ${describeError(error)}`);
    process.exitCode = 1;
  }
}
