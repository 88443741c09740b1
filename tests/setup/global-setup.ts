import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { readApiConfig } from '../../api/config.js';
import { createDb } from '../../db/database.js';
import { ensureDatabase, migrateToLatest } from '../../db/migrator.js';
import { seedAll } from '../../seeds/index.js';
import { workflowsEntry } from '../../worker/workflows-path.js';
import { resolveTemporalBinary, startDevServer } from './temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:<port>` of the run's Temporal dev server (namespace `default`, search attributes registered). */
    temporalAddress: string;
    /** A database created, migrated and seeded for this run, dropped at the end. */
    databaseUrl: string;
    /** The workflows bundled once for the run; pass as `workflowBundle: { codePath }`. */
    workflowBundlePath: string;
    temporalCliPath: string;
    /** The dev server's SQLite file, for a test that restarts a server on the same state. */
    temporalDbFile: string;
    temporalServerPid: number;
  }
}

const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

type Cleanup = () => Promise<void>;

/**
 * Runs once per `vitest run`: one Temporal dev server, one fresh seeded database and one workflow bundle, built
 * side by side, then handed to test files through `inject()`. The returned teardown stops and removes all three.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = performance.now();
  const cleanups: Cleanup[] = [];
  const teardown = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length) {
      throw new AggregateError(errors, 'Test teardown failed');
    }
  };

  try {
    const tmpDir = await mkdtemp(path.join(tmpdir(), 'yue-test-'));
    cleanups.push(() => rm(tmpDir, { recursive: true, force: true }));
    const temporalCliPath = resolveTemporalBinary();
    const temporalDbFile = path.join(tmpDir, 'temporal.sqlite');

    const results = await Promise.allSettled([
      timed(() =>
        startDevServer({ binary: temporalCliPath, dbFile: temporalDbFile, logFile: path.join(tmpDir, 'temporal.log') }),
      ),
      timed(() => createTestDatabase(cleanups)),
      timed(() => bundleWorkflows(path.join(tmpDir, 'workflow-bundle.js'))),
    ] as const);
    if (results[0].status === 'fulfilled') {
      cleanups.push(results[0].value.result.stop);
    }
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length) {
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'Test setup failed');
    }
    const [server, database, bundle] = [valueOf(results[0]), valueOf(results[1]), valueOf(results[2])];

    project.provide('temporalAddress', server.result.address);
    project.provide('temporalServerPid', server.result.pid);
    project.provide('temporalCliPath', temporalCliPath);
    project.provide('temporalDbFile', temporalDbFile);
    project.provide('databaseUrl', database.result);
    project.provide('workflowBundlePath', bundle.result);
    process.stdout.write(
      `Test setup ready in ${seconds(performance.now() - startedAt)}: Temporal ${server.result.address} ` +
        `(${seconds(server.ms)}), database created, migrated and seeded (${seconds(database.ms)}), ` +
        `workflows bundled (${seconds(bundle.ms)})\n`,
    );
  } catch (error) {
    await teardown().catch(() => undefined);
    throw error;
  }
  return teardown;
}

/** Creates `yue_test_<pid>_<random>`, migrates and seeds it, and registers its drop as a cleanup. */
async function createTestDatabase(cleanups: Cleanup[]): Promise<string> {
  const name = `yue_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  await ensureDatabase(databaseUrl);
  cleanups.push(() => dropDatabase(name));
  const config = readApiConfig({});
  const db = createDb({ connectionString: databaseUrl, poolSize: 4 });
  try {
    await migrateToLatest(db);
    await seedAll(db, {
      adminPassword: 'Admin@2026',
      demoPassword: 'Demo@2026',
      keys: { encryptionKey: config.dataEncryptionKey, lookupHashKey: config.lookupHashKey },
      workerCount: 60,
    });
  } finally {
    await db.destroy();
  }
  return databaseUrl;
}

async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

async function bundleWorkflows(outFile: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntry(), logger: new DefaultLogger('WARN') });
  await writeFile(outFile, code);
  return outFile;
}

function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') {
    throw result.reason;
  }
  return result.value;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
