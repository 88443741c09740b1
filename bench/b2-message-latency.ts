import { actUpdate } from '../workflows/case-lifecycle/case-lifecycle.messages.js';
import { caseWorkflowId } from '../workflows/shared/workflow-ids.js';
import {
  CASE_STEPS,
  CpuMeter,
  NEW_CASE,
  PLAN_ITEMS,
  ZERO_CPU,
  actionRequest,
  addCpu,
  call,
  caseParties,
  expectStatus,
  fmt,
  fmtSpread,
  log,
  planRoutingForCase,
  preparePlans,
  quantile,
  round,
  roundSpread,
  spread,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'raw' | 'http';

interface Sample {
  side: Side;
  pair: number;
  action: string;
  ms: number;
}

interface SideSummary {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMsPerAction: { bench: number; temporal: number; postgres: number; total: number };
}

export interface B2Result {
  samplesPerSide: number;
  raw: SideSummary;
  http: SideSummary;
  /** http p50 - raw p50, in ms. */
  p50DiffMs: number;
  p99Ratio: number;
  /** The same figures per block of pairs (three blocks), for their spread. */
  blocks: { p50DiffMs: Spread; p50Ratio: Spread; p99Ratio: Spread };
}

/**
 * B2: the latency of one action. `http`: app.inject → Fastify (auth, validation, read of the case, audit) →
 * `act` update → workflow → read-model activity → answer with the case. `raw`: the same `act` update, with the
 * ActionRequest the API would build, sent by the Temporal client (with the payload codec) straight to the
 * workflow. Cases are opened in pairs (one per side, not measured); then step by step, pair by pair, one action on
 * each, alternating which side goes first. The first pair is the warm-up.
 */
export async function runB2(ctx: BenchContext): Promise<{ result: B2Result; rows: TableRow[] }> {
  const pairs = Math.ceil(ctx.options.samples / CASE_STEPS.length) + 1;
  const indexBase = 10_000;
  interface OpenCase {
    caseId: string;
    parties: ReturnType<typeof caseParties>;
    /** The unit holding the current step, as the last answer named it: its staff act next. */
    holderUnitId: string;
  }
  const cases: Record<Side, OpenCase[]> = { raw: [], http: [] };
  await preparePlans(
    ctx,
    Array.from({ length: pairs * 2 }, (_, i) => indexBase + i),
  );
  for (let pair = 0; pair < pairs; pair++) {
    for (const side of ['http', 'raw'] as const) {
      const index = indexBase + pair * 2 + (side === 'raw' ? 1 : 0);
      const parties = caseParties(ctx, index);
      const opened = await call(ctx.app, 'POST', '/cases', ctx.admin.token, {
        workerId: parties.workerId,
        ...NEW_CASE,
      });
      expectStatus(opened, 201, 'POST /cases');
      cases[side].push({ caseId: opened.body.id as string, parties, holderUnitId: opened.body.holderUnitId as string });
    }
  }

  const samples: Sample[] = [];
  const cpu: Record<Side, CpuSeconds> = { raw: { ...ZERO_CPU }, http: { ...ZERO_CPU } };
  const act = async (side: Side, pair: number, stepIndex: number): Promise<void> => {
    const step = CASE_STEPS[stepIndex]!;
    const open = cases[side][pair]!;
    const { caseId, parties } = open;
    const login = await ctx.staffAt(open.holderUnitId);
    let ms: number;
    // A raw plan carries its approver and threshold version, looked up as the API does, before the clock and the
    // CPU meter start: the raw side sends the update the API would send; the lookups are part of what ours costs.
    const routing =
      side === 'raw' && step.action === 'plan' ? await planRoutingForCase(ctx.apiDb, caseId, PLAN_ITEMS) : undefined;
    const before = ctx.cpu.read();
    if (side === 'http') {
      const started = performance.now();
      const response = await ctx.app.inject({
        method: 'POST',
        url: `/cases/${caseId}/actions/${step.action}`,
        headers: { authorization: `Bearer ${login.token}` },
        payload: step.body(parties.unit.id),
      });
      ms = performance.now() - started;
      if (response.statusCode !== 200) {
        throw new Error(`${step.action} through HTTP answered ${response.statusCode}: ${response.body}`);
      }
      open.holderUnitId = (JSON.parse(response.body) as { holderUnitId: string }).holderUnitId;
    } else {
      const request = actionRequest(step, login.actor, parties.unit, routing);
      const handle = ctx.client.workflow.getHandle(caseWorkflowId(caseId));
      const started = performance.now();
      const state = await handle.executeUpdate(actUpdate, { args: [request] });
      ms = performance.now() - started;
      open.holderUnitId = state.holder.id;
    }
    const after = ctx.cpu.read();
    if (pair > 0) {
      samples.push({ side, pair, action: step.action, ms });
      cpu[side] = addCpu(cpu[side], CpuMeter.diff(before, after));
    }
  };

  for (let stepIndex = 0; stepIndex < CASE_STEPS.length; stepIndex++) {
    for (let pair = 0; pair < pairs; pair++) {
      await ctx.cpu.refreshBackends();
      const order: Side[] = (pair + stepIndex) % 2 === 0 ? ['raw', 'http'] : ['http', 'raw'];
      for (const side of order) {
        await act(side, pair, stepIndex);
      }
    }
  }

  const of = (side: Side, filter: (s: Sample) => boolean = () => true) =>
    samples.filter((s) => s.side === side && filter(s)).map((s) => s.ms);
  const summary = (side: Side): SideSummary => {
    const values = of(side);
    const perAction = (key: keyof CpuSeconds) => round((cpu[side][key] * 1000) / values.length, 2);
    return {
      samples: values.length,
      p50Ms: round(quantile(values, 0.5), 2),
      p90Ms: round(quantile(values, 0.9), 2),
      p99Ms: round(quantile(values, 0.99), 2),
      maxMs: round(Math.max(...values), 2),
      cpuMsPerAction: {
        bench: perAction('bench'),
        temporal: perAction('temporal'),
        postgres: perAction('postgres'),
        total: perAction('total'),
      },
    };
  };
  const raw = summary('raw');
  const http = summary('http');

  const measuredPairs = pairs - 1;
  const blockOf = (pair: number) => Math.min(2, Math.floor(((pair - 1) * 3) / measuredPairs));
  const blockStats = [0, 1, 2].map((block) => {
    const inBlock = (s: Sample) => blockOf(s.pair) === block;
    const r = of('raw', inBlock);
    const h = of('http', inBlock);
    return {
      p50Diff: quantile(h, 0.5) - quantile(r, 0.5),
      p50Ratio: quantile(h, 0.5) / quantile(r, 0.5),
      p99Ratio: quantile(h, 0.99) / quantile(r, 0.99),
    };
  });
  const result: B2Result = {
    samplesPerSide: raw.samples,
    raw,
    http,
    p50DiffMs: round(http.p50Ms - raw.p50Ms, 2),
    p99Ratio: round(http.p99Ms / raw.p99Ms, 2),
    blocks: {
      p50DiffMs: roundSpread(spread(blockStats.map((b) => b.p50Diff))),
      p50Ratio: roundSpread(spread(blockStats.map((b) => b.p50Ratio))),
      p99Ratio: roundSpread(spread(blockStats.map((b) => b.p99Ratio))),
    },
  };
  log(
    `B2 raw update p50 ${fmt(raw.p50Ms)} ms p99 ${fmt(raw.p99Ms)} ms; HTTP p50 ${fmt(http.p50Ms)} ms ` +
      `p99 ${fmt(http.p99Ms)} ms (${raw.samples} samples each)`,
  );

  const cpuCell = (s: SideSummary) =>
    `${fmt(s.cpuMsPerAction.total, 1)} (b ${fmt(s.cpuMsPerAction.bench, 1)}/t ${fmt(s.cpuMsPerAction.temporal, 1)}/pg ${fmt(s.cpuMsPerAction.postgres, 1)})`;
  const rows: TableRow[] = [
    {
      phase: 'B2 latency',
      metric: `p50 ms (${raw.samples} samples/side)`,
      baseline: fmt(raw.p50Ms),
      ours: fmt(http.p50Ms),
      ratio: `+${fmt(result.p50DiffMs)} ms; blocks +${fmtSpread(result.blocks.p50DiffMs)} ms`,
      target: '<= +2 ms',
    },
    {
      phase: 'B2 latency',
      metric: 'p99 ms',
      baseline: fmt(raw.p99Ms),
      ours: fmt(http.p99Ms),
      ratio: `${fmt(result.p99Ratio)}; blocks ${fmtSpread(result.blocks.p99Ratio)}`,
      target: '<= 1.5',
    },
    {
      phase: 'B2 latency',
      metric: 'CPU ms/action (bench/temporal/pg)',
      baseline: cpuCell(raw),
      ours: cpuCell(http),
      ratio: fmt(http.cpuMsPerAction.total / raw.cpuMsPerAction.total),
      target: '',
    },
  ];
  return { result, rows };
}
