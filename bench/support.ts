import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode, type Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { approverFor, currentThresholds, fundYear, levelFor, lineageOf } from '../activities/fund-rules.js';
import { buildApp } from '../api/app.js';
import { readApiConfig, type ApiConfig } from '../api/config.js';
import { loadStaff } from '../api/plugins/auth.js';
import type { Staff } from '../api/staff.js';
import { resolveTemporalBinary, startDevServer as startTestDevServer } from '../tests/setup/temporal-server.js';
import { createDb, type Db } from '../db/database.js';
import { ensureDatabase, migrateToLatest } from '../db/migrator.js';
import { buildOrgTree, type SeedUnit } from '../seeds/01-reference-data.js';
import { seedId } from '../seeds/ids.js';
import { seedAll } from '../seeds/index.js';
import { createCaseWorker } from '../worker/create-worker.js';
import { createLogger } from '../worker/logger.js';
import { EncryptionCodec } from '../worker/payload-codec.js';
import { workflowsEntry } from '../worker/workflows-path.js';
import type { ActionRequest, Actor, PlanItem } from '../workflows/case-lifecycle/case-lifecycle.state.js';
import type { UnitRef } from '../workflows/shared/org-path.js';
import type { CaseAction } from '../workflows/shared/case-vocabulary.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

// ---------------------------------------------------------------------------------------------------------------
// Options

export interface BenchOptions {
  quick: boolean;
  /** B1: cases per run. */
  n: number;
  /** B1: actions of different cases in flight at once. */
  concurrency: number;
  /** Measured baseline/ours pairs after the warm-up pair (B1, B3). */
  pairs: number;
  /** B2: measured samples per side. */
  samples: number;
  /** B3: length of one load run. */
  durationMs: number;
  /** B3: concurrent requests. */
  readConcurrency: number;
  /** B3: synthetic cases in the read model; funds-report: synthetic closed cases the payments belong to. */
  rows: number;
  /** Ledger: postings per run (each one database transaction). */
  postings: number;
  /** Ledger: concurrent writers of the concurrent runs. */
  ledgerConcurrency: number;
  /** Funds report: synthetic payment rows. */
  payments: number;
  /** Funds report: most measured pairs (one request per side) per scope. */
  reportRequests: number;
  /** Funds report: time after which a scope stops adding pairs (at least three are made). */
  reportBudgetMs: number;
  /** Matching: synthetic trainees and openings ranked in memory, index against all pairs. */
  matchingTrainees: number;
  matchingOpenings: number;
  /** Pipeline: trainees per run driven from enrolment to the three-month follow-up. */
  pipelines: number;
  /** Seeded workers (union members). */
  workerCount: number;
  /** Nearby: synthetic rest stations added to the 100 seeded ones for the second measurement. */
  stations: number;
  /** B4: synthetic workers the perception scan covers (with about two feed rows each). */
  perceptionWorkers: number;
  /** B5: rows of the feed imported. */
  feedRows: number;
  phases: Set<string>;
  /** Level of the API's pino logger; records go to /dev/null, so their cost is paid but not shown. */
  logLevel: string;
  adminDatabaseUrl: string;
}

export const ALL_PHASES = [
  'b1',
  'b2',
  'b3',
  'b4',
  'b5',
  'ledger',
  'funds-report',
  'portal',
  'nearby',
  'matching',
  'pipeline',
] as const;

const USAGE = `npm run bench -- [--quick] [--phases ${ALL_PHASES.join(',')}] [--n 20] [--pairs 3] [--samples 100]
                      [--duration 5] [--rows 100000] [--concurrency 4] [--postings 600] [--payments 1000000]
                      [--report-requests 15] [--report-budget 110] [--stations 100000] [--trainees 10000]
                      [--openings 5000] [--pipelines 12] [--perception-workers 1000000] [--feed-rows 1000000]
                      [--log-level info]`;

