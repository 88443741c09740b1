import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { traineePipelineWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { expectError } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, quickLimits, type PipelineBody, type TrainingApi } from '../support/training-api.js';

/** Seats, the waiting list and the limits on enrolment, against real Temporal and PostgreSQL. */

const OFFICER = 'keqiao_employment_officer';

describe('course enrolment and the waiting list', () => {
  let h: Harness;
  let api: TrainingApi;
  let skill: string;

  beforeAll(async () => {
    h = await createHarness();
    api = createTrainingApi(h);
    skill = (await api.vocabulary()).a;
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A fresh worker of Keqiao with a survey, ready to enrol. */
  async function surveyedWorker(): Promise<string> {
    const workerId = await api.newWorker('keqiao_t1_g1_caseworker');
    await api.survey(OFFICER, { workerId, skills: [skill] });
    return workerId;
  }

  /** Seats and pipelines of a course as stored: what a refused request must leave as it was. */
  async function courseStore(courseId: string) {
    const { rows } = await sql<{ enrolments: string; pipelines: number; events: number }>`
      select
        (select string_agg(worker_id || ':' || status, ',' order by worker_id) from course_enrolment
          where course_id = ${courseId}) as enrolments,
        (select count(*)::int from trainee_pipeline where course_id = ${courseId}) as pipelines,
        (select count(*)::int from trainee_pipeline_event e join trainee_pipeline p on p.id = e.pipeline_id
          where p.course_id = ${courseId}) as events
    `.execute(h.db);
    return rows[0]!;
  }

  const seatOf = async (pipelineId: string) =>
    (await h.db.selectFrom('course_enrolment').select('status').where('id', '=', pipelineId).executeTakeFirstOrThrow())
      .status;

  test('a seat not confirmed in time goes to the next on the waiting list, whose pipeline gets the offer', async () => {
    const course = await api.course('keqiao_trainer', {
      skills: [skill],
      capacity: 1,
      waitlistCapacity: 1,
      startsAt: new Date(Date.now() + 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 7200_000).toISOString(),
      timeLimits: quickLimits({ confirm: 'PT3S' }),
    });
    const first = await api.enrol(OFFICER, course.id, await surveyedWorker());
    const second = await api.enrol(OFFICER, course.id, await surveyedWorker());
    expect([first.step, first.seat, second.step, second.seat]).toEqual([
      'confirm',
      'offered',
      'waitlist',
      'waitlisted',
    ]);
    const before = await courseStore(course.id);
    const full = await api.send(OFFICER, 'POST', `/courses/${course.id}/enrolments`, {
      workerId: await surveyedWorker(),
    });
    expectError(full, 409, 'COURSE_FULL');
    expect(await courseStore(course.id)).toEqual(before);

    const expired = await api.waitForPipeline(OFFICER, first.id, (p) => p.status !== 'open', 'the first seat lapses');
    const promoted = await api.waitForPipeline(
      OFFICER,
      second.id,
      (p) => p.step === 'confirm',
      'the waiting list moves',
    );

    expect([expired.status, expired.step, expired.seat]).toEqual(['expired', 'done', 'released']);
    expect(expired.timeline.at(-1)?.description).toBe('逾期未确认报名，名额转给候补学员');
    expect([promoted.seat, promoted.timeline.map((e) => e.kind)]).toEqual(['offered', ['opened', 'seat_offered']]);
    const confirmed = await api.act(OFFICER, second.id, 'confirm');
    expect([confirmed.step, confirmed.seat]).toEqual(['attendance', 'confirmed']);
    const detail = await api.ok('keqiao_trainer', 'GET', `/courses/${course.id}`);
    expect(detail.seats).toEqual({ offered: 0, confirmed: 1, waitlisted: 0, free: 0 });
  });

  test('declining hands the seat on at once; the waiting list ends without a seat when the course starts', async () => {
    const course = await api.course('keqiao_trainer', {
      skills: [skill],
      capacity: 1,
      waitlistCapacity: 2,
      startsAt: new Date(Date.now() + 6_000).toISOString(),
      endsAt: new Date(Date.now() + 7200_000).toISOString(),
    });
    const first = await api.enrol(OFFICER, course.id, await surveyedWorker());
    const second = await api.enrol(OFFICER, course.id, await surveyedWorker());
    const third = await api.enrol(OFFICER, course.id, await surveyedWorker());

    const declined = await api.act(OFFICER, first.id, 'decline', { reason: '已在本地找到工作' });
    const promoted = await api.waitForPipeline(
      OFFICER,
      second.id,
      (p) => p.step === 'confirm',
      'the next gets the seat',
    );
    const leftOver = await api.waitForPipeline(
      OFFICER,
      third.id,
      (p) => p.status !== 'open',
      'the course starts',
      20_000,
    );

    expect([declined.status, declined.timeline.at(-1)?.description]).toEqual([
      'declined',
      '学员放弃报名：已在本地找到工作',
    ]);
    expect(promoted.seat).toBe('offered');
    expect([leftOver.status, leftOver.seat]).toEqual(['not_admitted', 'released']);
    expect(await seatOf(second.id)).toBe('offered');
  });

  test('20 enrolments at once for 5 seats: exactly 5 get a seat, the rest are refused and leave nothing behind', async () => {
    const course = await api.course('keqiao_trainer', { skills: [skill], capacity: 5, waitlistCapacity: 0 });
    const workers = await Promise.all(Array.from({ length: 20 }, () => surveyedWorker()));

    const answers = await Promise.all(
      workers.map((workerId) => api.send(OFFICER, 'POST', `/courses/${course.id}/enrolments`, { workerId })),
    );

    const accepted = answers.filter((a) => a.status === 201).map((a) => a.body as PipelineBody);
    const refused = answers.filter((a) => a.status !== 201);
    expect(accepted).toHaveLength(5);
    expect(accepted.every((p) => p.seat === 'offered' && p.step === 'confirm')).toBe(true);
    expect(refused.map((a) => [a.status, a.body.error.code])).toEqual(Array(15).fill([409, 'COURSE_FULL']));
    const store = await courseStore(course.id);
    expect([store.pipelines, store.events, store.enrolments.split(',').length]).toEqual([5, 5, 5]);
    const acceptedWorkers = new Set(accepted.map((p) => p.workerId));
    const outcomes = await Promise.all(
      workers
        .filter((id) => !acceptedWorkers.has(id))
        .map((id) => h.client.workflow.getHandle(traineePipelineWorkflowId(course.id, id)).result()),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(15).fill('refused'));
    const detail = await api.ok('keqiao_trainer', 'GET', `/courses/${course.id}`);
    expect(detail.seats).toEqual({ offered: 5, confirmed: 0, waitlisted: 0, free: 0 });
  });

  test('enrolling the same trainee twice, even at the same moment, is refused and changes nothing', async () => {
    const course = await api.course('keqiao_trainer', { skills: [skill], capacity: 3 });
    const workerId = await surveyedWorker();

    const both = await Promise.all(
      [1, 2].map(() => api.send(OFFICER, 'POST', `/courses/${course.id}/enrolments`, { workerId })),
    );
    const after = await courseStore(course.id);
    const again = await api.send(OFFICER, 'POST', `/courses/${course.id}/enrolments`, { workerId });

    expect(both.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(both.find((a) => a.status === 409)!.body.error.code).toBe('ALREADY_ENROLLED');
    expectError(again, 409, 'ALREADY_ENROLLED');
    expect(again.body.error.details).toEqual({ pipelineId: both.find((a) => a.status === 201)!.body.id });
    expect(await courseStore(course.id)).toEqual(after);
    expect([after.pipelines, after.events]).toEqual([1, 1]);
  });

  test('enrolling in a course that has ended, or without a survey, is refused and changes nothing', async () => {
    const course = await api.course('keqiao_trainer', { skills: [skill], capacity: 3 });
    await api.ok('keqiao_trainer', 'POST', `/courses/${course.id}/actions/end`);
    const before = await courseStore(course.id);
    const unsurveyed = await api.newWorker('keqiao_t1_g1_caseworker');
    const open = await api.course('keqiao_trainer', { skills: [skill], capacity: 3 });

    const ended = await api.send(OFFICER, 'POST', `/courses/${course.id}/enrolments`, {
      workerId: await surveyedWorker(),
    });
    const noSurvey = await api.send(OFFICER, 'POST', `/courses/${open.id}/enrolments`, { workerId: unsurveyed });
    const endedTwice = await api.send('keqiao_trainer', 'POST', `/courses/${course.id}/actions/end`);

    expectError(ended, 409, 'COURSE_ENDED');
    expectError(noSurvey, 422, 'SURVEY_REQUIRED');
    expect(noSurvey.body.error.details).toEqual([{ field: 'workerId', reason: expect.any(String) }]);
    expectError(endedTwice, 409, 'COURSE_ENDED');
    expect(await courseStore(course.id)).toEqual(before);
    expect((await courseStore(open.id)).pipelines).toBe(0);
  });

  test('a worker outside the officer’s district cannot be enrolled, and the course of another district is not found', async () => {
    const course = await api.course('keqiao_trainer', { skills: [skill], capacity: 3 });
    const yuechengWorker = await api.newWorker('yuecheng_t1_g1_caseworker');
    await api.survey('yuecheng_employment_officer', { workerId: yuechengWorker, skills: [skill] });

    const stranger = await api.send(OFFICER, 'POST', `/courses/${course.id}/enrolments`, { workerId: yuechengWorker });
    const otherDistrict = await api.send('yuecheng_employment_officer', 'POST', `/courses/${course.id}/enrolments`, {
      workerId: yuechengWorker,
    });
    const caseworker = await api.send('keqiao_caseworker', 'POST', `/courses/${course.id}/enrolments`, {
      workerId: await surveyedWorker(),
    });

    expectError(stranger, 422, 'WORKER_NOT_FOUND');
    expectError(otherDistrict, 404, 'COURSE_NOT_FOUND');
    expectError(caseworker, 403, 'ROLE_NOT_ALLOWED');
    expect((await courseStore(course.id)).pipelines).toBe(0);
  });

  test('the surveys of the subtree are listed newest first with each worker’s name, to pick a trainee from', async () => {
    const older = await surveyedWorker();
    const newer = await surveyedWorker();
    const elsewhere = await api.newWorker('yuecheng_t1_g1_caseworker');
    await api.survey('yuecheng_employment_officer', { workerId: elsewhere, skills: [skill] });

    const created = await api.survey(OFFICER, { workerId: newer, skills: [skill], note: '愿意倒班' });
    const list = await api.ok(OFFICER, 'GET', '/surveys?limit=100');
    const items = list.items as { workerId: string; workerName: string }[];
    const ours = items.filter((item) => [older, newer].includes(item.workerId));
    const one = await api.ok(OFFICER, 'GET', `/surveys?workerId=${older}`);

    expect(created.workerName).toBe('测试学员');
    expect(ours.map((item) => item.workerId)).toEqual([newer, newer, older]);
    expect(ours.every((item) => item.workerName === '测试学员')).toBe(true);
    expect(items.map((item) => item.workerId)).not.toContain(elsewhere);
    expect((one.items as { workerId: string; workerName: string }[]).map((item) => item.workerId)).toEqual([older]);
  });
});
