import pg from 'pg';
import { createDb } from '../db/database.js';
import { move } from '../db/repositories/ledger.repository.js';
import {
  fmt,
  fmtSpread,
  log,
  median,
  round,
  roundCpu,
  roundSpread,
  runPool,
  spread,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'plain' | 'ours';
type Mode = 'sequential' | 'concurrent';

interface LedgerRun {
  side: Side;
  mode: Mode;
  warmup: boolean;
  postings: number;
  wallMs: number;
  postingsPerSec: number;
  cpu: CpuSeconds;
  cpuMsPerPosting: number;
}

interface ModeSummary {
  concurrency: number;
  postingsPerSec: Record<Side, number>;
  cpuMsPerPosting: Record<Side, number>;
  /** Per measured pair: ours postings/s / plain postings/s. */
  rateRatio: Spread;
  /** Per measured pair: ours CPU per posting / plain CPU per posting. */
  cpuRatio: Spread;
}

export interface LedgerResult {
  postingsPerRun: number;
  budgets: number;
  amountFen: number;
  runs: LedgerRun[];
  sequential: ModeSummary;
  concurrent: ModeSummary;
  /** Balances of the bench budgets after the phase, against what ours posted (a sanity check of the runs). */
  check: { paidFen: number; expectedPaidFen: number; reservedFen: number };
}

/** Budgets of a year no one else touches, so the phase neither drains nor sees the budgets B1 and B2 approve on. */
const BENCH_YEAR = 2099;
const BUDGETS = 4;
const AMOUNT_FEN = 100;

/**
 * B4 ledger: postings per second through the real code path, `move()` (idempotency look-up, guarded balance
 * UPDATE under the budget row lock, ledger_transaction and its two ledger_entry rows) in one `db.transaction()`
 * per movement, each job a 'reserve' then a 'pay' of the same amount on one of a handful of budgets; against
 * plain INSERTs of the same rows (one ledger_transaction + two ledger_entry per movement, one transaction each,
 * no balance update, no look-up) by raw `pg` into the same tables under distinct posting keys. Sequential, then
 * `ledgerConcurrency` writers; B O after a warm-up pair in each mode.
 */
export async function runLedger(ctx: BenchContext): Promise<{ result: LedgerResult; rows: TableRow[] }> {
  const { options } = ctx;
  const concurrency = options.ledgerConcurrency;
  const jobs = Math.max(1, Math.round(options.postings / 2));
  const postings = jobs * 2;

  // Our side uses the product's pool set-up; the plain side a bare pg pool of the same size.
  const db = createDb({ connectionString: ctx.databaseUrl, poolSize: concurrency });
  const plainPool = new pg.Pool({ connectionString: ctx.databaseUrl, max: concurrency, idleTimeoutMillis: 0 });
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= Promise.all([db.destroy(), plainPool.end()]).then(() => undefined));
  ctx.cleanups.add('close ledger pools', close);

  const townships = ctx.units.filter((unit) => unit.level === 'township').slice(0, BUDGETS);
  const budgetIds: string[] = [];
  await db.transaction().execute(async (trx) => {
    for (const unit of townships) {
      const budget = await trx
        .insertInto('budget')
        .values({ unit_id: unit.id, unit_path: unit.path, year: BENCH_YEAR, fund: 'warmth' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await move(
        trx,
        { kind: 'fund', budgetId: budget.id, amountFen: 10_000_000_000 },
        { postingKey: `bench-ledger:fund:${budget.id}`, memo: 'bench' },
      );
      budgetIds.push(budget.id);
    }
  });

  const ourJob = (tag: string) => async (index: number) => {
    const budgetId = budgetIds[index % budgetIds.length]!;
    for (const kind of ['reserve', 'pay'] as const) {
      await db
        .transaction()
        .execute((trx) =>
          move(trx, { kind, budgetId, amountFen: AMOUNT_FEN }, { postingKey: `bench-ledger:${tag}:${index}:${kind}` }),
        );
    }
  };

  const entriesOf = (kind: 'reserve' | 'pay'): [string, string] =>
    kind === 'reserve' ? ['available', 'reserved'] : ['reserved', 'paid'];
  const plainJob = (tag: string) => async (index: number) => {
    const budgetId = budgetIds[index % budgetIds.length]!;
    const client = await plainPool.connect();
    try {
      for (const kind of ['reserve', 'pay'] as const) {
        const [from, to] = entriesOf(kind);
        await client.query('begin');
        try {
          const inserted = await client.query<{ id: string }>(
            'insert into ledger_transaction (posting_key, kind) values ($1, $2) returning id',
            [`bench-plain:${tag}:${index}:${kind}`, kind],
          );
          await client.query(
            `insert into ledger_entry (transaction_id, budget_id, account, amount_fen)
             values ($1, $2, $3, $4), ($1, $2, $5, $6)`,
            [inserted.rows[0]!.id, budgetId, from, -AMOUNT_FEN, to, AMOUNT_FEN],
          );
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw error;
        }
      }
    } finally {
      client.release();
    }
  };

  const runs: LedgerRun[] = [];
  const runSide = async (side: Side, mode: Mode, pair: number): Promise<LedgerRun> => {
    const tag = `${mode}-${pair}`;
    const job = side === 'ours' ? ourJob(tag) : plainJob(tag);
    const lanes = mode === 'sequential' ? 1 : concurrency;
    const measured = await ctx.cpu.measure(() => runPool(jobs, lanes, job));
    const run: LedgerRun = {
      side,
      mode,
      warmup: pair === 0,
      postings,
      wallMs: round(measured.wallMs, 1),
      postingsPerSec: round(postings / (measured.wallMs / 1000), 1),
      cpu: roundCpu(measured.cpu),
      cpuMsPerPosting: round((measured.cpu.total * 1000) / postings, 3),
    };
    runs.push(run);
    log(
      `LEDGER ${run.warmup ? 'warm-up ' : ''}${mode.padEnd(10)} ${side.padEnd(5)} ${postings} postings in ` +
        `${fmt(measured.wallMs / 1000)} s (${fmt(run.postingsPerSec, 0)}/s), CPU ${fmt(run.cpuMsPerPosting, 3)} ms/posting ` +
        `(bench ${fmt(measured.cpu.bench)} s, pg ${fmt(measured.cpu.postgres)} s)`,
    );
    return run;
  };

  const summarise = async (mode: Mode): Promise<ModeSummary> => {
    const rateRatios: number[] = [];
    const cpuRatios: number[] = [];
    for (let pair = 0; pair <= options.pairs; pair++) {
      await ctx.cpu.refreshBackends();
      const plain = await runSide('plain', mode, pair);
      const ours = await runSide('ours', mode, pair);
      if (pair > 0) {
        rateRatios.push(ours.postingsPerSec / plain.postingsPerSec);
        cpuRatios.push(ours.cpuMsPerPosting / plain.cpuMsPerPosting);
      }
    }
    const measured = (side: Side) => runs.filter((run) => run.mode === mode && run.side === side && !run.warmup);
    const of = (side: Side, key: 'postingsPerSec' | 'cpuMsPerPosting') =>
      round(median(measured(side).map((run) => run[key])), 3);
    return {
      concurrency: mode === 'sequential' ? 1 : concurrency,
      postingsPerSec: { plain: of('plain', 'postingsPerSec'), ours: of('ours', 'postingsPerSec') },
      cpuMsPerPosting: { plain: of('plain', 'cpuMsPerPosting'), ours: of('ours', 'cpuMsPerPosting') },
      rateRatio: roundSpread(spread(rateRatios)),
      cpuRatio: roundSpread(spread(cpuRatios)),
    };
  };
  const sequential = await summarise('sequential');
  const concurrent = await summarise('concurrent');

  const balances = await ctx.monitor.query<{ paid: string; reserved: string }>(
    'select sum(paid_fen) as paid, sum(reserved_fen) as reserved from budget where id = any($1::uuid[])',
    [budgetIds],
  );
  const ourJobs = runs.filter((run) => run.side === 'ours').length * jobs;
  const check = {
    paidFen: Number(balances.rows[0]!.paid),
    expectedPaidFen: ourJobs * AMOUNT_FEN,
    reservedFen: Number(balances.rows[0]!.reserved),
  };
  if (check.paidFen !== check.expectedPaidFen || check.reservedFen !== 0) {
    throw new Error(`Ledger bench budgets do not add up: ${JSON.stringify(check)}`);
  }

  const result: LedgerResult = {
    postingsPerRun: postings,
    budgets: budgetIds.length,
    amountFen: AMOUNT_FEN,
    runs,
    sequential,
    concurrent,
    check,
  };
  const row = (mode: Mode, summary: ModeSummary): TableRow[] => [
    {
      phase: 'B4 ledger',
      metric: `postings/s ${mode === 'sequential' ? 'sequential' : `conc ${summary.concurrency}`} (${postings}/run, ${budgetIds.length} budgets)`,
      baseline: fmt(summary.postingsPerSec.plain, 0),
      ours: fmt(summary.postingsPerSec.ours, 0),
      ratio: fmtSpread(summary.rateRatio),
      target: '',
    },
    {
      phase: 'B4 ledger',
      metric: `CPU ms/posting ${mode === 'sequential' ? 'sequential' : `conc ${summary.concurrency}`} (all processes)`,
      baseline: fmt(summary.cpuMsPerPosting.plain, 3),
      ours: fmt(summary.cpuMsPerPosting.ours, 3),
      ratio: fmtSpread(summary.cpuRatio),
      target: '',
    },
  ];
  await close();
  return { result, rows: [...row('sequential', sequential), ...row('concurrent', concurrent)] };
}