export function parseOptions(argv: string[]): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!arg.startsWith('--')) {
      throw new Error(`Unexpected argument ${arg}\n${USAGE}`);
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) {
      flags.set(name, inline);
    } else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) {
      flags.set(name, argv[++i]!);
    } else {
      flags.set(name, true);
    }
  }
  const known = [
    'quick',
    'phases',
    'n',
    'pairs',
    'samples',
    'duration',
    'rows',
    'concurrency',
    'postings',
    'payments',
    'report-requests',
    'report-budget',
    'stations',
    'trainees',
    'openings',
    'pipelines',
    'log-level',
    'perception-workers',
    'feed-rows',
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name)) {
      throw new Error(`Unknown option --${name}\n${USAGE}`);
    }
  }
  const quick = flags.get('quick') === true || flags.get('quick') === 'true';
  const num = (name: string, fallback: number, min = 1): number => {
    const raw = flags.get(name);
    if (raw === undefined) {
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) {
      throw new Error(`--${name} must be a number >= ${min}`);
    }
    return value;
  };
  const phases = flags.get('phases');
  return {
    quick,
    n: Math.round(num('n', quick ? 4 : 20)),
    concurrency: Math.round(num('concurrency', 4)),
    pairs: Math.round(num('pairs', 3)),
    samples: Math.round(num('samples', quick ? 24 : 100)),
    durationMs: Math.round(num('duration', quick ? 1 : 5, 0.1) * 1000),
    readConcurrency: 8,
    rows: Math.round(num('rows', 100_000)),
    postings: Math.round(num('postings', quick ? 160 : 600)),
    ledgerConcurrency: 8,
    payments: Math.round(num('payments', quick ? 200_000 : 1_000_000)),
    reportRequests: Math.round(num('report-requests', quick ? 6 : 15)),
    reportBudgetMs: Math.round(num('report-budget', quick ? 30 : 110, 0) * 1000),
    matchingTrainees: Math.round(num('trainees', quick ? 2_000 : 10_000)),
    matchingOpenings: Math.round(num('openings', quick ? 1_000 : 5_000)),
    pipelines: Math.round(num('pipelines', quick ? 4 : 12)),
    workerCount: 200,
    stations: Math.round(num('stations', quick ? 20_000 : 100_000)),
    perceptionWorkers: Math.round(num('perception-workers', quick ? 50_000 : 1_000_000)),
    feedRows: Math.round(num('feed-rows', quick ? 100_000 : 1_000_000)),
    phases: parsePhases(phases),
    logLevel: typeof flags.get('log-level') === 'string' ? (flags.get('log-level') as string) : 'info',
    adminDatabaseUrl:
      process.env.BENCH_DATABASE_ADMIN_URL?.trim() ||
      process.env.TEST_DATABASE_ADMIN_URL?.trim() ||
      'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function parsePhases(raw: string | true | undefined): Set<string> {
  if (typeof raw !== 'string') {
    return new Set(ALL_PHASES);
  }
  const phases = raw.split(',').map((p) => p.trim().toLowerCase());
  const unknown = phases.filter((p) => !(ALL_PHASES as readonly string[]).includes(p));
  if (unknown.length) {
    throw new Error(`Unknown phase ${unknown.join(', ')}; phases are ${ALL_PHASES.join(', ')}\n${USAGE}`);
  }
  return new Set(phases);
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values: [...values] };
}

export const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export const roundSpread = (s: Spread, digits = 3): Spread => ({
  median: round(s.median, digits),
  min: round(s.min, digits),
  max: round(s.max, digits),
  values: s.values.map((v) => round(v, digits)),
});

/** Runs `count` jobs, at most `concurrency` at a time, each job given its index. */
export async function runPool(
  count: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      await job(index);
    }
  });
  await Promise.all(lanes);
}

// ---------------------------------------------------------------------------------------------------------------
// CPU of every process: this one (API, client and worker in-process), the Temporal server, PostgreSQL backends

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in seconds from /proc/<pid>/stat, or null when it is gone or unreadable. */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3 of the stat line, utime 14, stime 15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  self: number;
  temporal: number;
  postgres: Map<number, number>;
}

export interface CpuSeconds {
  /** This process: Fastify app, Temporal client, worker (with its Rust core and workflow threads), load driver. */
  bench: number;
  temporal: number;
  /** Backends connected to the bench database (best effort: a backend that exits inside the window is missed). */
  postgres: number;
  total: number;
}

export const ZERO_CPU: CpuSeconds = { bench: 0, temporal: 0, postgres: 0, total: 0 };

