import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { caseWorkflowId } from '../workflows/shared/workflow-ids.js';
import { baselineActUpdate, baselineCaseWorkflow, baselineOpenUpdate } from './baseline-workflow.js';
import {
  CASE_STEPS,
  NEW_CASE,
  actionRequest,
  bundleTo,
  call,
  caseParties,
  expectStatus,
  fmt,
  fmtSpread,
  log,
  median,
  preparePlans,
  round,
  roundCpu,
  roundSpread,
  runPool,
  spread,
  startWorker,
  timed,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'baseline' | 'ours';

interface LifecycleRun {
  side: Side;
  warmup: boolean;
  cases: number;
  wallMs: number;
  casesPerSec: number;
  cpu: CpuSeconds;
  cpuMsPerCase: number;
}

export interface B1Result {
  casesPerRun: number;
  updatesPerCase: number;
  concurrency: number;
  runs: LifecycleRun[];
  /** Per measured pair: ours wall time / baseline wall time. */
  timeRatio: Spread;
  /** Per measured pair: ours CPU (all processes) / baseline CPU. */
  cpuRatio: Spread;
  casesPerSec: Record<Side, number>;
  cpuMsPerCase: Record<Side, { bench: number; temporal: number; postgres: number; total: number }>;
  historyEventsPerCase: Record<Side, number> & { ratio: number };
  /** Events per case by type, for each side. */
  historyEventTypes: Record<Side, Record<string, number>>;
  baselineBundleMs: number;
}

/**
 * B1: N cases through every step, ours through the API (inject → Fastify → update-with-start / update → workflow →
 * activity → read model → answer), the baseline as a bare workflow taking the same updates from the raw client,
 * one no-op activity each. Both wait for the workflow to complete. B O after a warm-up pair.
 */
export async function runB1(ctx: BenchContext): Promise<{ result: B1Result; rows: TableRow[] }> {
  const { options } = ctx;
  const baselineQueue = `bench-baseline-${process.pid}-${randomBytes(3).toString('hex')}`;
  const bundle = await timed(() =>
    bundleTo(
      fileURLToPath(new URL('./baseline-workflow.ts', import.meta.url)),
      `${ctx.tmpDir}/baseline-workflow-bundle.js`,
    ),
  );
  const baselineWorker = await Worker.create({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue: baselineQueue,
    workflowBundle: { codePath: bundle.result },
    activities: { noop: async () => undefined },
  });
  const stopBaselineWorker = startWorker(baselineWorker);
  ctx.cleanups.add('stop baseline worker', stopBaselineWorker);
  // The raw client: no payload codec, nothing but the SDK.
  const baselineClient = new Client({ connection: ctx.connection, namespace: 'default' });

  // Every case of every run (indexes 0 .. (pairs + 1) * n - 1) has its plan approved and paid: budget for them all.
  const routes = await preparePlans(
    ctx,
    Array.from({ length: (options.pairs + 1) * options.n }, (_, i) => i),
  );

  const ourCase = async (index: number): Promise<string> => {
    const { unit, workerId } = caseParties(ctx, index);
    const opened = await call(ctx.app, 'POST', '/cases', ctx.admin.token, { workerId, ...NEW_CASE });
    expectStatus(opened, 201, 'POST /cases');
    const caseId = opened.body.id as string;
    let status = '';
    let holderUnitId = opened.body.holderUnitId as string;
    for (const step of CASE_STEPS) {
      const login = await ctx.staffAt(holderUnitId);
      const answer = await call(
        ctx.app,
        'POST',
        `/cases/${caseId}/actions/${step.action}`,
        login.token,
        step.body(unit.id),
      );
      expectStatus(answer, 200, `POST /cases/:id/actions/${step.action}`);
      status = answer.body.status as string;
      holderUnitId = answer.body.holderUnitId as string;
    }
    if (status !== 'closed') {
      throw new Error(`Case ${caseId} ended ${status}, not closed`);
    }
    await ctx.client.workflow.getHandle(caseWorkflowId(caseId)).result();
    return caseWorkflowId(caseId);
  };

  const baselineCase =
    (tag: string) =>
    async (index: number): Promise<string> => {
      const { unit, workerId, caseworker } = caseParties(ctx, index);
      const workflowId = `bench-baseline-${tag}-${index}`;
      const opening = {
        caseId: workflowId,
        workerId,
        workerUnit: { id: unit.id, path: unit.path },
        ...NEW_CASE,
        openedBy: ctx.admin.actor,
        policyVersion: 0,
      };
      const start = new WithStartWorkflowOperation(baselineCaseWorkflow, {
        workflowId,
        taskQueue: baselineQueue,
        args: [{ updates: CASE_STEPS.length + 1, opening }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await baselineClient.workflow.executeUpdateWithStart(baselineOpenUpdate, { startWorkflowOperation: start });
      const handle = baselineClient.workflow.getHandle(workflowId);
      // The plan's routing and approver were resolved before the runs (preparePlans): the baseline's requests
      // carry what ours carry, without the lookups the API makes for them.
      const route = routes.get(unit.id)!;
      for (const step of CASE_STEPS) {
        const actor =
          step.by === 'city' ? ctx.admin.actor : step.by === 'approver' ? route.approver.actor : caseworker.actor;
        await handle.executeUpdate(baselineActUpdate, { args: [actionRequest(step, actor, unit, route.routing)] });
      }
      await handle.result();
      return workflowId;
    };

  const runs: LifecycleRun[] = [];
  const lastIds: Record<Side, string[]> = { baseline: [], ours: [] };
  const runSide = async (side: Side, round_: number, warmup: boolean): Promise<LifecycleRun> => {
    const ids: string[] = [];
    const job = side === 'ours' ? ourCase : baselineCase(`${process.pid}-${round_}`);
    // Ours and the baseline use the same case indexes, so the same units, workers and staff, run for run.
    const offset = round_ * options.n;
    const measured = await ctx.cpu.measure(() =>
      runPool(options.n, options.concurrency, async (i) => {
        ids.push(await job(offset + i));
      }),
    );
    lastIds[side] = ids;
    const run: LifecycleRun = {
      side,
      warmup,
      cases: options.n,
      wallMs: round(measured.wallMs, 1),
      casesPerSec: round(options.n / (measured.wallMs / 1000), 2),
      cpu: roundCpu(measured.cpu),
      cpuMsPerCase: round((measured.cpu.total * 1000) / options.n, 1),
    };
    runs.push(run);
    log(
      `B1 ${warmup ? 'warm-up ' : ''}${side.padEnd(8)} ${options.n} cases in ${fmt(measured.wallMs / 1000)} s ` +
        `(${fmt(run.casesPerSec)} cases/s), CPU ${fmt(measured.cpu.total)} s ` +
        `(bench ${fmt(measured.cpu.bench)}, temporal ${fmt(measured.cpu.temporal)}, postgres ${fmt(measured.cpu.postgres)})`,
    );
    return run;
  };

  const timeRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair <= options.pairs; pair++) {
    const warmup = pair === 0;
    const baseline = await runSide('baseline', pair, warmup);
    const ours = await runSide('ours', pair, warmup);
    if (!warmup) {
      timeRatios.push(ours.wallMs / baseline.wallMs);
      cpuRatios.push(ours.cpu.total / baseline.cpu.total);
    }
  }

  /** Mean events per case over the last measured run, and the event types of all of them (per case). */
  const histories = async (client: Client, ids: string[]) => {
    const types = new Map<string, number>();
    let total = 0;
    for (const id of ids) {
      const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
      total += events.length;
      for (const event of events) {
        const name = eventTypeName(event.eventType);
        types.set(name, (types.get(name) ?? 0) + 1);
      }
    }
    const perCase = Object.fromEntries(
      [...types.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) => [name, round(count / ids.length, 2)]),
    );
    return { mean: total / ids.length, types: perCase };
  };
  const baselineHistory = await histories(baselineClient, lastIds.baseline);
  const ourHistory = await histories(ctx.client, lastIds.ours);
  const historyEvents = { baseline: baselineHistory.mean, ours: ourHistory.mean };
  const describe = (types: Record<string, number>) =>
    Object.entries(types)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
  log(`B1 history/case baseline ${fmt(historyEvents.baseline, 1)}: ${describe(baselineHistory.types)}`);
  log(`B1 history/case ours ${fmt(historyEvents.ours, 1)}: ${describe(ourHistory.types)}`);

  await stopBaselineWorker();

  const measured = (side: Side) => runs.filter((run) => !run.warmup && run.side === side);
  const perCase = (side: Side) => {
    const sideRuns = measured(side);
    const of = (key: keyof CpuSeconds) => round(median(sideRuns.map((run) => (run.cpu[key] * 1000) / run.cases)), 1);
    return { bench: of('bench'), temporal: of('temporal'), postgres: of('postgres'), total: of('total') };
  };
  const result: B1Result = {
    casesPerRun: options.n,
    updatesPerCase: CASE_STEPS.length + 1,
    concurrency: options.concurrency,
    runs,
    timeRatio: roundSpread(spread(timeRatios)),
    cpuRatio: roundSpread(spread(cpuRatios)),
    casesPerSec: {
      baseline: round(median(measured('baseline').map((run) => run.casesPerSec)), 2),
      ours: round(median(measured('ours').map((run) => run.casesPerSec)), 2),
    },
    cpuMsPerCase: { baseline: perCase('baseline'), ours: perCase('ours') },
    historyEventsPerCase: {
      baseline: round(historyEvents.baseline, 1),
      ours: round(historyEvents.ours, 1),
      ratio: round(historyEvents.ours / historyEvents.baseline, 2),
    },
    historyEventTypes: { baseline: baselineHistory.types, ours: ourHistory.types },
    baselineBundleMs: round(bundle.ms, 0),
  };

  const cpuCell = (side: Side) => {
    const c = result.cpuMsPerCase[side];
    return `${fmt(c.total, 0)} (b ${fmt(c.bench, 0)}/t ${fmt(c.temporal, 0)}/pg ${fmt(c.postgres, 0)})`;
  };
  const rows: TableRow[] = [
    {
      phase: 'B1 lifecycle',
      metric: `cases/s (${options.n} cases x ${result.updatesPerCase} updates, conc ${options.concurrency})`,
      baseline: fmt(result.casesPerSec.baseline),
      ours: fmt(result.casesPerSec.ours),
      ratio: `time ${fmtSpread(result.timeRatio)}`,
      target: 'time <= 1.3',
    },
    {
      phase: 'B1 lifecycle',
      metric: 'CPU ms/case (bench/temporal/pg)',
      baseline: cpuCell('baseline'),
      ours: cpuCell('ours'),
      ratio: `cpu ${fmtSpread(result.cpuRatio)}`,
      target: 'cpu <= 1.3',
    },
    {
      phase: 'B1 lifecycle',
      metric: 'history events/case',
      baseline: fmt(result.historyEventsPerCase.baseline, 1),
      ours: fmt(result.historyEventsPerCase.ours, 1),
      ratio: fmt(result.historyEventsPerCase.ratio),
      target: '<= 1.1',
    },
  ];
  return { result, rows };
}

const EVENT_TYPES = proto.temporal.api.enums.v1.EventType;

/** `EVENT_TYPE_TIMER_STARTED` → `TimerStarted`. */
function eventTypeName(type: number | null | undefined): string {
  const name = EVENT_TYPES[type ?? 0] ?? String(type);
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
