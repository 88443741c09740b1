import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { buildApp } from '../api/app.js';
import type { Database } from '../db/database.js';
import {
  ZERO_CPU,
  addCpu,
  fmt,
  fmtSpread,
  log,
  procCpuSeconds,
  quantile,
  round,
  roundSpread,
  spread,
  timed,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'raw' | 'ours';

interface Statement {
  sql: string;
  parameters: unknown[];
}

interface SideSummary {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMsPerRequest: { bench: number; postgres: number; total: number };
}

interface ScopeResult {
  scope: string;
  unitId: string;
  /** Payment rows in the scope in the report's period and in the same period a year before. */
  paymentsInScope: { current: number; previous: number };
  raw: SideSummary;
  ours: SideSummary;
  /** Per measured pair: ours latency / raw latency. */
  latencyRatio: Spread;
  /** EXPLAIN (ANALYZE, BUFFERS) of the current period's two statements, ms, with their plans. */
  explain: { byCategoryMs: number; totalsMs: number; byCategoryPlan: string[]; totalsPlan: string[] };
}

export interface FundsReportResult {
  cases: number;
  payments: number;
  insertMs: number;
  period: { from: string; to: string };
  statements: { byCategory: string; totals: string };
  scopes: ScopeResult[];
}

/**
 * Closed synthetic cases the payments belong to, one row per case in a temp table first (the payments are dealt
 * over them), then into assistance_case. Workers, households and unit paths come from the seeded tree; categories
 * and funds are drawn per case (a tenth from the perception fund); each case was opened on a day of the last two
 * years and approved at the township (85 %), the district (12 %) or the city (3 %).
 */
const SYNTHETIC_FUND_CASES = `
create temp table bench_fund_case as
with w as (
  select row_number() over (order by w.id) - 1 as rn, w.id, w.household_id, w.unit_id, o.path,
         string_to_array(trim(both '/' from o.path), '/') as parts
  from worker w join org_unit o on o.id = w.unit_id
), total as (
  select count(*)::int as c from w
), g as (
  select s,
         abs(hashint4(s + 7000003)::bigint) as worker_draw,
         (abs(hashint4(s + 7100003)::bigint) % 6)::int as category_draw,
         (abs(hashint4(s + 7200003)::bigint) % 10)::int as fund_draw,
         (abs(hashint4(s + 7300003)::bigint) % 100)::int as level_draw,
         now() - make_interval(days => 2 + (abs(hashint4(s + 7400003)::bigint) % 728)::int,
                               mins => (abs(hashint4(s + 7500003)::bigint) % 1440)::int) as opened_at
  from generate_series(1, $1::int) s
)
select g.s, md5('bench-fund-case-' || g.s)::uuid as id, w.id as worker_id, w.household_id, w.unit_id, w.path,
       w.parts,
       (array['living', 'medical', 'education', 'employment', 'emergency', 'legal'])[1 + g.category_draw] as category,
       case when g.fund_draw = 0 then 'perception_special' else 'warmth' end as fund,
       case when g.level_draw < 85 then 3 when g.level_draw < 97 then 2 else 1 end as approver_level,
       g.opened_at
from g join w on w.rn = g.worker_draw % (select c from total)`;

const INSERT_FUND_CASES = `
insert into assistance_case (
  id, worker_id, household_id, worker_unit_id, worker_unit_path, category, urgency, source, summary, status, step,
  holder_unit_id, holder_unit_path, assignee_unit_id, opened_unit_id, opened_by_user_id, policy_version, step_seq,
  step_started_at, due_at, remind_at, suspended_until, escalation_level, last_seq, opened_at, closed_at, fund)
select c.id, c.worker_id, c.household_id, c.unit_id, c.path, c.category,
       case when c.s % 10 = 3 then 'urgent' else 'normal' end,
       (array['staff', 'referral', 'self_application', 'perception'])[1 + c.s % 4],
       '合成已结工单 ' || c.s || '：职工家庭生活困难，已发放帮扶资金。',
       'closed', 'done', c.parts[1]::uuid, '/' || c.parts[1] || '/', c.unit_id, c.parts[1]::uuid, null, 0, 9,
       least(now(), c.opened_at + interval '3 days'), null, null, null, 0, 9, c.opened_at,
       least(now(), c.opened_at + interval '3 days'), c.fund
from bench_fund_case c`;

/** Budgets for every approving unit, year and fund the payments fall in (balances left at zero: unread here). */
const SYNTHETIC_BUDGETS = `
insert into budget (unit_id, unit_path, year, fund)
select o.id, o.path, y, f
from org_unit o
cross join generate_series(extract(year from now() - interval '731 days')::int, extract(year from now())::int) y
cross join unnest(array['warmth', 'perception_special']) f
where o.level in ('city', 'district', 'township')
on conflict (unit_id, year, fund) do nothing`;

/**
 * The payments, dealt round the cases (payment p to case (p - 1) % cases + 1, so ~payments / cases per case, as
 * plan versions of three items), a few hours apart after the case opened, on the approving unit's budget of the
 * year they were paid in; 1 % reversed. All point at one shared synthetic ledger transaction ($3).
 */
const SYNTHETIC_PAYMENTS = `
with p as (
  select p, (p - 1) % $2::int + 1 as s, (p - 1) / $2::int as k,
         (abs(hashint4(p + 8000003)::bigint) % 100)::int as amount_draw,
         (abs(hashint4(p + 8100003)::bigint) % 100)::int as reversal_draw
  from generate_series(1, $1::int) p
), x as (
  select p.*, c.id as case_id, c.worker_id, c.household_id, c.category, c.fund, c.parts[c.approver_level]::uuid as approver,
         c.approver_level, c.opened_at + make_interval(hours => 1 + p.k * 3) as paid_at
  from p join bench_fund_case c on c.s = p.s
)
insert into payment (
  case_id, plan_version, item_index, kind, amount_fen, method, reference, worker_id, household_id, budget_id,
  unit_path, worker_unit_path, registered_household, category, fund, transaction_id, paid_at, reversed_at,
  reversal_transaction_id, reversal_reason)
select x.case_id, 1 + x.k / 3, x.k % 3,
       (array['生活救助金', '慰问品', '医疗救助金', '助学金', '慰问金'])[1 + x.p % 5],
       case x.approver_level
         when 3 then 10000 + x.amount_draw * 600
         when 2 then 70000 + x.amount_draw * 2500
         else 350000 + x.amount_draw * 10000 end,
       (array['bank_transfer', 'cash', 'goods'])[1 + x.p % 3],
       'BT-BENCH-' || x.p,
       x.worker_id, x.household_id, b.id, b.unit_path,
       (select ac.worker_unit_path from assistance_case ac where ac.id = x.case_id),
       (select w.hardship_status = 'registered' from worker w where w.id = x.worker_id),
       x.category, x.fund, $3::uuid, x.paid_at,
       case when x.reversal_draw = 0 then x.paid_at + interval '1 day' end,
       case when x.reversal_draw = 0 then $3::uuid end,
       case when x.reversal_draw = 0 then '合成冲正' end
from x
join budget b on b.unit_id = x.approver
             and b.year = extract(year from x.paid_at at time zone 'Asia/Shanghai')::int
             and b.fund = x.fund`;

/**
 * Writes `cases` synthetic closed cases and `payments` synthetic payments over them (see above), then vacuums and
 * analyses the two tables. Consistent by construction (every reference comes from the seeded tables or the rows
 * just written), so the row-by-row foreign-key triggers are switched off for the load, as B3 does: replica mode,
 * this session only.
 */
export async function loadSyntheticPayments(client: pg.Client, cases: number, payments: number): Promise<void> {
  const shared = await client.query<{ id: string }>(
    `insert into ledger_transaction (posting_key, kind, memo)
     values ('bench:funds-report:synthetic', 'pay', 'bench: shared by all synthetic payments') returning id`,
  );
  const transactionId = shared.rows[0]!.id;
  await client.query(SYNTHETIC_BUDGETS);
  // Plain indexes of payment are built once after the load rather than row by row during it (the load is set-up,
  // not measured); their definitions are read back from the catalogue and replayed unchanged. Indexes behind
  // constraints (primary key, unique) stay.
  const indexes = await client.query<{ name: string; definition: string }>(
    `select indexname as name, indexdef as definition from pg_indexes
      where schemaname = current_schema() and tablename = 'payment'
        and indexname not in (select conname from pg_constraint where conrelid = 'payment'::regclass)`,
  );
  for (const index of indexes.rows) {
    await client.query(`drop index "${index.name}"`);
  }
  await client.query('set session_replication_role = replica');
  try {
    await client.query(SYNTHETIC_FUND_CASES, [cases]);
    await client.query('create unique index on bench_fund_case (s)');
    await client.query('analyze bench_fund_case');
    await client.query(INSERT_FUND_CASES);
    const inserted = await client.query(SYNTHETIC_PAYMENTS, [payments, cases, transactionId]);
    if (inserted.rowCount !== payments) {
      throw new Error(`Inserted ${inserted.rowCount} synthetic payments, not ${payments}`);
    }
  } finally {
    await client.query('reset session_replication_role');
    await client.query('drop table if exists bench_fund_case');
    for (const index of indexes.rows) {
      await client.query(index.definition);
    }
  }
  await client.query('vacuum analyze payment');
  await client.query('vacuum analyze assistance_case');
}

/**
 * Funds report: GET /reports/funds (kysely, auth, validation, rate limit, audit, logging; two periods of two
 * statements each) for the city as `admin` and for one district, over `payments` synthetic payments of `rows`
 * synthetic closed cases spread over two years, for the last 365 days against the year before. Baseline: the same
 * four statements, captured from the route, run by raw `pg` in the same shape (the two periods side by side, each
 * period's two statements one after the other). One request at a time, raw and ours alternating (which goes first
 * alternates too), after a warm-up pair, up to `reportRequests` pairs per scope or until the scope's time budget
 * is spent (at least three pairs); the statements' plans are recorded with EXPLAIN (ANALYZE, BUFFERS).
 */
export async function runFundsReport(ctx: BenchContext): Promise<{ result: FundsReportResult; rows: TableRow[] }> {
  const { options } = ctx;
  const cases = options.rows;
  const payments = options.payments;

  const insert = await timed(() => loadSyntheticPayments(ctx.monitor, cases, payments));
  log(`FUNDS-REPORT ${cases} synthetic cases and ${payments} payments inserted in ${fmt(insert.ms / 1000)} s`);

  const to = new Date();
  const from = new Date(to.getTime() - 365 * 86_400_000);
  const district = ctx.units.find((unit) => unit.level === 'district')!;
  const scopes = [
    { scope: 'city', unitId: ctx.admin.staff.unitId, query: '' },
    { scope: `district ${district.handle}`, unitId: district.id, query: `&unitId=${district.id}` },
  ];
  const urlOf = (query: string) =>
    `/reports/funds?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}${query}`;
  const headers = { authorization: `Bearer ${ctx.admin.token}` };

  // The exact statements and parameters the route sends, captured from kysely in a second instance of the app.
  const captured: Statement[] = [];
  const capturePool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 4 });
  const captureDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturePool }),
    log: (event) => {
      if (event.level === 'query' && /from "payment"/.test(event.query.sql)) {
        captured.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
      }
    },
  });
  const captureApp = await buildApp({
    config: ctx.config,
    db: captureDb,
    temporal: { client: ctx.client, taskQueue: ctx.taskQueue },
    logger: pino({ level: 'silent' }),
  });
  const statementsOf: Statement[][] = [];
  try {
    for (const scope of scopes) {
      captured.length = 0;
      const answer = await captureApp.inject({ method: 'GET', url: urlOf(scope.query), headers });
      if (answer.statusCode !== 200 || captured.length !== 4) {
        throw new Error(`Capturing the report's statements: ${answer.statusCode}, ${captured.length} statements`);
      }
      statementsOf.push([...captured]);
    }
  } finally {
    await captureApp.close();
    await captureDb.destroy();
  }
  // Two periods of two statements, in the order the route issues them (both periods start at once).
  const isTotals = (s: Statement) => !/group by/i.test(s.sql);
  const periodsOf = (statements: Statement[]) => {
    const fromOf = (s: Statement) => (s.parameters.find((p) => p instanceof Date) as Date).getTime();
    const current = statements.filter((s) => fromOf(s) === from.getTime());
    const previous = statements.filter((s) => fromOf(s) !== from.getTime());
    const ordered = (list: Statement[]) => [list.find((s) => !isTotals(s))!, list.find(isTotals)!];
    if (current.length !== 2 || previous.length !== 2) {
      throw new Error('Could not tell the two periods of the report apart');
    }
    return { current: ordered(current), previous: ordered(previous) };
  };

  const sampler = new BackendSampler(ctx);
  await sampler.start();
  const rawPool = new pg.Pool({ connectionString: ctx.databaseUrl, max: ctx.config.databasePoolSize });
  let rawClosed: Promise<void> | null = null;
  const closeRaw = () => (rawClosed ??= rawPool.end());
  ctx.cleanups.add('close funds report raw pool', closeRaw);

  const results: ScopeResult[] = [];
  const rows: TableRow[] = [];
  for (const [i, scope] of scopes.entries()) {
    const periods = periodsOf(statementsOf[i]!);
    const runPeriod = async (statements: Statement[]) => {
      const out: pg.QueryResult[] = [];
      for (const s of statements) {
        out.push(await rawPool.query(s.sql, s.parameters));
      }
      return out;
    };
    const raw = async () => {
      const [current, previous] = await Promise.all([runPeriod(periods.current), runPeriod(periods.previous)]);
      return { current, previous };
    };
    const ours = async () => {
      const response = await ctx.app.inject({ method: 'GET', url: urlOf(scope.query), headers });
      if (response.statusCode !== 200) {
        throw new Error(`GET /reports/funds answered ${response.statusCode}: ${response.body}`);
      }
      return JSON.parse(response.body) as { totals: { amountFen: number; personTimes: number } };
    };

    // Both sides must report the same figures.
    const rawOnce = await raw();
    const oursOnce = await ours();
    const rawTotals = rawOnce.current[1]!.rows[0] as { amount: number; person_times: number };
    if (
      Number(rawTotals.amount) !== oursOnce.totals.amountFen ||
      rawTotals.person_times !== oursOnce.totals.personTimes
    ) {
      throw new Error(`Raw and ours disagree on the ${scope.scope} report`);
    }
    const counted = await ctx.monitor.query<{ current: number; previous: number }>(
      `select count(*) filter (where p.paid_at >= $2 and p.paid_at < $3)::int as current,
              count(*) filter (where p.paid_at >= $2::timestamptz - interval '1 year'
                                 and p.paid_at < $3::timestamptz - interval '1 year')::int as previous
         from payment p join assistance_case c on c.id = p.case_id
        where c.worker_unit_path like $1 || '%' and p.reversed_at is null`,
      [pathOf(periods.current[0]!), from, to],
    );

    const samples: Record<Side, number[]> = { raw: [], ours: [] };
    const cpu: Record<Side, CpuSeconds> = { raw: { ...ZERO_CPU }, ours: { ...ZERO_CPU } };
    const ratios: number[] = [];
    const once = async (side: Side, measured: boolean): Promise<number> => {
      const { ms, cpu: used } = await sampler.measure(side === 'raw' ? raw : ours);
      if (measured) {
        samples[side].push(ms);
        cpu[side] = addCpu(cpu[side], used);
      }
      return ms;
    };
    // Up to `reportRequests` measured pairs after the warm-up pair, fewer (at least MIN_PAIRS) once the scope has
    // used its time budget: a city report over a million payments takes seconds.
    const scopeStarted = performance.now();
    for (let pair = 0; pair <= options.reportRequests; pair++) {
      const measured = pair > 0;
      const order: Side[] = pair % 2 === 0 ? ['raw', 'ours'] : ['ours', 'raw'];
      const ms: Partial<Record<Side, number>> = {};
      for (const side of order) {
        ms[side] = await once(side, measured);
      }
      if (measured) {
        ratios.push(ms.ours! / ms.raw!);
      }
      if (pair >= MIN_PAIRS && performance.now() - scopeStarted > options.reportBudgetMs) {
        break;
      }
    }
    const summary = (side: Side): SideSummary => {
      const values = samples[side];
      const per = (key: keyof CpuSeconds) => round((cpu[side][key] * 1000) / values.length, 1);
      return {
        requests: values.length,
        p50Ms: round(quantile(values, 0.5), 1),
        p99Ms: round(quantile(values, 0.99), 1),
        maxMs: round(Math.max(...values), 1),
        cpuMsPerRequest: { bench: per('bench'), postgres: per('postgres'), total: per('total') },
      };
    };

    const explain = async (s: Statement) => {
      const plan = await ctx.monitor.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers) ${s.sql}`,
        s.parameters,
      );
      const lines = plan.rows.map((row) => row['QUERY PLAN']);
      const time = lines.find((line) => line.startsWith('Execution Time'));
      return { ms: round(Number(/([\d.]+) ms/.exec(time ?? '')?.[1] ?? Number.NaN), 1), plan: lines };
    };
    const byCategoryPlan = await explain(periods.current[0]!);
    const totalsPlan = await explain(periods.current[1]!);

    const result: ScopeResult = {
      scope: scope.scope,
      unitId: scope.unitId,
      paymentsInScope: counted.rows[0]!,
      raw: summary('raw'),
      ours: summary('ours'),
      latencyRatio: roundSpread(spread(ratios)),
      explain: {
        byCategoryMs: byCategoryPlan.ms,
        totalsMs: totalsPlan.ms,
        byCategoryPlan: byCategoryPlan.plan,
        totalsPlan: totalsPlan.plan,
      },
    };
    results.push(result);
    log(
      `FUNDS-REPORT ${scope.scope}: ${result.paymentsInScope.current} + ${result.paymentsInScope.previous} payments; ` +
        `raw p50 ${fmt(result.raw.p50Ms, 0)} ms p99 ${fmt(result.raw.p99Ms, 0)} ms; ours p50 ${fmt(result.ours.p50Ms, 0)} ms ` +
        `p99 ${fmt(result.ours.p99Ms, 0)} ms (${result.ours.requests} each); EXPLAIN ANALYZE byCategory ` +
        `${fmt(result.explain.byCategoryMs, 0)} ms, totals ${fmt(result.explain.totalsMs, 0)} ms`,
    );
    for (const [name, plan] of [
      ['byCategory', byCategoryPlan.plan],
      ['totals', totalsPlan.plan],
    ] as const) {
      log(`FUNDS-REPORT ${scope.scope} ${name} plan:\n    ${plan.join('\n    ')}`);
    }

    rows.push(
      {
        phase: 'funds report',
        metric: `${scope.scope}: p50 / p99 ms (${result.paymentsInScope.current}+${result.paymentsInScope.previous} payments, ${result.ours.requests} req/side)`,
        baseline: `${fmt(result.raw.p50Ms, 0)} / ${fmt(result.raw.p99Ms, 0)}`,
        ours: `${fmt(result.ours.p50Ms, 0)} / ${fmt(result.ours.p99Ms, 0)}`,
        ratio: fmtSpread(result.latencyRatio),
        target: '',
      },
      {
        phase: 'funds report',
        metric: `${scope.scope}: CPU ms/request (bench/pg incl. parallel workers)`,
        baseline: `${fmt(result.raw.cpuMsPerRequest.total, 0)} (b ${fmt(result.raw.cpuMsPerRequest.bench, 0)}/pg ${fmt(result.raw.cpuMsPerRequest.postgres, 0)})`,
        ours: `${fmt(result.ours.cpuMsPerRequest.total, 0)} (b ${fmt(result.ours.cpuMsPerRequest.bench, 0)}/pg ${fmt(result.ours.cpuMsPerRequest.postgres, 0)})`,
        ratio: fmt(result.ours.cpuMsPerRequest.total / result.raw.cpuMsPerRequest.total),
        target: '',
      },
      {
        phase: 'funds report',
        metric: `${scope.scope}: EXPLAIN ANALYZE ms byCategory / totals`,
        baseline: `${fmt(result.explain.byCategoryMs, 0)} / ${fmt(result.explain.totalsMs, 0)}`,
        ours: 'same SQL',
        ratio: '',
        target: '',
      },
    );
  }
  await closeRaw();
  await sampler.stop();

  const [byCategory, totals] = periodsOf(statementsOf[0]!).current;
  const result: FundsReportResult = {
    cases,
    payments,
    insertMs: round(insert.ms, 0),
    period: { from: from.toISOString(), to: to.toISOString() },
    statements: { byCategory: byCategory!.sql, totals: totals!.sql },
    scopes: results,
  };
  return { result, rows };
}

const MIN_PAIRS = 3;

/**
 * CPU of one request, PostgreSQL's parallel workers included: they live only as long as a query, so CpuMeter's
 * list of backends (read before and after) misses them. While the request runs, the backends of the bench database
 * are listed every 50 ms on a connection of its own (not counted) and each one's CPU read; a process first seen
 * during the request counts from zero, as it was born in it. What a worker spends after its last sample is missed.
 */
class BackendSampler {
  private client: pg.Client;
  private closed: Promise<void> | null = null;

  constructor(private readonly ctx: BenchContext) {
    this.client = new pg.Client({ connectionString: ctx.databaseUrl });
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.ctx.cleanups.add('close funds report sampler', () => this.stop());
  }

  stop(): Promise<void> {
    return (this.closed ??= this.client.end());
  }

  private async backends(): Promise<number[]> {
    const result = await this.client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [this.ctx.databaseName],
    );
    return result.rows.map((row) => row.pid);
  }

  async measure(fn: () => Promise<unknown>): Promise<{ ms: number; cpu: CpuSeconds }> {
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    const sample = (pids: number[], initial: boolean) => {
      for (const pid of pids) {
        const seconds = procCpuSeconds(pid);
        if (seconds === null) {
          continue;
        }
        if (!first.has(pid)) {
          first.set(pid, initial ? seconds : 0);
        }
        last.set(pid, seconds);
      }
    };
    sample(await this.backends(), true);
    const before = this.ctx.cpu.read();
    let running = true;
    const sampling = (async () => {
      while (running) {
        await delay(50);
        sample(await this.backends(), false);
      }
    })();
    const started = performance.now();
    try {
      await fn();
    } finally {
      running = false;
      await sampling;
    }
    const ms = performance.now() - started;
    const after = this.ctx.cpu.read();
    sample([...last.keys()], false);
    let postgres = 0;
    for (const [pid, seconds] of last) {
      postgres += seconds - (first.get(pid) ?? 0);
    }
    const bench = after.self - before.self;
    const temporal = after.temporal - before.temporal;
    return { ms, cpu: { bench, temporal, postgres, total: bench + temporal + postgres } };
  }
}

/** The subtree prefix a captured statement filters on (its first string parameter, `<path>%`), without the `%`. */
function pathOf(statement: Statement): string {
  const like = statement.parameters.find((p): p is string => typeof p === 'string' && p.endsWith('%'));
  if (!like) {
    throw new Error('No subtree filter among the report statement parameters');
  }
  return like.slice(0, -1);
}