export function addCpu(a: CpuSeconds, b: CpuSeconds): CpuSeconds {
  return {
    bench: a.bench + b.bench,
    temporal: a.temporal + b.temporal,
    postgres: a.postgres + b.postgres,
    total: a.total + b.total,
  };
}

export function roundCpu(cpu: CpuSeconds): CpuSeconds {
  return {
    bench: round(cpu.bench),
    temporal: round(cpu.temporal),
    postgres: round(cpu.postgres),
    total: round(cpu.total),
  };
}

export class CpuMeter {
  private pids: number[] = [];

  constructor(
    private readonly monitor: pg.Client,
    private readonly databaseName: string,
    private readonly temporalPid: number,
  ) {}

  /** Re-reads which backends serve the bench database (one query on the monitor connection, not counted). */
  async refreshBackends(): Promise<void> {
    const result = await this.monitor.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [this.databaseName],
    );
    this.pids = result.rows.map((row) => row.pid);
  }

  /** Synchronous reads only: safe to take right around a timed section. */
  read(): CpuSnapshot {
    const usage = process.cpuUsage();
    const postgres = new Map<number, number>();
    for (const pid of this.pids) {
      const seconds = procCpuSeconds(pid);
      if (seconds !== null) {
        postgres.set(pid, seconds);
      }
    }
    return { self: (usage.user + usage.system) / 1e6, temporal: procCpuSeconds(this.temporalPid) ?? 0, postgres };
  }

  async snapshot(): Promise<CpuSnapshot> {
    await this.refreshBackends();
    return this.read();
  }

  static diff(before: CpuSnapshot, after: CpuSnapshot): CpuSeconds {
    let postgres = 0;
    for (const [pid, seconds] of after.postgres) {
      postgres += seconds - (before.postgres.get(pid) ?? 0);
    }
    const bench = after.self - before.self;
    const temporal = after.temporal - before.temporal;
    return { bench, temporal, postgres, total: bench + temporal + postgres };
  }

  /** Wall time and CPU of every process over `fn`. The backend list is refreshed before and after. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; wallMs: number; cpu: CpuSeconds }> {
    const before = await this.snapshot();
    const started = performance.now();
    const result = await fn();
    const wallMs = performance.now() - started;
    await this.refreshBackends();
    const after = this.read();
    return { result, wallMs, cpu: CpuMeter.diff(before, after) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup

type Cleanup = { name: string; fn: () => Promise<void> };

/** Cleanups run in reverse order of registration, once, whatever failed before. */
export class Cleanups {
  private stack: Cleanup[] = [];
  private running: Promise<void> | null = null;

