import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { courseWorkflowId, traineePipelineWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { historyToJson } from '../support/history-json.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, quickLimits, type TrainingApi } from '../support/training-api.js';

/*
 * Records the training histories that replay.test.ts replays. Skipped unless RECORD_HISTORIES is set; run
 * it alone after a deliberate change to what a pipeline or course records, and commit the files it writes:
 *
 *   RECORD_HISTORIES=1 bash scripts/test.sh tests/replay/training-record.test.ts
 */

const HISTORIES_DIR = fileURLToPath(new URL('./training-histories/', import.meta.url));
const OFFICER = 'zhuji_employment_officer';

describe.skipIf(!process.env.RECORD_HISTORIES)('recording training histories for replay', () => {
  let h: Harness;
  let api: TrainingApi;

  beforeAll(async () => {
    h = await createHarness();
    api = createTrainingApi(h);
    await mkdir(HISTORIES_DIR, { recursive: true });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function save(name: string, workflowId: string): Promise<void> {
    const handle = h.client.workflow.getHandle(workflowId);
    await handle.result();
    await writeFile(`${HISTORIES_DIR}${name}.json`, historyToJson(await handle.fetchHistory()));
  }

  test('records a course and a trainee who failed the exam once, let an offer lapse and was retained', async () => {
    const skills = await api.vocabulary();
    const openingId = await api.opening(OFFICER, {
      enterpriseId: await api.enterprise(OFFICER),
      skills: [skills.a],
      districtId: await api.unitOf('zhuji_admin'),
      monthlyPayFen: 500_000,
    });
    const workerId = await api.newWorker('zhuji_t1_g1_caseworker');
    await api.survey(OFFICER, { workerId, skills: [skills.a] });
    const course = await api.course('zhuji_trainer', {
      skills: [skills.a],
      sessions: 1,
      exam: { certificate: skills.cert },
      fairWithin: 'PT2S',
      timeLimits: quickLimits({ offerAnswer: 'PT2S', followUp1: 'PT2S', followUp3: 'PT3S' }),
    });
    const pipeline = await api.enrol(OFFICER, course.id, workerId);
    await api.act(OFFICER, pipeline.id, 'confirm');
    await api.attend('zhuji_trainer', course.id, 1, [{ workerId, present: true }]);
    await api.ok('zhuji_trainer', 'POST', `/courses/${course.id}/actions/end`);
    await api.waitForPipeline(OFFICER, pipeline.id, (p) => p.step === 'exam', 'exam');
    for (const passed of [false, true]) {
      await api.ok('zhuji_trainer', 'POST', `/exams/${course.id}/results`, { results: [{ workerId, passed }] });
    }
    await api.waitForPipeline(OFFICER, pipeline.id, (p) => p.step === 'matching', 'matching');
    await api.act(OFFICER, pipeline.id, 'record-offer', { openingId });
    await api.waitForPipeline(OFFICER, pipeline.id, (p) => p.step === 'matching', 'the offer lapses');
    await api.act(OFFICER, pipeline.id, 'record-offer', { openingId });
    await api.act(OFFICER, pipeline.id, 'accept-offer');
    for (const step of ['followup_1m', 'followup_3m']) {
      await api.waitForPipeline(
        OFFICER,
        pipeline.id,
        (p) => p.step === step && p.opensAt !== null && Date.parse(p.opensAt) <= Date.now(),
        step,
      );
      await api.waitForPipeline(OFFICER, pipeline.id, (p) => p.timeline.at(-1)?.kind === 'follow_up_due', 'due');
      await api.act(OFFICER, pipeline.id, 'follow-up', { stillEmployed: true });
    }

    await save('pipeline-closed-after-retake-and-lapsed-offer', traineePipelineWorkflowId(course.id, workerId));
    await save('course-ended-early-with-fair', courseWorkflowId(course.id));
  });

  test('records a seat that lapsed to the waiting list, and the trainee who then declined it', async () => {
    const skill = (await api.vocabulary()).a;
    const course = await api.course('zhuji_trainer', {
      skills: [skill],
      capacity: 1,
      waitlistCapacity: 1,
      startsAt: new Date(Date.now() + 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 7200_000).toISOString(),
      timeLimits: quickLimits({ confirm: 'PT2S' }),
    });
    const workers = [];
    for (let i = 0; i < 2; i++) {
      const workerId = await api.newWorker('zhuji_t1_g1_caseworker');
      await api.survey(OFFICER, { workerId, skills: [skill] });
      workers.push({ workerId, pipeline: await api.enrol(OFFICER, course.id, workerId) });
    }
    const [first, second] = workers as [(typeof workers)[number], (typeof workers)[number]];
    await api.waitForPipeline(OFFICER, second.pipeline.id, (p) => p.step === 'confirm', 'the seat is handed on');
    await api.act(OFFICER, second.pipeline.id, 'decline', { reason: '时间冲突' });

    await save('pipeline-seat-expired', traineePipelineWorkflowId(course.id, first.workerId));
    await save('pipeline-promoted-then-declined', traineePipelineWorkflowId(course.id, second.workerId));
  });
});
