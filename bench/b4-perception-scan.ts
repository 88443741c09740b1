import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_CHUNK_SIZE, DEFAULT_PARALLELISM } from '../workflows/perception-scan/perception-scan.state.js';
import { perceptionScanWorkflow } from '../workflows/perception-scan/perception-scan.workflow.js';
import { perceptionScanWorkflowId } from '../workflows/shared/workflow-ids.js';
import { shanghaiDate } from '../workflows/shared/working-time.js';
import {
  fmt,
  fmtSpread,
  log,
  median,
  round,
  roundCpu,
  roundSpread,
  spread,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'sql' | 'ours';

interface ScanRun {
  side: Side;
  warmup: boolean;
  wallMs: number;
  cpu: CpuSeconds;
  flags: number;
  /** Highest resident memory seen during the run, MiB: this process (API, worker) and PostgreSQL's backends. */
  peakRssMiB: { bench: number; postgres: number };
}

export interface PerceptionScanResult {
  workers: number;
  feedRows: number;
  loadMs: number;
  chunkSize: number;
  runs: ScanRun[];
  wallMs: Record<Side, number>;
  /** Per measured pair: ours wall time / the single statement's. */
  wallRatio: Spread;
  cpuRatio: Spread;
  /** Our leads' (worker, rule) reasons against the statement's flags, after the last run of each. */
  check: { equal: boolean; ours: number; sql: number };
}

export const KINDS = [
  'medical_expense',
  'minimum_living_allowance',
  'unemployment_registration',
  'unpaid_wages',
  'disability_certificate',
  'serious_illness',
  'housing_hardship',
  'child_tuition',
  'disaster_accident',
  'family_death',
  'low_income',
  'work_injury',
  'department_help',
];

/**
 * Synthetic members: `$1` workers in the seeded grassroots units, one household each, a tenth registered and a
 * tenth borderline. Their hashes are synthetic (`b4:<n>`): feed rows below carry the same ones and the worker id.
 */
export const SYNTHETIC_WORKERS = [
  `insert into household (id, unit_id)
   select md5('b4h' || s)::uuid, u.ids[1 + s % array_length(u.ids, 1)]
   from generate_series(1, $1::int) s,
        (select array_agg(id order by path) as ids from org_unit where level = 'grassroots') u`,
  `insert into worker (id, household_id, unit_id, name, id_number_enc, id_number_hash, id_number_masked, phone_enc,
                       phone_hash, phone_masked, birth_date, gender, hardship_status)
   select md5('b4w' || s)::uuid, md5('b4h' || s)::uuid, u.ids[1 + s % array_length(u.ids, 1)], '合成职工', 'x',
          'b4:' || s, '330602********0000', 'x', 'b4p:' || s, '139****0000', date '1970-01-01' + s % 10000,
          case when s % 2 = 0 then 'female' else 'male' end,
          case s % 10 when 0 then 'registered' when 1 then 'borderline' else 'none' end
   from generate_series(1, $1::int) s,
        (select array_agg(id order by path) as ids from org_unit where level = 'grassroots') u`,
];

/**
 * Department data for a quarter of the workers (as in life, most members appear in no department's hardship
 * data): two rows each on average over all 13 kinds, dated over the last 400 days, amounts around the thresholds.
 */
export const SYNTHETIC_FEEDS = `
insert into feed_row (kind, row_key, batch_id, id_number_hash, worker_id, occurred_on, amount_fen, department, detail)
select k.kind, 'b4:' || s || ':' || r, $2::uuid, 'b4:' || s, md5('b4w' || s)::uuid, $3::date - (x.h2 % 400)::int,
       case k.kind
         when 'medical_expense' then 100000 + x.h3 % 4000000
         when 'low_income' then 80000 + x.h3 % 300000
         when 'unpaid_wages' then x.h3 % 2000000
         when 'child_tuition' then x.h3 % 1500000
         when 'disaster_accident' then x.h3 % 3000000
         when 'department_help' then x.h3 % 800000
         when 'minimum_living_allowance' then 90000
       end,
       '合成部门',
       case k.kind
         when 'medical_expense' then jsonb_build_object('inpatient', x.h3 % 3 = 0)
         when 'disability_certificate' then jsonb_build_object('grade', 1 + x.h3 % 4)
         when 'serious_illness' then jsonb_build_object('relation', (array['self', 'spouse', 'child', 'parent'])[1 + x.h3 % 4])
         when 'housing_hardship' then jsonb_build_object('situation', 'no_housing')
         when 'child_tuition' then jsonb_build_object('stage', 'primary')
         when 'disaster_accident' then jsonb_build_object('type', 'flood')
         when 'family_death' then jsonb_build_object('relation', (array['spouse', 'child', 'parent'])[1 + x.h3 % 3])
         when 'low_income' then jsonb_build_object('householdSize', 1 + x.h3 % 5)
         when 'work_injury' then jsonb_build_object('grade', 1 + x.h3 % 10)
         when 'unpaid_wages' then jsonb_build_object('months', 1 + x.h3 % 6, 'resolved', x.h3 % 4 = 0)
         when 'unemployment_registration' then
           case when x.h3 % 3 = 0 then jsonb_build_object('endedOn', $3::date - (x.h2 % 400)::int + 10) else '{}'::jsonb end
         when 'department_help' then jsonb_build_object('helpType', 'cash', 'title', '临时救助')
         else jsonb_build_object('householdSize', 2)
       end
from generate_series(1, $1::int) s
cross join generate_series(1, 4) r
cross join lateral (select abs(hashint4(s * 7 + r)::bigint) as h1, abs(hashint4(s * 13 + r * 101)::bigint) as h2,
                           abs(hashint4(s * 31 + r * 7)::bigint) as h3) x
cross join lateral (select ($4::text[])[1 + x.h1 % 13] as kind) k
where x.h1 % 100 < 50 and abs(hashint4(s * 3 + 11)::bigint) % 100 < 25`;

/**
 * The baseline: every rule written out by hand in one statement, with version 1's thresholds, over all workers at
 * once, writing the (worker, rule, weight) flags of the workers that reach the borderline floor (40). It writes no
 * reason text, figures, leads or progress, so it is the cheaper side.
 */
const HAND_WRITTEN_FLAGS = `
with agg as materialized (
  select f.worker_id,
    sum(f.amount_fen) filter (where f.kind = 'medical_expense' and f.occurred_on > ($1::date - interval '12 months')::date) as med12,
    count(*) filter (where f.kind = 'medical_expense' and f.occurred_on > ($1::date - interval '6 months')::date) as visits6,
    count(*) filter (where f.kind = 'medical_expense' and f.occurred_on > ($1::date - interval '12 months')::date
                       and f.detail @> '{"inpatient": true}') as stays12,
    count(*) filter (where f.kind = 'serious_illness' and f.occurred_on > ($1::date - interval '24 months')::date) as ill24,
    count(*) filter (where f.kind = 'minimum_living_allowance' and f.occurred_on > ($1::date - interval '12 months')::date) as mla12,
    min(f.amount_fen) filter (where f.kind = 'low_income' and f.occurred_on > ($1::date - interval '12 months')::date) as income12,
    min(f.occurred_on) filter (where f.kind = 'unemployment_registration'
                                 and (f.detail->>'endedOn' is null or (f.detail->>'endedOn')::date > $1::date)) as jobless_since,
    sum(f.amount_fen) filter (where f.kind = 'unpaid_wages' and f.occurred_on > ($1::date - interval '12 months')::date
                                and not f.detail @> '{"resolved": true}') as owed12,
    max((f.detail->>'months')::int) filter (where f.kind = 'unpaid_wages'
                                and f.occurred_on > ($1::date - interval '12 months')::date
                                and not f.detail @> '{"resolved": true}' and f.detail ? 'months') as owed_months,
    min((f.detail->>'grade')::int) filter (where f.kind = 'disability_certificate') as disability,
    count(*) filter (where f.kind = 'housing_hardship' and f.occurred_on > ($1::date - interval '24 months')::date) as housing24,
    sum(f.amount_fen) filter (where f.kind = 'child_tuition' and f.occurred_on > ($1::date - interval '12 months')::date) as tuition12,
    max(f.occurred_on) filter (where f.kind = 'child_tuition' and f.occurred_on > ($1::date - interval '12 months')::date) as tuition_on,
    sum(f.amount_fen) filter (where f.kind = 'disaster_accident' and f.occurred_on > ($1::date - interval '12 months')::date) as loss12,
    max(f.occurred_on) filter (where f.kind = 'disaster_accident' and f.occurred_on > ($1::date - interval '6 months')::date) as struck6,
    count(*) filter (where f.kind = 'family_death' and f.occurred_on > ($1::date - interval '6 months')::date) as deaths6,
    max(f.occurred_on) filter (where f.kind = 'family_death' and f.occurred_on > ($1::date - interval '36 months')::date
                                 and f.detail @> '{"relation": "spouse"}') as widowed_on,
    min((f.detail->>'grade')::int) filter (where f.kind = 'work_injury'
                                 and f.occurred_on > ($1::date - interval '24 months')::date and f.detail ? 'grade') as injury,
    bit_count((bit_or(1 << array_position($2::text[], f.kind))
      filter (where f.kind <> 'department_help' and f.occurred_on > ($1::date - interval '12 months')::date))::bit(16)) as kinds12,
    sum(f.amount_fen) filter (where f.kind = 'department_help' and f.occurred_on > ($1::date - interval '12 months')::date) as help12,
    max(f.occurred_on) filter (where f.kind = 'department_help') as helped_on
  from feed_row f where f.worker_id is not null group by f.worker_id
), hits as (
            select worker_id, 'medical_out_of_pocket' as code, 40 as weight from agg where med12 >= 3000000
  union all select worker_id, 'medical_frequent', 15 from agg where visits6 >= 6
  union all select worker_id, 'medical_inpatient', 15 from agg where stays12 >= 2
  union all select worker_id, 'serious_illness', 40 from agg where ill24 >= 1
  union all select worker_id, 'minimum_living_allowance', 60 from agg where mla12 >= 1
  union all select worker_id, 'low_income', 30 from agg where income12 <= 150000
  union all select worker_id, 'unemployment_long', 30 from agg where $1::date - jobless_since >= 90
  union all select worker_id, 'unpaid_wages', 25 from agg where owed12 >= 1000000
  union all select worker_id, 'unpaid_wages_long', 15 from agg where owed_months >= 3
  union all select worker_id, 'disability_severe', 40 from agg where disability <= 2
  union all select worker_id, 'housing_hardship', 20 from agg where housing24 >= 1
  union all select worker_id, 'child_tuition', 20 from agg where tuition12 >= 1000000
  union all select worker_id, 'disaster_loss', 35 from agg where loss12 >= 2000000
  union all select worker_id, 'family_death', 25 from agg where deaths6 >= 1
  union all select worker_id, 'work_injury', 30 from agg where injury <= 6
  union all select worker_id, 'illness_poverty', 30 from agg where med12 >= 1000000 and income12 <= 200000
  union all select worker_id, 'unemployed_with_student', 20 from agg where $1::date - jobless_since >= 30 and tuition_on is not null
  union all select worker_id, 'single_parent_signal', 25 from agg where widowed_on is not null and tuition_on is not null
  union all select worker_id, 'multiple_hardships', 20 from agg where kinds12 >= 3
  union all select worker_id, 'department_help_received', -20 from agg where help12 >= 500000
  union all select worker_id, 'disaster_no_help', 15 from agg where struck6 is not null and (helped_on is null or helped_on < struck6)
)
insert into bench_flag (worker_id, code, weight)
select h.worker_id, h.code, h.weight from hits h
where h.worker_id in (select worker_id from hits group by worker_id having sum(weight) >= 40)`;

function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * B4: a perception scan of `perceptionWorkers` synthetic workers across all feeds, through the real workflow
 * (chunks, leads, reasons, progress) on the bench worker, beside one hand-written SQL statement computing the
 * same flags. Baseline and ours alternate after a warm-up pair; leads and flags are cleared before each run.
 */
export async function runPerceptionScan(
  ctx: BenchContext,
): Promise<{ result: PerceptionScanResult; rows: TableRow[] }> {
  const { options, monitor } = ctx;
  const workers = options.perceptionWorkers;
  // The production defaults (PERCEPTION_SCAN_CHUNK_SIZE, two lanes), so the figure is the nightly scan's.
  const chunkSize = DEFAULT_CHUNK_SIZE;
  const asOf = shanghaiDate(Date.now());

  const loadStarted = performance.now();
  const batch = await monitor.query<{ id: string }>(
    `insert into feed_batch (kind, content_hash, format, accepted, rejected) values ('medical_expense', 'bench:b4', 'ndjson', 0, 0)
     returning id`,
  );
  await monitor.query('set session_replication_role = replica');
  try {
    for (const statement of SYNTHETIC_WORKERS) {
      await monitor.query(statement, [workers]);
    }
    await monitor.query(SYNTHETIC_FEEDS, [workers, batch.rows[0]!.id, asOf, KINDS]);
  } finally {
    await monitor.query('reset session_replication_role');
  }
  await monitor.query('vacuum analyze worker');
  await monitor.query('vacuum analyze feed_row');
  await monitor.query(
    'create table bench_flag (worker_id uuid not null, code text not null, weight int not null, created_at timestamptz not null default now())',
  );
  const feedRows = Number((await monitor.query('select count(*)::int as n from feed_row')).rows[0].n);
  const loadMs = performance.now() - loadStarted;
  log(`B4 ${workers} synthetic workers and ${feedRows} feed rows loaded in ${fmt(loadMs / 1000)} s`);

  const clearLeads = async () => {
    await monitor.query('truncate perception_lead, perception_scan_chunk cascade');
    await monitor.query("delete from perception_scan where kind = 'scan'");
  };

  const sample = (pids: () => number[]) => {
    const peak = { bench: 0, postgres: 0 };
    const timer = setInterval(() => {
      peak.bench = Math.max(peak.bench, rssMiB(process.pid));
      peak.postgres = Math.max(
        peak.postgres,
        pids().reduce((sum, pid) => sum + rssMiB(pid), 0),
      );
    }, 100);
    return { peak, stop: () => clearInterval(timer) };
  };
  const backendPids = async () =>
    (
      await monitor.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      )
    ).rows.map((r) => r.pid);

  let lastScanId = '';
  const runOnce = async (side: Side, warmup: boolean): Promise<ScanRun> => {
    if (side === 'ours') {
      await clearLeads();
    } else {
      await monitor.query('truncate bench_flag');
    }
    let pids = await backendPids();
    const pidTimer = setInterval(() => void backendPids().then((p) => (pids = p)), 1000);
    const memory = sample(() => pids);
    const measured = await ctx.cpu.measure(async () => {
      if (side === 'sql') {
        return (await sqlClient.query(HAND_WRITTEN_FLAGS, [asOf, KINDS])).rowCount ?? 0;
      }
      const scanId = randomUUID();
      lastScanId = scanId;
      const handle = await ctx.client.workflow.start(perceptionScanWorkflow, {
        workflowId: perceptionScanWorkflowId(scanId),
        taskQueue: ctx.taskQueue,
        args: [{ scanId, kind: 'scan', trigger: 'manual', chunkSize, parallelism: DEFAULT_PARALLELISM }],
      });
      await handle.result();
      const reasons = await monitor.query(
        "select coalesce(sum(jsonb_array_length(reasons)), 0)::int as n from perception_lead where status = 'open'",
      );
      return Number(reasons.rows[0].n);
    });
    memory.stop();
    clearInterval(pidTimer);
    if (side === 'ours') {
      // The review workflow plans the deadlines of the scan's leads right after it, one UPDATE of every new lead
      // (100,000 at a million workers, several seconds). A fixed pause let that run into the next measured
      // baseline run; wait until it has committed.
      for (let waited = 0; waited < 120_000; waited += 200) {
        const pending = await monitor.query<{ pending: boolean }>(
          `select exists (select 1 from perception_lead where raised_scan_id = $1 and status = 'open' and due_at is null)
             as pending`,
          [lastScanId],
        );
        if (!pending.rows[0]!.pending) {
          break;
        }
        await delay(200);
      }
      await delay(500);
    }
    const run: ScanRun = {
      side,
      warmup,
      wallMs: round(measured.wallMs, 1),
      cpu: roundCpu(measured.cpu),
      flags: measured.result,
      peakRssMiB: { bench: round(memory.peak.bench, 0), postgres: round(memory.peak.postgres, 0) },
    };
    log(
      `B4 ${warmup ? 'warm-up ' : ''}${side}: ${fmt(run.wallMs / 1000)} s, ${run.flags} flags, CPU ${fmt(run.cpu.total)} s`,
    );
    return run;
  };

  const sqlClient = new pg.Client({ connectionString: ctx.databaseUrl });
  await sqlClient.connect();
  const runs: ScanRun[] = [];
  try {
    for (let pair = 0; pair <= options.pairs; pair++) {
      runs.push(await runOnce('sql', pair === 0));
      runs.push(await runOnce('ours', pair === 0));
    }
  } finally {
    await sqlClient.end();
  }
  const measured = runs.filter((r) => !r.warmup);
  const sides = (side: Side) => measured.filter((r) => r.side === side);
  const ratios = sides('ours').map((o, i) => o.wallMs / sides('sql')[i]!.wallMs);
  const cpuRatios = sides('ours').map((o, i) => o.cpu.total / sides('sql')[i]!.cpu.total);

  // Compared over workers without any case: a case (another phase's, in a full run) rightly suppresses a lead,
  // which the hand-written flags, computing the rules alone, know nothing of.
  const caseless = (column: string) => `not exists (select 1 from assistance_case c where c.worker_id = ${column})`;
  const ours = await monitor.query<{ n: number; digest: string }>(
    `select count(*)::int as n, md5(string_agg(l.worker_id::text || r."ruleCode", ',' order by l.worker_id, r."ruleCode")) as digest
     from perception_lead l cross join jsonb_to_recordset(l.reasons) as r("ruleCode" text)
     where l.status = 'open' and ${caseless('l.worker_id')}`,
  );
  const baseline = await monitor.query<{ n: number; digest: string }>(
    `select count(*)::int as n, md5(string_agg(worker_id::text || code, ',' order by worker_id, code)) as digest
     from bench_flag f where ${caseless('f.worker_id')}`,
  );
  const result: PerceptionScanResult = {
    workers,
    feedRows,
    loadMs: round(loadMs, 0),
    chunkSize,
    runs,
    wallMs: { sql: median(sides('sql').map((r) => r.wallMs)), ours: median(sides('ours').map((r) => r.wallMs)) },
    wallRatio: roundSpread(spread(ratios)),
    cpuRatio: roundSpread(spread(cpuRatios)),
    check: {
      equal: ours.rows[0]!.digest === baseline.rows[0]!.digest,
      ours: ours.rows[0]!.n,
      sql: baseline.rows[0]!.n,
    },
  };
  const peak = (side: Side, key: 'bench' | 'postgres') =>
    Math.max(...runs.filter((r) => r.side === side).map((r) => r.peakRssMiB[key]));
  return {
    result,
    rows: [
      {
        phase: 'B4 perception scan',
        metric: `wall s, ${workers} workers, ${feedRows} feed rows`,
        baseline: fmt(result.wallMs.sql / 1000),
        ours: fmt(result.wallMs.ours / 1000),
        ratio: fmtSpread(result.wallRatio),
        target: '<= 1.5',
      },
      {
        phase: 'B4 perception scan',
        metric: 'CPU s (all processes)',
        baseline: fmt(median(sides('sql').map((r) => r.cpu.total))),
        ours: fmt(median(sides('ours').map((r) => r.cpu.total))),
        ratio: fmtSpread(result.cpuRatio),
        target: '',
      },
      {
        phase: 'B4 perception scan',
        metric: 'peak RSS MiB (bench process / PG backends)',
        baseline: `${peak('sql', 'bench')} / ${peak('sql', 'postgres')}`,
        ours: `${peak('ours', 'bench')} / ${peak('ours', 'postgres')}`,
        ratio: '',
        target: '',
      },
      {
        phase: 'B4 perception scan',
        metric: 'flags (worker, rule) equal',
        baseline: String(result.check.sql),
        ours: String(result.check.ours),
        ratio: result.check.equal ? 'equal' : 'DIFFERENT',
        target: 'equal',
      },
    ],
  };
}
