import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
// Fastify's own injector (a dependency of fastify, what app.inject runs on): it drives the bare node:http
// handler the same way app.inject drives the apps, so the floor has no network in it either.
import inject from 'light-my-request';
import pg from 'pg';
import { toShanghaiIso } from '../api/time.js';
import type { Database } from '../db/database.js';
import { overdueByUnit, overdueCases, type OverdueRow } from '../db/repositories/case.repository.js';
import {
  fmt,
  fmtSpread,
  log,
  median,
  quantile,
  round,
  roundCpu,
  roundSpread,
  spread,
  timed,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Variant = 'raw' | 'ours' | 'fastify-constant' | 'node-http-constant';

interface LoadRun {
  variant: Variant;
  warmup: boolean;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpu: CpuSeconds;
  cpuMsPerRequest: number;
}

export interface B3Result {
  rows: number;
  overdueRows: number;
  insertMs: number;
  concurrency: number;
  durationMs: number;
  runs: LoadRun[];
  /** Per measured pair, ours / raw. */
  reqPerSecRatio: Spread;
  p50Ratio: Spread;
  p99Ratio: Spread;
  median: Record<Variant, { reqPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerRequest: number }>;
  /** Execution time of the two statements in PostgreSQL (EXPLAIN ANALYZE), ms. */
  sqlMs: { page: number; byUnit: number };
  statements: { page: string; byUnit: string };
  plans: { page: string[]; byUnit: string[] };
}

/** ~5 % overdue (some escalated), ~45 % open and on time, ~50 % finished; holders spread over the org tree. */
const SYNTHETIC_CASES = `
with w as (
  select row_number() over (order by w.id) - 1 as rn, w.id, w.household_id, w.unit_id, o.path,
         string_to_array(trim(both '/' from o.path), '/') as parts
  from worker w join org_unit o on o.id = w.unit_id
), total as (
  select count(*)::int as c from w
), g as (
  -- Independent pseudo-random draws per row (hashint4 of the row number), the same on every run.
  select s, s % 20 as kind,
         (abs(hashint4(s)::bigint) % 20)::int as level_draw,
         (abs(hashint4(s + 1000003)::bigint) % 8)::int as step_no,
         (abs(hashint4(s + 2000003)::bigint) % 4)::int as escalation_draw,
         (abs(hashint4(s + 3000017)::bigint) % 6)::int as category_draw,
         abs(hashint4(s + 4000037)::bigint) as worker_draw,
         now() - make_interval(hours => 48 + (abs(hashint4(s + 5000011)::bigint) % 4000)::int) as opened_at
  from generate_series(1, $1::int) s
), c as (
  select g.*, w.id as worker_id, w.household_id, w.unit_id, w.path, w.parts,
         case when g.kind >= 9 then 4
              when g.level_draw = 0 then 1 when g.level_draw <= 3 then 2 when g.level_draw <= 7 then 3 else 4 end as k,
         case when g.kind = 0 then now() - make_interval(mins => 1 + (abs(hashint4(g.s + 6000011)::bigint) % 14400)::int)
              when g.kind <= 8 then now() + make_interval(mins => 30 + (abs(hashint4(g.s + 6000011)::bigint) % 7200)::int)
         end as due_at
  from g join w on w.rn = g.worker_draw % (select c from total)
)
insert into assistance_case (
  id, worker_id, household_id, worker_unit_id, worker_unit_path, category, urgency, source, summary, status, step,
  holder_unit_id, holder_unit_path, assignee_unit_id, opened_unit_id, opened_by_user_id, policy_version, step_seq,
  step_started_at, due_at, remind_at, suspended_until, escalation_level, last_seq, opened_at, closed_at)
select
  md5('bench-case-' || c.s)::uuid, c.worker_id, c.household_id, c.unit_id, c.path,
  (array['living', 'medical', 'education', 'employment', 'emergency', 'legal'])[1 + c.category_draw],
  case when c.s % 10 = 3 then 'urgent' else 'normal' end,
  (array['staff', 'referral', 'self_application', 'perception'])[1 + c.s % 4],
  '合成工单 ' || c.s || '：职工家庭生活困难，申请帮扶。',
  case when c.kind <= 8 then 'open' when c.kind = 19 then 'withdrawn' when c.kind = 18 then 'not_eligible' else 'closed' end,
  case when c.kind <= 8
       then (array['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'])[1 + c.step_no]
       else 'done' end,
  c.parts[c.k]::uuid, '/' || array_to_string(c.parts[1:c.k], '/') || '/', c.unit_id, c.parts[1]::uuid, null, 0,
  1 + c.step_no,
  c.opened_at + make_interval(hours => c.step_no),
  c.due_at,
  c.due_at - interval '6 hours',
  null,
  case when c.kind = 0 then c.escalation_draw else 0 end,
  1 + c.step_no,
  c.opened_at,
  case when c.kind > 8 then c.opened_at + interval '10 days' end
from c`;

/**
 * B3: the overdue board, GET /supervision/overdue as the city admin, over `rows` synthetic cases: ours (Fastify
 * with auth, validation, rate limit, audit hooks, logging, kysely) against a raw Fastify app running the same two
 * SQL statements with `pg`, both through inject, concurrency 8 for a fixed time, B O after a warm-up pair. Then
 * the floors: Fastify and a bare node:http handler answering the same bytes as a constant.
 */
export async function runB3(ctx: BenchContext): Promise<{ result: B3Result; rows: TableRow[] }> {
  const { options } = ctx;
  // Consistent by construction (every reference comes from the seeded tables), so the row-by-row foreign-key
  // triggers are switched off for the load: replica mode, this session only.
  const insert = await timed(async () => {
    await ctx.monitor.query('set session_replication_role = replica');
    try {
      await ctx.monitor.query(SYNTHETIC_CASES, [options.rows]);
    } finally {
      await ctx.monitor.query('reset session_replication_role');
    }
    await ctx.monitor.query('vacuum analyze assistance_case');
  });
  const overdueRows = Number(
    (
      await ctx.monitor.query<{ n: string }>(
        `select count(*) as n from assistance_case where status = 'open' and (due_at < now() or escalation_level > 0)`,
      )
    ).rows[0]!.n,
  );
  log(`B3 ${options.rows} synthetic cases inserted in ${fmt(insert.ms / 1000)} s, ${overdueRows} overdue or escalated`);

  // The exact statements and parameters our repository sends, captured from kysely.
  const adminPath = ctx.admin.staff.unitPath;
  const limit = 50;
  const captured: { sql: string; parameters: unknown[] }[] = [];
  const capturePool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
  const captureDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturePool }),
    log: (event) => {
      captured.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
    },
  });
  await overdueCases(captureDb, adminPath, limit, 0);
  await overdueByUnit(captureDb, adminPath);
  await captureDb.destroy();
  const [pageQuery, byUnitQuery] = captured;
  if (!pageQuery || !byUnitQuery) {
    throw new Error('Could not capture the overdue board statements');
  }
  const explain = async (query: { sql: string; parameters: unknown[] }) => {
    const plan = await ctx.monitor.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers) ${query.sql}`,
      query.parameters,
    );
    const lines = plan.rows.map((row) => row['QUERY PLAN']);
    const time = lines.find((line) => line.startsWith('Execution Time'));
    return { ms: Number(/([\d.]+) ms/.exec(time ?? '')?.[1] ?? Number.NaN), plan: lines };
  };
  const pagePlan = await explain(pageQuery);
  const byUnitPlan = await explain(byUnitQuery);
  const sqlMs = { page: round(pagePlan.ms, 2), byUnit: round(byUnitPlan.ms, 2) };

  const rawPool = new pg.Pool({ connectionString: ctx.databaseUrl, max: ctx.config.databasePoolSize });
  ctx.cleanups.add('close raw pool', () => rawPool.end());
  const rawApp: FastifyInstance = Fastify({ logger: false });
  ctx.cleanups.add('close raw app', () => rawApp.close());
  rawApp.get('/supervision/overdue', async () => {
    const [page, byUnit] = await Promise.all([
      rawPool.query<OverdueRow>(pageQuery.sql, pageQuery.parameters),
      rawPool.query<{ unit_id: string; overdue: number; escalated: number }>(byUnitQuery.sql, byUnitQuery.parameters),
    ]);
    const items = page.rows.slice(0, limit).map((row) => ({
      caseId: row.id,
      number: Number(row.number),
      step: row.step,
      holderUnitId: row.holder_unit_id,
      dueAt: toShanghaiIso(row.due_at),
      lateBySeconds: row.late_by_seconds,
      escalationLevel: row.escalation_level,
    }));
    return {
      items,
      nextCursor: page.rows.length > limit ? Buffer.from(JSON.stringify([limit])).toString('base64url') : null,
      byUnit: byUnit.rows.map((u) => ({ unitId: u.unit_id, overdue: u.overdue, escalated: u.escalated })),
    };
  });
  await rawApp.ready();

  const headers = { authorization: `Bearer ${ctx.admin.token}` };
  const oursOnce = await ctx.app.inject({ method: 'GET', url: '/supervision/overdue', headers });
  const rawOnce = await rawApp.inject({ method: 'GET', url: '/supervision/overdue', headers });
  if (oursOnce.statusCode !== 200 || rawOnce.statusCode !== 200) {
    throw new Error(`Overdue board answered ${oursOnce.statusCode} (ours) and ${rawOnce.statusCode} (raw)`);
  }
  const ids = (body: string) => (JSON.parse(body) as { items: { caseId: string }[] }).items.map((i) => i.caseId);
  if (ids(oursOnce.body).join() !== ids(rawOnce.body).join() || ids(oursOnce.body).length !== limit) {
    throw new Error('Ours and the raw app disagree on the overdue board');
  }
  const constantBody = oursOnce.body;
  const fastifyConstant: FastifyInstance = Fastify({ logger: false });
  ctx.cleanups.add('close constant app', () => fastifyConstant.close());
  fastifyConstant.get('/supervision/overdue', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(constantBody),
  );
  await fastifyConstant.ready();
  const nodeHandler = (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(constantBody);
  };

  const send: Record<Variant, () => Promise<number>> = {
    ours: async () => (await ctx.app.inject({ method: 'GET', url: '/supervision/overdue', headers })).statusCode,
    raw: async () => (await rawApp.inject({ method: 'GET', url: '/supervision/overdue', headers })).statusCode,
    'fastify-constant': async () =>
      (await fastifyConstant.inject({ method: 'GET', url: '/supervision/overdue', headers })).statusCode,
    'node-http-constant': async () =>
      (await inject(nodeHandler, { method: 'GET', url: '/supervision/overdue', headers })).statusCode,
  };

  const runs: LoadRun[] = [];
  const load = async (variant: Variant, durationMs: number, warmup: boolean): Promise<LoadRun> => {
    const latencies: number[] = [];
    const measured = await ctx.cpu.measure(async () => {
      const end = performance.now() + durationMs;
      await Promise.all(
        Array.from({ length: options.readConcurrency }, async () => {
          while (performance.now() < end) {
            const started = performance.now();
            const status = await send[variant]();
            latencies.push(performance.now() - started);
            if (status !== 200) {
              throw new Error(`${variant} answered ${status}`);
            }
          }
        }),
      );
    });
    const run: LoadRun = {
      variant,
      warmup,
      requests: latencies.length,
      seconds: round(measured.wallMs / 1000, 3),
      reqPerSec: round(latencies.length / (measured.wallMs / 1000), 1),
      p50Ms: round(quantile(latencies, 0.5), 2),
      p99Ms: round(quantile(latencies, 0.99), 2),
      cpu: roundCpu(measured.cpu),
      cpuMsPerRequest: round((measured.cpu.total * 1000) / latencies.length, 3),
    };
    runs.push(run);
    log(
      `B3 ${warmup ? 'warm-up ' : ''}${variant.padEnd(18)} ${fmt(run.reqPerSec, 0)} req/s, p50 ${fmt(run.p50Ms)} ms, ` +
        `p99 ${fmt(run.p99Ms)} ms, CPU ${fmt(run.cpuMsPerRequest, 3)} ms/req ` +
        `(bench ${fmt(measured.cpu.bench)} s, pg ${fmt(measured.cpu.postgres)} s)`,
    );
    return run;
  };

  const rpsRatios: number[] = [];
  const p50Ratios: number[] = [];
  const p99Ratios: number[] = [];
  for (let pair = 0; pair <= options.pairs; pair++) {
    const warmup = pair === 0;
    const duration = warmup ? Math.min(options.durationMs, 1000) : options.durationMs;
    const raw = await load('raw', duration, warmup);
    const ours = await load('ours', duration, warmup);
    if (!warmup) {
      rpsRatios.push(ours.reqPerSec / raw.reqPerSec);
      p50Ratios.push(ours.p50Ms / raw.p50Ms);
      p99Ratios.push(ours.p99Ms / raw.p99Ms);
    }
  }
  await load('fastify-constant', Math.min(options.durationMs, 1000), true);
  await load('fastify-constant', options.durationMs, false);
  await load('node-http-constant', Math.min(options.durationMs, 1000), true);
  await load('node-http-constant', options.durationMs, false);

  const medianOf = (variant: Variant) => {
    const of = (key: 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'cpuMsPerRequest') =>
      median(runs.filter((run) => run.variant === variant && !run.warmup).map((run) => run[key]));
    return {
      reqPerSec: round(of('reqPerSec'), 1),
      p50Ms: round(of('p50Ms'), 2),
      p99Ms: round(of('p99Ms'), 2),
      cpuMsPerRequest: round(of('cpuMsPerRequest'), 3),
    };
  };
  const result: B3Result = {
    rows: options.rows,
    overdueRows,
    insertMs: round(insert.ms, 0),
    concurrency: options.readConcurrency,
    durationMs: options.durationMs,
    runs,
    reqPerSecRatio: roundSpread(spread(rpsRatios)),
    p50Ratio: roundSpread(spread(p50Ratios)),
    p99Ratio: roundSpread(spread(p99Ratios)),
    median: {
      raw: medianOf('raw'),
      ours: medianOf('ours'),
      'fastify-constant': medianOf('fastify-constant'),
      'node-http-constant': medianOf('node-http-constant'),
    },
    sqlMs,
    statements: { page: pageQuery.sql, byUnit: byUnitQuery.sql },
    plans: { page: pagePlan.plan, byUnit: byUnitPlan.plan },
  };

  const m = result.median;
  const rows: TableRow[] = [
    {
      phase: 'B3 overdue board',
      metric: `req/s (${options.rows / 1000}k cases, ${overdueRows} overdue, conc ${options.readConcurrency})`,
      baseline: fmt(m.raw.reqPerSec, 0),
      ours: fmt(m.ours.reqPerSec, 0),
      ratio: fmtSpread(result.reqPerSecRatio),
      target: '>= 0.70',
    },
    {
      phase: 'B3 overdue board',
      metric: 'p50 / p99 ms',
      baseline: `${fmt(m.raw.p50Ms)} / ${fmt(m.raw.p99Ms)}`,
      ours: `${fmt(m.ours.p50Ms)} / ${fmt(m.ours.p99Ms)}`,
      ratio: `p99 ${fmtSpread(result.p99Ratio)}`,
      target: 'p99 <= 1.5',
    },
    {
      phase: 'B3 overdue board',
      metric: 'CPU ms/request (all processes)',
      baseline: fmt(m.raw.cpuMsPerRequest, 3),
      ours: fmt(m.ours.cpuMsPerRequest, 3),
      ratio: fmt(m.ours.cpuMsPerRequest / m.raw.cpuMsPerRequest),
      target: '',
    },
    {
      phase: 'B3 floors',
      metric: 'req/s: Fastify constant / node:http constant',
      baseline: fmt(m['fastify-constant'].reqPerSec, 0),
      ours: fmt(m['node-http-constant'].reqPerSec, 0),
      ratio: `fastify/node ${fmt(m['fastify-constant'].reqPerSec / m['node-http-constant'].reqPerSec)}`,
      target: '',
    },
    {
      phase: 'B3 SQL',
      metric: 'EXPLAIN ANALYZE ms: page / byUnit',
      baseline: `${fmt(sqlMs.page)} / ${fmt(sqlMs.byUnit)}`,
      ours: 'same SQL',
      ratio: '',
      target: '',
    },
  ];
  return { result, rows };
}
