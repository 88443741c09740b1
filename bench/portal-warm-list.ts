import Fastify, { type FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../api/app.js';
import type { SmsSender } from '../api/routes/portal/sms-sender.js';
import { helpItemView } from '../api/routes/portal/views.js';
import type { Database } from '../db/database.js';
import { decrypt } from '../db/personal-data.js';
import { helpTimeline, helpYears, type HelpRow } from '../db/repositories/portal.repository.js';
import { createLogger } from '../worker/logger.js';
import {
  fmt,
  fmtSpread,
  log,
  median,
  quantile,
  round,
  roundSpread,
  spread,
  timed,
  type BenchContext,
  type Spread,
  type TableRow,
} from './support.js';

type Variant = 'raw-reads' | 'raw-same-sql' | 'ours';

interface LoadRun {
  variant: Variant;
  warmup: boolean;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
}

export interface PortalWarmListResult {
  backgroundRows: number;
  ownRows: { payments: number; help: number };
  runs: LoadRun[];
  /** Per measured pair, ours / raw-same-sql. */
  reqPerSecRatio: Spread;
  p99Ratio: Spread;
  median: Record<Variant, { reqPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerRequest: number }>;
}

const OWN_PAYMENTS = 60;
const OWN_HELP = 40;

/** Background workers, four rows of each kind apiece, so that the planner sees a worker's usual share of rows. */
const SYNTHETIC_WORKERS = `
insert into worker (id, household_id, unit_id, name, id_number_enc, id_number_hash, id_number_masked, phone_enc,
  phone_hash, phone_masked, birth_date, gender, hardship_status)
select md5('bench-worker-' || s)::uuid, w.household_id, w.unit_id, '合成职工', 'x', md5('bench-worker-id-' || s), 'x',
       'x', md5('bench-worker-phone-' || s), 'x', '1980-01-01', 'female', 'none'
from generate_series(1, $2::int) s, (select household_id, unit_id from worker where id = $1::uuid) w
`;

/**
 * Payments and department help rows: `$2` payments and `$4` help rows of the bench worker `$1`, and `$3` of each
 * spread over the synthetic workers. Row numbers are negative for the bench worker's own rows (`n` is their
 * absolute value), so every id is distinct.
 */
const SYNTHETIC_HELP = `
with me as (
  select id, household_id, id_number_hash from worker where id = $1::uuid
), others as (
  select row_number() over (order by id) - 1 as rn, id, household_id, id_number_hash from worker
  where name = '合成职工'
), spread as (
  select s, o.id, o.household_id, o.id_number_hash
  from generate_series(1, $3::int) s
  join others o on o.rn = s % (select count(*) from others)
), payments as (
  select -s as s, me.id, me.household_id from generate_series(1, $2::int) s, me
  union all select s, id, household_id from spread
), help as (
  select -s as s, me.id, me.id_number_hash from generate_series(1, $4::int) s, me
  union all select s, id, id_number_hash from spread
), inserted_payments as (
  insert into payment (id, case_id, plan_version, item_index, kind, amount_fen, method, reference, worker_id,
    household_id, budget_id, unit_path, worker_unit_path, registered_household, category, fund, transaction_id,
    paid_at, reversed_at)
  select md5('bench-pay-' || s)::uuid, md5('bench-pay-case-' || s)::uuid, 1, 0, '生活补助', 10000 + abs(s) % 90000,
         case when abs(s) % 7 = 0 then 'goods' else 'bank_transfer' end, 'BENCH', id, household_id,
         md5('bench-budget')::uuid, '/', '/', false, (array['living', 'medical', 'education'])[1 + abs(s) % 3],
         'warmth', md5('bench-pay-tx-' || s)::uuid, now() - make_interval(days => abs(s) % 1500),
         case when abs(s) % 20 = 0 then now() end
  from payments
  returning 1
)
insert into feed_row (id, kind, row_key, batch_id, id_number_hash, worker_id, occurred_on, amount_fen, department, detail)
select md5('bench-help-' || s)::uuid, 'department_help', md5('bench-help-key-' || s), md5('bench-batch')::uuid,
       id_number_hash, id, (now() - make_interval(days => abs(s) % 1500))::date,
       case when abs(s) % 3 = 2 then null else 5000 + abs(s) % 50000 end,
       (array['民政局', '人社局', '残联', '医保局'])[1 + abs(s) % 4],
       jsonb_build_object('helpType', (array['cash', 'goods', 'service'])[1 + abs(s) % 3], 'title', '部门帮扶 ' || abs(s))
from help
`;

class CapturingSender implements SmsSender {
  text = '';
  async send(_phone: string, text: string): Promise<void> {
    this.text = text;
  }
}

/**
 * The warm-heart list, GET /portal/warm-list as one worker with 60 payments and 40 department help rows among
 * `background` rows of each for a quarter as many other workers: ours (Fastify with worker authentication,
 * validation, rate limit, the audit row every read of personal data writes, logging, kysely) against a raw Fastify
 * app running the same SQL with `pg` (the worker lookup, the two reads and the audit insert), B O after a warm-up
 * pair. A raw app running the two reads alone is measured once, as the floor of the data work. Our app logs one
 * line per request at LOG_LEVEL info, written synchronously (compare `--log-level warn` for that line's cost).
 */
export async function runPortalWarmList(
  ctx: BenchContext,
): Promise<{ result: PortalWarmListResult; rows: TableRow[] }> {
  const { options } = ctx;
  const background = options.quick ? 20_000 : 200_000;
  const worker = (
    await ctx.monitor.query<{ id: string; phone_enc: string; unit_path: string }>(
      // A seeded worker with a real sealed phone: other phases may have left synthetic workers (phone 'x') behind.
      `select w.id, w.phone_enc, o.path as unit_path from worker w join org_unit o on o.id = w.unit_id
       where w.phone_enc like 'v1.%' order by w.id limit 1`,
    )
  ).rows[0]!;
  const insert = await timed(async () => {
    await ctx.monitor.query('set session_replication_role = replica');
    try {
      await ctx.monitor.query(SYNTHETIC_WORKERS, [worker.id, background / 4]);
      await ctx.monitor.query(SYNTHETIC_HELP, [worker.id, OWN_PAYMENTS, background, OWN_HELP]);
    } finally {
      await ctx.monitor.query('reset session_replication_role');
    }
    await ctx.monitor.query('vacuum analyze worker');
    await ctx.monitor.query('vacuum analyze payment');
    await ctx.monitor.query('vacuum analyze feed_row');
  });
  log(
    `portal ${background} payments and ${background} help rows of ${background / 4} other workers inserted in ` +
      `${fmt(insert.ms / 1000)} s`,
  );

  const sms = new CapturingSender();
  const logger = createLogger(options.logLevel, pino.destination({ dest: '/dev/null', sync: true }));
  const ours = await buildApp({
    config: ctx.config,
    db: ctx.apiDb,
    temporal: { client: ctx.client, taskQueue: ctx.taskQueue },
    logger,
    smsSender: sms,
  });
  ctx.cleanups.add('close portal bench app', () => ours.close());
  const phone = decrypt(worker.phone_enc, ctx.config.dataEncryptionKey);
  await ours.inject({ method: 'POST', url: '/portal/auth/code', payload: { phone } });
  const code = /验证码为 (\d{6})/.exec(sms.text)?.[1];
  const login = await ours.inject({ method: 'POST', url: '/portal/auth/login', payload: { phone, code } });
  const token = (JSON.parse(login.body) as { token?: string }).token;
  if (!token) {
    throw new Error(`Portal sign-in for the bench failed: ${login.body}`);
  }

  // The exact statements and parameters our repository sends, captured from kysely.
  const captured: { sql: string; parameters: unknown[] }[] = [];
  const capturePool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
  const captureDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturePool }),
    log: (event) => {
      captured.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
    },
  });
  const limit = 50;
  await helpTimeline(captureDb, worker.id, limit, null);
  await helpYears(captureDb, worker.id);
  await captureDb.destroy();
  const [timelineQuery, yearsQuery] = captured;
  if (!timelineQuery || !yearsQuery) {
    throw new Error('Could not capture the warm-list statements');
  }

  const rawPool = new pg.Pool({ connectionString: ctx.databaseUrl, max: ctx.config.databasePoolSize });
  ctx.cleanups.add('close portal raw pool', () => rawPool.end());
  const reads = async () => {
    const [timeline, years] = await Promise.all([
      rawPool.query<HelpRow>(timelineQuery.sql, timelineQuery.parameters),
      rawPool.query(yearsQuery.sql, yearsQuery.parameters),
    ]);
    const items = timeline.rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(helpItemView),
      nextCursor:
        timeline.rows.length > limit && last
          ? Buffer.from(JSON.stringify([last.day, last.id])).toString('base64url')
          : null,
      years: years.rows,
    };
  };
  const rawReads: FastifyInstance = Fastify({ logger: false });
  rawReads.get('/portal/warm-list', reads);
  const rawSameSql: FastifyInstance = Fastify({ logger: false });
  rawSameSql.get('/portal/warm-list', async (request) => {
    await rawPool.query(
      'select w.id, w.unit_id, w.household_id, w.phone_hash, o.path from worker w join org_unit o on o.id = w.unit_id where w.id = $1',
      [worker.id],
    );
    const answer = await reads();
    await rawPool.query(
      `insert into audit_log (actor_kind, actor_user_id, actor_worker_id, actor_unit_path, action, target_type,
         target_id, outcome, status_code, ip, request_id, details)
       values ('worker', null, $1::uuid, $2, 'portal.warm_list.read', 'worker', $1::text, 'ok', 200, $3, $4, '{}')`,
      [worker.id, worker.unit_path, request.ip, request.id],
    );
    return answer;
  });
  for (const app of [rawReads, rawSameSql]) {
    ctx.cleanups.add('close portal raw app', () => app.close());
    await app.ready();
  }

  const headers = { authorization: `Bearer ${token}` };
  const bodies = await Promise.all(
    [ours, rawReads, rawSameSql].map(
      async (app) => (await app.inject({ method: 'GET', url: '/portal/warm-list', headers })).body,
    ),
  );
  const itemsOf = (body: string) => JSON.stringify((JSON.parse(body) as { items: unknown[] }).items);
  if (
    new Set(bodies.map(itemsOf)).size !== 1 ||
    (JSON.parse(bodies[0]!) as { items: unknown[] }).items.length !== limit
  ) {
    throw new Error(
      `Ours and the raw apps disagree on the warm-heart list: ${bodies.map((b) => b.slice(0, 300)).join('\n')}`,
    );
  }

  const apps: Record<Variant, FastifyInstance> = { ours, 'raw-reads': rawReads, 'raw-same-sql': rawSameSql };
  const runs: LoadRun[] = [];
  const load = async (variant: Variant, durationMs: number, warmup: boolean): Promise<LoadRun> => {
    const latencies: number[] = [];
    const measured = await ctx.cpu.measure(async () => {
      const end = performance.now() + durationMs;
      await Promise.all(
        Array.from({ length: options.readConcurrency }, async () => {
          while (performance.now() < end) {
            const started = performance.now();
            const response = await apps[variant].inject({ method: 'GET', url: '/portal/warm-list', headers });
            latencies.push(performance.now() - started);
            if (response.statusCode !== 200) {
              throw new Error(`${variant} answered ${response.statusCode}`);
            }
          }
        }),
      );
    });
    const run: LoadRun = {
      variant,
      warmup,
      requests: latencies.length,
      reqPerSec: round(latencies.length / (measured.wallMs / 1000), 1),
      p50Ms: round(quantile(latencies, 0.5), 2),
      p99Ms: round(quantile(latencies, 0.99), 2),
      cpuMsPerRequest: round((measured.cpu.total * 1000) / latencies.length, 3),
    };
    runs.push(run);
    log(
      `portal ${warmup ? 'warm-up ' : ''}${variant.padEnd(12)} ${fmt(run.reqPerSec, 0)} req/s, p50 ${fmt(run.p50Ms)} ms, ` +
        `p99 ${fmt(run.p99Ms)} ms, CPU ${fmt(run.cpuMsPerRequest, 3)} ms/req`,
    );
    return run;
  };

  const rpsRatios: number[] = [];
  const p99Ratios: number[] = [];
  for (let pair = 0; pair <= options.pairs; pair++) {
    const warmup = pair === 0;
    const duration = warmup ? Math.min(options.durationMs, 1000) : options.durationMs;
    const raw = await load('raw-same-sql', duration, warmup);
    const mine = await load('ours', duration, warmup);
    if (!warmup) {
      rpsRatios.push(mine.reqPerSec / raw.reqPerSec);
      p99Ratios.push(mine.p99Ms / raw.p99Ms);
    }
  }
  await load('raw-reads', Math.min(options.durationMs, 1000), true);
  await load('raw-reads', options.durationMs, false);

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
  const result: PortalWarmListResult = {
    backgroundRows: background,
    ownRows: { payments: OWN_PAYMENTS, help: OWN_HELP },
    runs,
    reqPerSecRatio: roundSpread(spread(rpsRatios)),
    p99Ratio: roundSpread(spread(p99Ratios)),
    median: { ours: medianOf('ours'), 'raw-same-sql': medianOf('raw-same-sql'), 'raw-reads': medianOf('raw-reads') },
  };
  const m = result.median;
  const rows: TableRow[] = [
    {
      phase: 'portal warm list',
      metric: `req/s (${background / 1000}k rows each, conc ${options.readConcurrency}) vs raw same SQL`,
      baseline: fmt(m['raw-same-sql'].reqPerSec, 0),
      ours: fmt(m.ours.reqPerSec, 0),
      ratio: fmtSpread(result.reqPerSecRatio),
      target: '>= 0.70',
    },
    {
      phase: 'portal warm list',
      metric: 'p50 / p99 ms',
      baseline: `${fmt(m['raw-same-sql'].p50Ms)} / ${fmt(m['raw-same-sql'].p99Ms)}`,
      ours: `${fmt(m.ours.p50Ms)} / ${fmt(m.ours.p99Ms)}`,
      ratio: `p99 ${fmtSpread(result.p99Ratio)}`,
      target: 'p99 <= 1.5',
    },
    {
      phase: 'portal warm list',
      metric: 'CPU ms/request (all processes); floor: the two reads alone',
      baseline: `${fmt(m['raw-same-sql'].cpuMsPerRequest, 3)} (reads ${fmt(m['raw-reads'].cpuMsPerRequest, 3)})`,
      ours: fmt(m.ours.cpuMsPerRequest, 3),
      ratio: fmt(m.ours.cpuMsPerRequest / m['raw-same-sql'].cpuMsPerRequest),
      target: '',
    },
  ];
  return { result, rows };
}
