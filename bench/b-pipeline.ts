import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { withCreditCheck } from '../api/routes/training/credit-code.js';
import { traineePipelineWorkflowId } from '../workflows/shared/workflow-ids.js';
import {
  baselineCourseWorkflow,
  baselineEndUpdate,
  baselineProgressQuery,
  baselineStepUpdate,
  baselineTraineeWorkflow,
} from './baseline-training-workflows.js';
import {
  bundleTo,
  call,
  expectStatus,
  fmt,
  fmtSpread,
  log,
  median,
  round,
  roundCpu,
  roundSpread,
  spread,
  startWorker,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'baseline' | 'ours';

interface PipelineRun {
  side: Side;
  warmup: boolean;
  pipelines: number;
  wallMs: number;
  cpu: CpuSeconds;
  cpuMsPerPipeline: number;
}

export interface PipelineResult {
  pipelinesPerRun: number;
  runs: PipelineRun[];
  timeRatio: Spread;
  cpuRatio: Spread;
  pipelinesPerSec: Record<Side, number>;
  cpuMsPerPipeline: Record<Side, number>;
  historyEventsPerPipeline: Record<Side, number> & { ratio: number };
}

const POLL_MS = 100;
const WAITS_MS = { fair: 1000, followUp1: 1000, followUp3: 2000 };
const LONG = { duration: 'PT1H', calendar: 'natural' };
const TIME_LIMITS = {
  confirm: LONG,
  courseEndGrace: LONG,
  exam: LONG,
  retake: LONG,
  invitation: LONG,
  placement: LONG,
  offerAnswer: LONG,
  followUp1: { duration: 'PT1S', calendar: 'natural' },
  followUp3: { duration: 'PT2S', calendar: 'natural' },
  followUpWithin: LONG,
};

/**
 * Pipeline throughput: N trainees of one course per run, driven from enrolment through the course, its exam, its
 * hiring fair, an offer and a placement to the three-month follow-up (7 actions each, the course's end, 2 signals
 * each, 3 waits of 1-2 s), ours through the API, the baseline as bare workflows taking the same updates and
 * signals and holding the same waits, one no-op activity each. Everything runs at once within a run; B O after
 * a warm-up pair.
 */
export async function runPipeline(ctx: BenchContext): Promise<{ result: PipelineResult; rows: TableRow[] }> {
  const { options } = ctx;
  const n = options.pipelines;
  const baselineQueue = `bench-training-baseline-${process.pid}-${randomBytes(3).toString('hex')}`;
  const bundle = await bundleTo(
    fileURLToPath(new URL('./baseline-training-workflows.ts', import.meta.url)),
    `${ctx.tmpDir}/baseline-training-bundle.js`,
  );
  const baselineWorker = await Worker.create({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue: baselineQueue,
    workflowBundle: { codePath: bundle },
    activities: { noop: async () => undefined },
  });
  const stopBaselineWorker = startWorker(baselineWorker);
  ctx.cleanups.add('stop training baseline worker', stopBaselineWorker);
  const baselineClient = new Client({ connection: ctx.connection, namespace: 'default' });

  const login = async (username: string) => {
    const answer = await call(ctx.app, 'POST', '/auth/login', '', { username, password: 'Demo@2026' });
    expectStatus(answer, 200, `login ${username}`);
    return answer.body.token as string;
  };
  const trainer = await login('trainer');
  const officer = await login('city_employment_officer');
  const post = async (token: string, url: string, body: object | undefined, status = 200) => {
    const answer = await call(ctx.app, 'POST', url, token, body);
    expectStatus(answer, status, `POST ${url}`);
    return answer.body;
  };
  const get = async (url: string) => {
    const answer = await call(ctx.app, 'GET', url, officer);
    expectStatus(answer, 200, `GET ${url}`);
    return answer.body;
  };
  const skill = `bench_${randomBytes(3).toString('hex')}`;
  await post(ctx.admin.token, '/skills', { code: skill, label: '基准技能' }, 201);
  await post(ctx.admin.token, '/certificates', { code: `${skill}_cert`, label: '基准证书' }, 201);
  const enterprise = await post(
    officer,
    '/enterprises',
    { name: '基准测试企业', creditCode: withCreditCheck('91330600MA0000999'), unitId: ctx.admin.staff.unitId },
    201,
  );
  const districtId = ctx.units.find((unit) => unit.level === 'district')!.id;
  const opening = await post(
    officer,
    '/openings',
    {
      enterpriseId: enterprise.id,
      title: '基准岗位',
      skills: [skill],
      districtId,
      monthlyPayFen: 600_000,
      headcount: 10_000,
      hours: 'full_time',
    },
    201,
  );
  const workers = ctx.grassroots.map((unit) => ctx.workersByUnit.get(unit.id)![0]!).slice(0, n);
  if (workers.length < n) {
    throw new Error(`PIPELINE needs ${n} workers in distinct grassroots unions, found ${workers.length}`);
  }
  for (const workerId of workers) {
    await post(officer, '/surveys', { workerId, skills: [skill] }, 201);
  }

  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (;;) {
      const value = await read();
      if (done(value)) {
        return value;
      }
      await delay(POLL_MS);
    }
  };

  const ours = async (round_: number): Promise<string[]> => {
    const course = await post(
      trainer,
      '/courses',
      {
        title: `基准课程 ${round_}`,
        skills: [skill],
        capacity: n,
        sessions: 1,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        exam: { certificate: `${skill}_cert` },
        fairWithin: 'PT1S',
        timeLimits: TIME_LIMITS,
      },
      201,
    );
    const pipelines = await Promise.all(
      workers.map(async (workerId) => {
        const enrolled = await post(officer, `/courses/${course.id}/enrolments`, { workerId }, 201);
        await post(officer, `/pipelines/${enrolled.id}/actions/confirm`, {});
        return { id: enrolled.id as string, workerId };
      }),
    );
    await post(trainer, `/courses/${course.id}/attendance`, {
      session: 1,
      records: workers.map((workerId) => ({ workerId, present: true })),
    });
    await post(trainer, `/courses/${course.id}/actions/end`, undefined);
    await Promise.all(
      pipelines.map(async ({ id, workerId }) => {
        const read = () => get(`/pipelines/${id}`);
        await until(read, (p) => p.step === 'exam');
        await post(trainer, `/exams/${course.id}/results`, { results: [{ workerId, passed: true }] });
        await until(read, (p) => p.step === 'matching');
        await post(officer, `/pipelines/${id}/actions/record-offer`, { openingId: opening.id });
        await post(officer, `/pipelines/${id}/actions/accept-offer`, {});
        for (const step of ['followup_1m', 'followup_3m']) {
          await until(read, (p) => p.step === step && Date.parse(p.opensAt) <= Date.now());
          await until(
            () => call(ctx.app, 'POST', `/pipelines/${id}/actions/follow-up`, officer, { stillEmployed: true }),
            (answer) => answer.status === 200,
          );
        }
        await ctx.client.workflow.getHandle(traineePipelineWorkflowId(course.id, workerId)).result();
      }),
    );
    return workers.map((workerId) => traineePipelineWorkflowId(course.id, workerId));
  };

  const baseline = async (round_: number): Promise<string[]> => {
    const ids = workers.map((_, i) => `bench-trainee-${process.pid}-${round_}-${i}`);
    const courseId = `bench-course-${process.pid}-${round_}`;
    await baselineClient.workflow.start(baselineCourseWorkflow, {
      workflowId: courseId,
      taskQueue: baselineQueue,
      args: [{ traineeWorkflowIds: ids }],
    });
    const request = (action: string) => ({ action, actor: ctx.admin.actor, openingId: opening.id });
    await Promise.all(
      ids.map(async (workflowId) => {
        const start = new WithStartWorkflowOperation(baselineTraineeWorkflow, {
          workflowId,
          taskQueue: baselineQueue,
          args: [{ updates: 7, signals: 2, waitsMs: WAITS_MS }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        await baselineClient.workflow.executeUpdateWithStart(baselineStepUpdate, {
          args: [request('enrol')],
          startWorkflowOperation: start,
        });
        await baselineClient.workflow
          .getHandle(workflowId)
          .executeUpdate(baselineStepUpdate, { args: [request('confirm')] });
      }),
    );
    await baselineClient.workflow.getHandle(courseId).executeUpdate(baselineEndUpdate, { args: [request('end')] });
    await Promise.all(
      ids.map(async (workflowId) => {
        const handle = baselineClient.workflow.getHandle(workflowId);
        const progress = () => handle.query(baselineProgressQuery);
        const step = (action: string) => handle.executeUpdate(baselineStepUpdate, { args: [request(action)] });
        await until(progress, (p) => p.signals >= 1);
        await step('exam-result');
        await until(progress, (p) => p.signals >= 2 && p.ready);
        await step('record-offer');
        await step('accept-offer');
        await until(progress, (p) => p.ready);
        await step('follow-up');
        await until(progress, (p) => p.ready);
        await step('follow-up');
        await handle.result();
      }),
    );
    await baselineClient.workflow.getHandle(courseId).result();
    return ids;
  };

  const runs: PipelineRun[] = [];
  const lastIds: Record<Side, string[]> = { baseline: [], ours: [] };
  const runSide = async (side: Side, round_: number, warmup: boolean) => {
    const measured = await ctx.cpu.measure(() => (side === 'ours' ? ours(round_) : baseline(round_)));
    lastIds[side] = measured.result;
    const run: PipelineRun = {
      side,
      warmup,
      pipelines: n,
      wallMs: round(measured.wallMs, 1),
      cpu: roundCpu(measured.cpu),
      cpuMsPerPipeline: round((measured.cpu.total * 1000) / n, 1),
    };
    runs.push(run);
    log(
      `PIPELINE ${warmup ? 'warm-up ' : ''}${side.padEnd(8)} ${n} pipelines in ${fmt(measured.wallMs / 1000)} s, ` +
        `CPU ${fmt(measured.cpu.total)} s (bench ${fmt(measured.cpu.bench)}, temporal ${fmt(measured.cpu.temporal)}, ` +
        `postgres ${fmt(measured.cpu.postgres)})`,
    );
    return run;
  };

  const timeRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair <= options.pairs; pair++) {
    const warmup = pair === 0;
    const b = await runSide('baseline', pair, warmup);
    const o = await runSide('ours', pair, warmup);
    if (!warmup) {
      timeRatios.push(o.wallMs / b.wallMs);
      cpuRatios.push(o.cpu.total / b.cpu.total);
    }
  }
  const events = async (client: Client, ids: string[]) => {
    let total = 0;
    for (const id of ids) {
      total += (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0;
    }
    return total / ids.length;
  };
  const history = {
    baseline: await events(baselineClient, lastIds.baseline),
    ours: await events(ctx.client, lastIds.ours),
  };
  await stopBaselineWorker();

  const measured = (side: Side) => runs.filter((r) => !r.warmup && r.side === side);
  const result: PipelineResult = {
    pipelinesPerRun: n,
    runs,
    timeRatio: roundSpread(spread(timeRatios)),
    cpuRatio: roundSpread(spread(cpuRatios)),
    pipelinesPerSec: {
      baseline: round(median(measured('baseline').map((r) => n / (r.wallMs / 1000))), 2),
      ours: round(median(measured('ours').map((r) => n / (r.wallMs / 1000))), 2),
    },
    cpuMsPerPipeline: {
      baseline: round(median(measured('baseline').map((r) => r.cpuMsPerPipeline)), 1),
      ours: round(median(measured('ours').map((r) => r.cpuMsPerPipeline)), 1),
    },
    historyEventsPerPipeline: {
      baseline: round(history.baseline, 1),
      ours: round(history.ours, 1),
      ratio: round(history.ours / history.baseline, 2),
    },
  };
  const rows: TableRow[] = [
    {
      phase: 'pipeline',
      metric: `pipelines/s (${n} at once, 7 actions, 2 signals, 3 waits of 1-2 s each)`,
      baseline: fmt(result.pipelinesPerSec.baseline),
      ours: fmt(result.pipelinesPerSec.ours),
      ratio: `time ${fmtSpread(result.timeRatio)}`,
      target: 'time <= 1.3',
    },
    {
      phase: 'pipeline',
      metric: 'CPU ms/pipeline (all processes)',
      baseline: fmt(result.cpuMsPerPipeline.baseline, 0),
      ours: fmt(result.cpuMsPerPipeline.ours, 0),
      ratio: `cpu ${fmtSpread(result.cpuRatio)}`,
      target: 'reported',
    },
    {
      phase: 'pipeline',
      metric: 'history events/pipeline',
      baseline: fmt(result.historyEventsPerPipeline.baseline, 1),
      ours: fmt(result.historyEventsPerPipeline.ours, 1),
      ratio: fmt(result.historyEventsPerPipeline.ratio),
      target: 'reported',
    },
  ];
  return { result, rows };
}