  add(name: string, fn: () => Promise<void>): void {
    this.stack.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, fn } of this.stack.splice(0).reverse()) {
        try {
          await withTimeout(fn(), 20_000, name);
        } catch (error) {
          console.error(`cleanup "${name}" failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Temporal dev server

/** The Temporal CLI the tests use: TEMPORAL_CLI_PATH, or whatever scripts/install-temporal.sh builds or finds. */
export const temporalBinary = resolveTemporalBinary;

export interface DevServer {
  address: string;
  pid: number;
  startMs: number;
  stop(): Promise<void>;
}

/** The tests' dev server (tests/setup/temporal-server.ts), timed; the bench measures its start-up too. */
export async function startDevServer(binary: string, dbFile: string, logFile: string): Promise<DevServer> {
  const started = performance.now();
  const server = await startTestDevServer({ binary, dbFile, logFile });
  return { address: server.address, pid: server.pid, startMs: performance.now() - started, stop: server.stop };
}

// ---------------------------------------------------------------------------------------------------------------
// The stack under test

export const ADMIN_PASSWORD = 'Admin@2026';
export const DEMO_PASSWORD = 'Demo@2026';

export interface Login {
  token: string;
  staff: Staff;
  actor: Actor;
}

export interface BenchContext {
  options: BenchOptions;
  cleanups: Cleanups;
  tmpDir: string;
  temporal: { address: string; pid: number; binary: string; startMs: number };
  databaseName: string;
  databaseUrl: string;
  /** A plain connection to the bench database for set-up, floors and CPU bookkeeping (excluded from CPU). */
  monitor: pg.Client;
  config: ApiConfig;
  apiDb: Db;
  workerDb: Db;
  connection: Connection;
  nativeConnection: NativeConnection;
  /** Temporal client with the payload codec, as the API uses it. */
  client: Client;
  taskQueue: string;
  worker: Worker;
  app: FastifyInstance;
  cpu: CpuMeter;
  units: SeedUnit[];
  grassroots: SeedUnit[];
  /** Seeded workers by their grassroots unit id. */
  workersByUnit: Map<string, string[]>;
  admin: Login;
  /** The caseworker of each grassroots unit, by unit id. */
  caseworkers: Map<string, Login>;
  /**
   * The member of staff who acts for a unit holding a step: the admin at the city, the district's admin, the
   * township's supervisor, the grassroots caseworker. Phases follow the holder the workflow names after each
   * action, so they keep working when routing rules (who approves what) change.
   */
  staffAt(unitId: string): Promise<Login>;
  setupMs: Record<string, number>;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

export async function bundleTo(workflowsPath: string, outFile: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  await writeFile(outFile, code);
  return outFile;
}

/**
 * Everything the phases share, started side by side where they are independent: the dev server, a fresh seeded
 * database `yue_bench_<pid>`, the workflow bundle, then the API (in-process, driven with `inject`) and a case
 * worker on a task queue of its own. Every piece registers its own cleanup first.
 */
export async function setUp(options: BenchOptions, cleanups: Cleanups): Promise<BenchContext> {
  // No shutdown signals for the SDK: on Ctrl-C the bench's own cleanup stops the workers, then everything else.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const setupMs: Record<string, number> = {};
  const tmpDir = await mkdtemp(path.join(tmpdir(), 'yue-bench-'));
  cleanups.add('remove temp dir', () => rm(tmpDir, { recursive: true, force: true }));

  const databaseName = `yue_bench_${process.pid}`;
  const url = new URL(options.adminDatabaseUrl);
  url.pathname = `/${databaseName}`;
  const databaseUrl = url.toString();
  const binary = temporalBinary();

  const prebuilt = process.env.WORKFLOW_BUNDLE_PATH?.trim();
  const [server, , bundle] = await Promise.all([
    timed(() => startDevServer(binary, path.join(tmpDir, 'temporal.sqlite'), path.join(tmpDir, 'temporal.log'))).then(
      (t) => {
        cleanups.add('stop Temporal dev server', t.result.stop);
        return t;
      },
    ),
    timed(async () => {
      await dropDatabase(options.adminDatabaseUrl, databaseName);
      cleanups.add(`drop database ${databaseName}`, () => dropDatabase(options.adminDatabaseUrl, databaseName));
      await ensureDatabase(databaseUrl);
      const db = createDb({ connectionString: databaseUrl, poolSize: 2 });
      try {
        await migrateToLatest(db);
        const config = readApiConfig({});
        await seedAll(db, {
          adminPassword: ADMIN_PASSWORD,
          demoPassword: DEMO_PASSWORD,
          keys: { encryptionKey: config.dataEncryptionKey, lookupHashKey: config.lookupHashKey },
          workerCount: options.workerCount,
        });
      } finally {
        await db.destroy();
      }
    }).then((t) => {
      setupMs.database = t.ms;
    }),
    timed(async () => prebuilt || bundleTo(workflowsEntry(), path.join(tmpDir, 'workflow-bundle.js'))),
  ]);
  setupMs.temporal = server.ms;
  setupMs.bundle = bundle.ms;

  const monitor = new pg.Client({ connectionString: databaseUrl });
  await monitor.connect();
  cleanups.add('close monitor connection', () => monitor.end());

  const taskQueue = `bench-case-${process.pid}-${randomBytes(3).toString('hex')}`;
  const config = readApiConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    TEMPORAL_ADDRESS: server.result.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: options.logLevel,
    RATE_LIMIT_PER_MINUTE: '100000000',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000000',
    LOGIN_ATTEMPTS_PER_MINUTE: '100000',
  });
  // Records are formatted and written as in production, to a sink that costs nothing to read back.
  const logger = createLogger(options.logLevel, pino.destination({ dest: '/dev/null', sync: true }));
  const apiDb = createDb({ connectionString: databaseUrl, poolSize: 10, logger: logger.child({ component: 'db' }) });
  cleanups.add('close API pool', () => apiDb.destroy());
  const workerDb = createDb({ connectionString: databaseUrl, poolSize: 10, logger: logger.child({ component: 'db' }) });
  cleanups.add('close worker pool', () => workerDb.destroy());

  const connection = await Connection.connect({ address: server.result.address });
  cleanups.add('close client connection', () => connection.close());
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: { payloadCodecs: [new EncryptionCodec(config.payloadCodecKey)] },
  });
  const nativeConnection = await NativeConnection.connect({ address: server.result.address });
  cleanups.add('close worker connection', () => nativeConnection.close());

  const worker = await createCaseWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    db: workerDb,
    payloadCodecKey: config.payloadCodecKey,
    workflowBundlePath: bundle.result,
  });
  cleanups.add('stop case worker', startWorker(worker));

  const app = await buildApp({ config, db: apiDb, temporal: { client, taskQueue }, logger });
  cleanups.add('close API', () => app.close());
  await app.ready();

  const units = buildOrgTree();
  const grassroots = units.filter((unit) => unit.level === 'grassroots');
  const workerRows = await monitor.query<{ id: string; unit_id: string }>('select id, unit_id from worker order by id');
  const workersByUnit = new Map<string, string[]>();
  for (const row of workerRows.rows) {
    workersByUnit.set(row.unit_id, [...(workersByUnit.get(row.unit_id) ?? []), row.id]);
  }

  const login = async (username: string, password: string): Promise<Login> => {
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
    const body = JSON.parse(response.body) as { token?: string };
    if (response.statusCode !== 200 || !body.token) {
      throw new Error(`Login as ${username} failed with ${response.statusCode}: ${response.body}`);
    }
    const staff = await loadStaff(apiDb, seedId(`user:${username}`));
    if (!staff) {
      throw new Error(`No staff record for ${username}`);
    }
    return {
      token: body.token,
      staff,
      actor: { userId: staff.id, role: staff.role, unit: { id: staff.unitId, path: staff.unitPath } },
    };
  };
  const admin = await login('admin', ADMIN_PASSWORD);
  const caseworkers = new Map<string, Login>();
  for (const unit of grassroots) {
    caseworkers.set(unit.id, await login(`${unit.handle}_caseworker`, DEMO_PASSWORD));
  }
  const unitsById = new Map(units.map((unit) => [unit.id, unit]));
  const holders = new Map<string, Promise<Login>>([[admin.staff.unitId, Promise.resolve(admin)]]);
  for (const [unitId, caseworker] of caseworkers) {
    holders.set(unitId, Promise.resolve(caseworker));
  }
  const staffAt = (unitId: string): Promise<Login> => {
    let found = holders.get(unitId);
    if (!found) {
      const unit = unitsById.get(unitId);
      if (!unit) {
        return Promise.reject(new Error(`Unknown unit ${unitId}`));
      }
      found = login(`${unit.handle}_${unit.level === 'district' ? 'admin' : 'supervisor'}`, DEMO_PASSWORD);
      holders.set(unitId, found);
    }
    return found;
  };

  return {
    options,
    cleanups,
    tmpDir,
    temporal: { address: server.result.address, pid: server.result.pid, binary, startMs: server.ms },
    databaseName,
    databaseUrl,
    monitor,
    config,
    apiDb,
    workerDb,
    connection,
    nativeConnection,
    client,
    taskQueue,
    worker,
    app,
    cpu: new CpuMeter(monitor, databaseName, server.result.pid),
    units,
    grassroots,
    workersByUnit,
    admin,
    caseworkers,
    staffAt,
    setupMs,
  };
}

/** Runs a worker in the background; the returned function shuts it down and waits for it. */
export function startWorker(worker: Worker): () => Promise<void> {
  const run = worker.run();
  run.catch((error: unknown) => console.error('worker stopped with an error:', error));
  return async () => {
    if (worker.getState() === 'RUNNING') {
      worker.shutdown();
    }
    await run.catch(() => undefined);
  };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Driving the API

export interface Answer {
  status: number;
  body: any;
}

export async function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  token: string,
  payload?: object,
): Promise<Answer> {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: response.body ? (JSON.parse(response.body) as unknown) : null };
}

export function expectStatus(answer: Answer, expected: number, what: string): void {
  if (answer.status !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One case, step by step: the opener (the city) dispatches straight to a grassroots union, which accepts, verifies,
// plans, delivers and reports. The plan goes for approval to the unit the approval thresholds name (with the
// default tiers, 1,000 yuan is approved by the township above the grassroots union, which reserves it on its
// budget); the city, as the dispatcher, reviews and closes the case.

export const NEW_CASE = {
  category: 'living',
  urgency: 'normal',
  summary: '职工因病住院，配偶无固定收入，子女在读，家庭生活困难，申请生活救助。',
  source: 'staff',
} as const;

/** 1,000 yuan in all: modest enough that the seeded township budgets (200,000 yuan each) carry hundreds of cases. */
export const PLAN_ITEMS: readonly PlanItem[] = [
  { kind: '生活救助金', amountFen: 80_000 },
  { kind: '慰问品', amountFen: 20_000, note: '米、油、棉被' },
];

export const PLAN_TOTAL_FEN = PLAN_ITEMS.reduce((sum, item) => sum + item.amountFen, 0);

export interface CaseStep {
  action: CaseAction;
  /**
   * Who acts under the committed routing: `city`, the admin who opened and dispatched; `unit`, the grassroots
   * caseworker; `approver`, the staff of the unit the plan's routing names. The baseline uses it; ours follows the
   * holder the workflow reports.
   */
  by: 'city' | 'unit' | 'approver';
  body(unitId: string): Record<string, unknown>;
}

export const CASE_STEPS: readonly CaseStep[] = [
  { action: 'dispatch', by: 'city', body: (unitId) => ({ toUnitId: unitId }) },
  { action: 'accept', by: 'unit', body: () => ({}) },
  {
    action: 'verify',
    by: 'unit',
    body: () => ({ eligible: true, findings: '入户核实：家庭人均收入低于当地最低生活保障标准的 1.5 倍，情况属实。' }),
  },
  { action: 'plan', by: 'unit', body: () => ({ items: PLAN_ITEMS }) },
  { action: 'approve', by: 'approver', body: () => ({ note: '同意按方案发放' }) },
  {
    action: 'deliver',
    by: 'unit',
    body: () => ({ items: PLAN_ITEMS, method: 'bank_transfer', reference: 'BT-2026-000123' }),
  },
  {
    action: 'report',
    by: 'unit',
    body: () => ({ result: '救助金已到账，慰问品已送达，职工表示感谢。', satisfaction: 5 }),
  },
  { action: 'close', by: 'city', body: () => ({}) },
];

/** What the API adds to a `plan` request: the approving unit and the version of the thresholds that chose it. */
export interface PlanRouting {
  approver: UnitRef;
  thresholdVersion: number;
}

/**
 * The routing of a plan, computed as the API's `planRouting` does (api/routes/cases/index.ts): the thresholds in
 * force, the level they require for the plan's total, and that level's unit in the assignee's lineage.
 */
export async function planRouting(
  db: Db,
  assigneePath: string,
  items: readonly { amountFen: number }[],
): Promise<PlanRouting> {
  const totalFen = items.reduce((sum, item) => sum + item.amountFen, 0);
  const thresholds = await currentThresholds(db);
  const approver = approverFor(await lineageOf(db, assigneePath), levelFor(thresholds.tiers, totalFen));
  return { approver, thresholdVersion: thresholds.version };
}

/** The same for a case of the read model: the assignee is read from its row, as the API reads it. */
export async function planRoutingForCase(
  db: Db,
  caseId: string,
  items: readonly { amountFen: number }[],
): Promise<PlanRouting> {
  const row = await db
    .selectFrom('assistance_case as c')
    .innerJoin('org_unit as u', 'u.id', 'c.assignee_unit_id')
    .select('u.path')
    .where('c.id', '=', caseId)
    .executeTakeFirstOrThrow();
  return planRouting(db, row.path, items);
}

/** The ActionRequest the API builds for a step (see api/routes/cases/index.ts toActionRequest). */
export function actionRequest(step: CaseStep, actor: Actor, unit: SeedUnit, routing?: PlanRouting): ActionRequest {
  const body = step.body(unit.id);
  if (step.action === 'dispatch') {
    return { action: 'dispatch', actor, toUnit: { id: unit.id, path: unit.path } };
  }
  if (step.action === 'plan') {
    if (!routing) {
      throw new Error('A plan request needs its routing (approver and thresholdVersion), as the API adds them');
    }
    return {
      action: 'plan',
      actor,
      items: [...PLAN_ITEMS],
      approver: routing.approver,
      thresholdVersion: routing.thresholdVersion,
    };
  }
  return { ...body, action: step.action, actor } as ActionRequest;
}

/** Which grassroots unit, worker and caseworker the i-th case of a run belongs to. */
export function caseParties(ctx: BenchContext, index: number): { unit: SeedUnit; workerId: string; caseworker: Login } {
  const unit = ctx.grassroots[index % ctx.grassroots.length]!;
  const workers = ctx.workersByUnit.get(unit.id) ?? [];
  const workerId = workers[Math.floor(index / ctx.grassroots.length) % workers.length];
  const caseworker = ctx.caseworkers.get(unit.id);
  if (!workerId || !caseworker) {
    throw new Error(`No worker or caseworker at ${unit.handle}`);
  }
  return { unit, workerId, caseworker };
}

/** The routing of a grassroots unit's plans and the member of staff who approves them there. */
export interface PlanRoute {
  routing: PlanRouting;
  approver: Login;
}

/**
 * Gets the plans of the given cases ready for approval, before anything is timed: the routing of each grassroots
 * unit's plans (by grassroots unit id), the approvers logged in, and enough warmth-fund budget this year at every
 * approving unit for all of them. A shortfall (only with many cases) is funded through POST /budgets as `admin`,
 * as an operator would, with 10 % to spare.
 */
export async function preparePlans(ctx: BenchContext, caseIndexes: readonly number[]): Promise<Map<string, PlanRoute>> {
  const routes = new Map<string, PlanRoute>();
  const needFen = new Map<string, number>();
  for (const index of caseIndexes) {
    const { unit } = caseParties(ctx, index);
    let route = routes.get(unit.id);
    if (!route) {
      const routing = await planRouting(ctx.apiDb, unit.path, PLAN_ITEMS);
      route = { routing, approver: await ctx.staffAt(routing.approver.id) };
      routes.set(unit.id, route);
    }
    needFen.set(route.routing.approver.id, (needFen.get(route.routing.approver.id) ?? 0) + PLAN_TOTAL_FEN);
  }
  const year = fundYear(Date.now());
  for (const [unitId, fen] of needFen) {
    const found = await ctx.monitor.query<{ available: string | number }>(
      `select allocated_fen - allocated_out_fen - reserved_fen - paid_fen as available
         from budget where unit_id = $1 and year = $2 and fund = 'warmth'`,
      [unitId, year],
    );
    const available = Number(found.rows[0]?.available ?? 0);
    if (available < fen) {
      const amountFen = Math.ceil((fen - available) * 1.1);
      const funded = await call(ctx.app, 'POST', '/budgets', ctx.admin.token, {
        unitId,
        year,
        fund: 'warmth',
        amountFen,
      });
      expectStatus(funded, 201, 'POST /budgets');
      log(`funded ${amountFen / 100} yuan more for ${year} at unit ${unitId} (had ${available / 100} yuan available)`);
    }
  }
  return routes;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

export interface TableRow {
  phase: string;
  metric: string;
  baseline: string;
  ours: string;
  ratio: string;
  target: string;
}

export const fmt = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);

export const fmtSpread = (s: Spread, digits = 2): string =>
  `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;

export function printTable(rows: TableRow[]): void {
  const headers: TableRow = {
    phase: 'phase',
    metric: 'metric',
    baseline: 'baseline',
    ours: 'ours',
    ratio: 'ratio (ours/base) [spread]',
    target: 'target',
  };
  const keys = Object.keys(headers) as (keyof TableRow)[];
  const width = (key: keyof TableRow) => Math.max(...[headers, ...rows].map((row) => displayWidth(row[key])));
  const widths = Object.fromEntries(keys.map((key) => [key, width(key)])) as Record<keyof TableRow, number>;
  const line = (row: TableRow) => `| ${keys.map((key) => pad(row[key], widths[key])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${keys.map((key) => '-'.repeat(widths[key] + 2)).join('|')}|`);
  for (const row of rows) {
    console.log(line(row));
  }
}

/** Terminal columns of a string: CJK characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char)
      ? 2
      : 1;
  }
  return width;
}

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

export function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
