import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { traineePipelineWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, quickLimits, type PipelineBody, type TrainingApi } from '../support/training-api.js';
import { waitFor } from '../support/wait.js';

/*
 * A trainee's whole way from survey to the three-month follow-up, with the course's time limits set in seconds
 * where the test waits on them. Each test makes its own skills, enterprise and openings, so seeded data and other
 * files never rank among them.
 */

const kinds = (body: PipelineBody) => body.timeline.map((event) => event.kind);

describe('trainee pipeline from survey to three-month follow-up', () => {
  let h: Harness;
  let api: TrainingApi;

  beforeAll(async () => {
    // Every workflow task replays the whole history, so a nondeterministic pipeline or course fails here.
    h = await createHarness({ workerOverrides: { maxCachedWorkflows: 0 } });
    api = createTrainingApi(h);
  });

  afterAll(async () => {
    await h?.close();
  });

  test('a trainee is surveyed, trained, certified, invited, placed and followed up at one and three months', async () => {
    const officer = 'yuecheng_employment_officer';
    const skills = await api.vocabulary();
    const districtId = await api.unitOf('yuecheng_admin');
    const enterpriseId = await api.enterprise(officer);
    const openingId = await api.opening(officer, {
      enterpriseId,
      skills: [skills.a, skills.b],
      certificate: skills.cert,
      districtId,
      monthlyPayFen: 700_000,
      headcount: 1,
    });
    const workerId = await api.newWorker('yuecheng_t1_g1_caseworker');
    await api.survey(officer, { workerId, skills: [skills.a], wishedSkills: [skills.b], wishedMonthlyPayFen: 600_000 });
    const course = await api.course('trainer', {
      skills: [skills.b],
      sessions: 2,
      exam: { certificate: skills.cert },
      fairWithin: 'PT8S',
      timeLimits: quickLimits({ followUp1: 'PT3S', followUp3: 'PT6S' }),
    });

    const enrolled = await api.enrol(officer, course.id, workerId);
    expect([enrolled.status, enrolled.step, enrolled.seat]).toEqual(['open', 'confirm', 'offered']);
    const confirmed = await api.act('trainer', enrolled.id, 'confirm');
    expect([confirmed.step, confirmed.seat]).toEqual(['attendance', 'confirmed']);
    for (const session of [1, 2]) {
      await api.attend('trainer', course.id, session, [{ workerId, present: true }]);
    }

    const ended = await api.ok('trainer', 'POST', `/courses/${course.id}/actions/end`);
    expect(ended.status).toBe('ended');
    expect(ended.fairId).toEqual(expect.any(String));
    await api.waitForPipeline(officer, enrolled.id, (p) => p.step === 'exam', 'pipeline reaches the exam');
    await waitFor(async () => kinds(await api.pipeline(officer, enrolled.id)).includes('fair_invited'), {
      message: 'the fair invitation reaches the pipeline',
    });

    const exam = await api.ok('trainer', 'POST', `/exams/${course.id}/results`, {
      results: [{ workerId, passed: true }],
    });
    expect(exam.items).toEqual([
      { workerId, pipelineId: enrolled.id, sitting: 1, passed: true, certified: true, step: expect.any(String) },
    ]);
    const matching = await api.waitForPipeline(officer, enrolled.id, (p) => p.step === 'matching', 'fair is held');
    expect(matching.certified).toBe(true);
    expect(matching.certificate?.code).toBe(skills.cert);
    expect(matching.fairId).toBe(ended.fairId);
    expect(matching.pushedOpenings).toEqual([
      {
        openingId,
        rank: 1,
        // The course taught the wished-for skill, so both of the opening's skills are now held.
        score: 60 + 20 + 10 + 5,
        reason: `技能匹配 2/2（焊接${skills.tag}、无人机${skills.tag}）；持有执照${skills.tag}；同在越城区；月薪 7000 元，达到期望 6000 元`,
        pushedAt: expect.any(String),
      },
    ]);
    const fair = await api.ok(officer, 'GET', `/fairs/${ended.fairId}`);
    expect(fair.courseId).toBe(course.id);
    expect(fair.enterprises).toContainEqual({
      id: enterpriseId,
      name: expect.any(String),
      openings: 1,
      profilesReceived: 1,
    });
    expect(matching.profilesSentToEnterprises).toBe(fair.enterprises.length);

    const offered = await api.act(officer, enrolled.id, 'record-offer', { openingId });
    expect([offered.step, offered.offers.map((o) => o.status)]).toEqual(['offer', ['pending']]);
    const placed = await api.act(officer, enrolled.id, 'accept-offer');
    expect([placed.step, placed.placedOpeningId, placed.offers.map((o) => o.status)]).toEqual([
      'followup_1m',
      openingId,
      ['accepted'],
    ]);
    const openings = await api.ok(officer, 'GET', `/openings?enterpriseId=${enterpriseId}`);
    expect(openings.items.map((o: { placedCount: number; status: string }) => [o.placedCount, o.status])).toEqual([
      [1, 'filled'],
    ]);

    const early = await api.tryAct(officer, enrolled.id, 'follow-up', { stillEmployed: true });
    expect([early.status, early.body.error.code]).toEqual([409, 'NOT_DUE_YET']);
    await waitFor(async () => kinds(await api.pipeline(officer, enrolled.id)).includes('follow_up_due'), {
      message: 'the one-month follow-up falls due',
    });
    const oneMonth = await api.act(officer, enrolled.id, 'follow-up', { stillEmployed: true, note: '在岗，工作稳定' });
    expect(oneMonth.step).toBe('followup_3m');
    await waitFor(
      async () => kinds(await api.pipeline(officer, enrolled.id)).filter((k) => k === 'follow_up_due').length === 2,
      { message: 'the three-month follow-up falls due' },
    );
    const closed = await api.act(officer, enrolled.id, 'follow-up', { stillEmployed: true });

    expect([closed.status, closed.step]).toEqual(['closed', 'done']);
    expect(kinds(closed)).toEqual([
      'opened',
      'confirm',
      'course_ended',
      'fair_invited',
      'exam_result',
      'fair_held',
      'record-offer',
      'accept-offer',
      'follow_up_due',
      'follow-up',
      'follow_up_due',
      'follow-up',
    ]);
    expect(closed.timeline.map((e) => e.description)).toContain('上岗三个月回访：仍在岗');
    const notices = await api.ok('yuecheng_t1_employment_officer', 'GET', '/notifications?limit=500');
    expect(
      notices.items
        .filter((n: { data: { pipelineId?: string } }) => n.data.pipelineId === enrolled.id)
        .map((n: { kind: string }) => n.kind),
    ).toEqual(['training_follow_up', 'training_follow_up']);
    const outcome = await h.client.workflow.getHandle(traineePipelineWorkflowId(course.id, workerId)).result();
    expect(outcome).toEqual({ pipelineId: enrolled.id, status: 'closed' });
  });
});
