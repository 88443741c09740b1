/*
 * npm run bench [-- --quick] [-- --phases b1,b2,b3,b4,b5,ledger,funds-report,portal,nearby,matching,pipeline]
 *
 * Runs the benchmarks of shared/BENCHMARKS.md one phase after another against a private stack: a Temporal dev
 * server, a throwaway database yue_bench_<pid>, the API in-process (driven with inject, no network) and a case
 * worker on its own task queue. Prints a table and writes bench/results/<timestamp>.json. Everything it starts
 * is stopped and the database dropped, also on error or Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runMatching } from './b-matching.js';
import { runNearby } from './b-nearby.js';
import { runPipeline } from './b-pipeline.js';
import { runB1 } from './b1-case-lifecycle.js';
import { runB2 } from './b2-message-latency.js';
import { runB3 } from './b3-overdue-board.js';
import { runLedger } from './b4-ledger.js';
import { runPerceptionScan } from './b4-perception-scan.js';
import { runFeedImport } from './b5-feed-import.js';
import { runFundsReport } from './funds-report.js';
import { runPortalWarmList } from './portal-warm-list.js';
import { measureFloors } from './floors.js';
import { Cleanups, REPO_ROOT, log, parseOptions, printTable, round, setUp, type TableRow } from './support.js';

const options = parseOptions(process.argv.slice(2));
const cleanups = new Cleanups();
let interrupted = false;
let cleaning = false;
const cleanUpAndExit = (code: number): void => {
  cleaning = true;
  void cleanups.run().finally(() => process.exit(code));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: cleaning up`);
    cleanUpAndExit(130);
  });
}
// Work still in flight when the stack is torn down fails in odd places (a closed gRPC channel throws from a timer):
// once cleaning up, such errors are expected and must not stop the cleanup itself.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    if (cleaning) {
      return;
    }
    console.error(`bench: ${event}:`, error);
    cleanUpAndExit(1);
  });
}

const git = (...args: string[]): string => {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

async function main(): Promise<number> {
  const startedAt = new Date();
  const started = performance.now();
  log(
    `${options.quick ? 'quick' : 'full'} run: phases ${[...options.phases].join(', ')}; ` +
      `B1 ${options.n} cases x ${options.pairs + 1} pairs, B2 ${options.samples} samples, ` +
      `B3 ${options.rows} rows ${options.durationMs} ms x ${options.pairs + 1} pairs, ` +
      `ledger ${options.postings} postings/run, funds report ${options.payments} payments over ${options.rows} cases ` +
      `x ${options.reportRequests} requests, nearby 100 seeded then ${options.stations} synthetic stations`,
  );
  const loadBefore = os.loadavg();
  const ctx = await setUp(options, cleanups);
  log(
    `stack ready: Temporal ${ctx.temporal.address} (pid ${ctx.temporal.pid}, ${round(ctx.setupMs.temporal! / 1000, 1)} s), ` +
      `database ${ctx.databaseName} (${round(ctx.setupMs.database! / 1000, 1)} s), ` +
      `bundle ${round(ctx.setupMs.bundle! / 1000, 1)} s, task queue ${ctx.taskQueue}`,
  );

  const floors = await measureFloors(ctx.databaseUrl);
  const rows: TableRow[] = [];
  const phases: Record<string, unknown> = {};
  const phaseMs: Record<string, number> = {};
  const run = async <T>(name: string, fn: () => Promise<{ result: T; rows: TableRow[] }>): Promise<void> => {
    if (!options.phases.has(name) || interrupted) {
      return;
    }
    const phaseStart = performance.now();
    log(`${name.toUpperCase()} starts`);
    const outcome = await fn();
    phases[name] = outcome.result;
    rows.push(...outcome.rows);
    phaseMs[name] = round(performance.now() - phaseStart, 0);
    log(`${name.toUpperCase()} done in ${round(phaseMs[name] / 1000, 1)} s`);
  };
  await run('b1', () => runB1(ctx));
  await run('b2', () => runB2(ctx));
  await run('b3', () => runB3(ctx));
  await run('b4', () => runPerceptionScan(ctx));
  await run('b5', () => runFeedImport(ctx));
  await run('ledger', () => runLedger(ctx));
  await run('funds-report', () => runFundsReport(ctx));
  await run('portal', () => runPortalWarmList(ctx));
  await run('nearby', () => runNearby(ctx));
  await run('matching', () => runMatching(ctx));
  await run('pipeline', () => runPipeline(ctx));

  const report = {
    startedAt: startedAt.toISOString(),
    mode: options.quick ? 'quick' : 'full',
    options: { ...options, phases: [...options.phases], adminDatabaseUrl: undefined },
    git: { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain').length > 0 },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverageBefore: loadBefore.map((v) => round(v, 2)),
      loadAverageAfter: os.loadavg().map((v) => round(v, 2)),
      note: 'shared 2-core machine: absolute figures are noisy, read the ratios',
    },
    stack: {
      temporal: { binary: ctx.temporal.binary, pragmas: ['journal_mode=WAL', 'synchronous=NORMAL'] },
      logLevel: options.logLevel,
      setupMs: Object.fromEntries(Object.entries(ctx.setupMs).map(([k, v]) => [k, round(v, 0)])),
    },
    floors,
    phases,
    phaseMs,
    totalMs: round(performance.now() - started, 0),
    table: rows,
  };
  const resultsDir = path.join(REPO_ROOT, 'bench/results');
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);

  console.log('');
  console.log(
    `Floors: ${floors.singleRowInsertsPerSec} single-row INSERT/s (1 client), ${floors.unnestRowsPerSec} rows/s ` +
      `INSERT ... SELECT unnest (100 k), SELECT 1 ${floors.select1Us} µs, seq scan 1 M rows ${floors.seqScan1MMs} ms ` +
      `(PostgreSQL ${floors.settings.server_version}, synchronous_commit ${floors.settings.synchronous_commit})`,
  );
  console.log(
    `Load average ${report.machine.loadAverageBefore.join(' ')} before, ${report.machine.loadAverageAfter.join(' ')} ` +
      `after, on ${report.machine.cpus} CPUs. Ratios are medians of B/O pairs [min–max].`,
  );
  printTable(rows);
  console.log(`\nResults: ${path.relative(REPO_ROOT, file)} (${round(report.totalMs / 1000, 1)} s in all)`);
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error('bench failed:', error);
  exitCode = 1;
} finally {
  if (!interrupted) {
    log('cleaning up');
  }
  cleaning = true;
  await cleanups.run();
}
process.exit(interrupted ? 130 : exitCode);
