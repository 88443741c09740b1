import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectError } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, type TrainingApi } from '../support/training-api.js';
import { waitFor } from '../support/wait.js';

/*
 * A course's end (by its durable timer), the hiring fair it arranges and the pipelines it moves; exams with one
 * retake; attendance. Trainees here belong to Shangyu.
 */

const OFFICER = 'shangyu_employment_officer';
const TRAINER = 'shangyu_trainer';

describe('course end, hiring fair and exams', () => {
  let h: Harness;
  let api: TrainingApi;
  let skills: Awaited<ReturnType<TrainingApi['vocabulary']>>;
  let districtId: string;

  beforeAll(async () => {
    h = await createHarness();
    api = createTrainingApi(h);
    skills = await api.vocabulary();
    districtId = await api.unitOf('shangyu_admin');
  });

  afterAll(async () => {
    await h?.close();
  });

  async function surveyedWorker(extra: Record<string, unknown> = {}): Promise<string> {
    const workerId = await api.newWorker('shangyu_t1_g1_caseworker');
    await api.survey(OFFICER, { workerId, skills: [skills.c], ...extra });
    return workerId;
  }

  async function confirmedTrainees(courseId: string, count: number) {
    const trainees = [];
    for (let i = 0; i < count; i++) {
      const workerId = await surveyedWorker();
      const pipeline = await api.enrol(OFFICER, courseId, workerId);
      await api.act(OFFICER, pipeline.id, 'confirm');
      trainees.push({ workerId, pipelineId: pipeline.id });
    }
    return trainees;
  }

  test('the course ends on its timer, arranges its fair with the fitting enterprises and moves every trainee', async () => {
    const fitting = await api.enterprise(OFFICER);
    const linked = await api.enterprise(OFFICER);
    const unrelated = await api.enterprise(OFFICER);
    const fittingOpening = await api.opening(OFFICER, {
      enterpriseId: fitting,
      skills: [skills.a, skills.b],
      districtId,
      monthlyPayFen: 600_000,
    });
    const linkedOpening = await api.opening(OFFICER, {
      enterpriseId: linked,
      skills: [skills.c],
      districtId,
      monthlyPayFen: 500_000,
    });
    await api.opening(OFFICER, { enterpriseId: unrelated, skills: [skills.c], districtId, monthlyPayFen: 500_000 });
    const course = await api.course(TRAINER, {
      skills: [skills.a],
      capacity: 4,
      sessions: 4,
      requiredAttendancePct: 75,
      openingIds: [linkedOpening],
      endsAt: new Date(Date.now() + 20_000).toISOString(),
      fairWithin: 'P3D',
    });
    const [full, partial] = await confirmedTrainees(course.id, 2);
    const unconfirmed = await api.enrol(OFFICER, course.id, await surveyedWorker());
    for (const session of [1, 2, 3]) {
      await api.attend(TRAINER, course.id, session, [
        { workerId: full!.workerId, present: true },
        { workerId: partial!.workerId, present: session === 1 },
      ]);
    }
    const corrected = await api.attend(TRAINER, course.id, 3, [{ workerId: partial!.workerId, present: true }]);
    expect(corrected).toEqual({ courseId: course.id, session: 3, recorded: 1, present: 1, absent: 0 });

    const completed = await api.waitForPipeline(
      OFFICER,
      full!.pipelineId,
      (p) => p.step !== 'attendance',
      'course end',
      40_000,
    );
    const short = await api.waitForPipeline(OFFICER, partial!.pipelineId, (p) => p.status !== 'open', 'course end');
    const lapsed = await api.waitForPipeline(OFFICER, unconfirmed.id, (p) => p.status !== 'open', 'course end');
    const fairId = await waitFor(async () => (await api.pipeline(OFFICER, full!.pipelineId)).fairId, {
      message: 'the fair invitation reaches the trainee',
    });

    expect([completed.status, completed.step]).toEqual(['open', 'fair']);
    expect(completed.timeline.find((e) => e.kind === 'course_ended')?.description).toBe('课程结业：出勤 3/4 次');
    expect([short.status, short.timeline.at(-1)?.description]).toEqual([
      'not_completed',
      '出勤 2/4 次，未达到结业要求',
    ]);
    expect([lapsed.status, lapsed.seat]).toEqual(['expired', 'released']);
    const fair = await api.ok(OFFICER, 'GET', `/fairs/${fairId}`);
    const ourEnterprises = fair.enterprises.filter((e: { id: string }) => [fitting, linked, unrelated].includes(e.id));
    expect(
      ourEnterprises.map((e: { id: string; profilesReceived: number }) => [e.id, e.profilesReceived]).sort(),
    ).toEqual(
      [
        [fitting, 1],
        [linked, 1],
      ].sort(),
    );
    expect(fair.openings.map((o: { id: string }) => o.id)).toEqual(
      expect.arrayContaining([fittingOpening, linkedOpening]),
    );
    const endedAt = Date.parse((await api.ok(TRAINER, 'GET', `/courses/${course.id}`)).endedAt);
    expect(Date.parse(fair.heldAt) - endedAt).toBe(3 * 86_400_000);
    const pushes = await h.db
      .selectFrom('profile_push')
      .select(['pipeline_id'])
      .where('fair_id', '=', fairId)
      .distinct()
      .execute();
    expect(pushes.map((p) => p.pipeline_id)).toEqual([full!.pipelineId]);
  });

  test('a failed exam goes to one retake; a pass there issues the certificate, a second fail does not', async () => {
    const course = await api.course(TRAINER, {
      skills: [skills.a],
      capacity: 4,
      exam: { certificate: skills.cert },
      fairWithin: 'P7D',
      sessions: 1,
    });
    const [retaker, failer] = await confirmedTrainees(course.id, 2);
    await api.attend(TRAINER, course.id, 1, [
      { workerId: retaker!.workerId, present: true },
      { workerId: failer!.workerId, present: true },
    ]);
    await api.ok(TRAINER, 'POST', `/courses/${course.id}/actions/end`);
    for (const trainee of [retaker!, failer!]) {
      await api.waitForPipeline(OFFICER, trainee.pipelineId, (p) => p.step === 'exam', 'trainee reaches the exam');
    }

    const first = await api.ok(TRAINER, 'POST', `/exams/${course.id}/results`, {
      results: [
        { workerId: retaker!.workerId, passed: false },
        { workerId: failer!.workerId, passed: false },
      ],
    });
    const second = await api.ok(TRAINER, 'POST', `/exams/${course.id}/results`, {
      results: [
        { workerId: retaker!.workerId, passed: true },
        { workerId: failer!.workerId, passed: false },
      ],
    });
    const before = await sql<{
      n: number;
    }>`select count(*)::int as n from exam_result where course_id = ${course.id}`.execute(h.db);
    const third = await api.send(TRAINER, 'POST', `/exams/${course.id}/results`, {
      results: [{ workerId: failer!.workerId, passed: true }],
    });

    expect(first.items.map((i: { sitting: number; step: string }) => [i.sitting, i.step])).toEqual([
      [1, 'retake'],
      [1, 'retake'],
    ]);
    expect(
      second.items.map((i: { sitting: number; certified: boolean; step: string }) => [i.sitting, i.certified, i.step]),
    ).toEqual([
      [2, true, 'fair'],
      [2, false, 'fair'],
    ]);
    expectError(third, 409, 'EXAM_NOT_DUE');
    expect(third.body.error.details).toEqual([{ field: 'results.0.workerId', reason: '不在待考试步骤' }]);
    expect(before.rows[0]!.n).toBe(4);
    const passed = await api.pipeline(OFFICER, retaker!.pipelineId);
    const failed = await api.pipeline(OFFICER, failer!.pipelineId);
    expect([passed.certified, passed.certificate?.code, passed.examResults.map((r) => r.passed)]).toEqual([
      true,
      skills.cert,
      [false, true],
    ]);
    expect([failed.certified, failed.certificate, failed.examResults.map((r) => r.passed)]).toEqual([
      false,
      null,
      [false, false],
    ]);
    expect(passed.timeline.filter((e) => e.kind === 'exam_result').map((e) => e.description)).toEqual([
      '第 1 次考试未通过',
      '第 2 次考试通过，取得证书',
    ]);
  });

  test('a fair arranged by staff ahead of the end is the one the course uses', async () => {
    const course = await api.course(TRAINER, {
      skills: [skills.b],
      capacity: 2,
      sessions: 1,
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      fairWithin: 'P5D',
    });
    const [trainee] = await confirmedTrainees(course.id, 1);
    await api.attend(TRAINER, course.id, 1, [{ workerId: trainee!.workerId, present: true }]);
    const heldAt = new Date(Date.parse(course.endsAt) + 2 * 86_400_000).toISOString();
    const arranged = await api.ok(
      OFFICER,
      'POST',
      '/fairs',
      { title: '上虞秋季专场', heldAt, courseId: course.id },
      201,
    );
    const second = await api.send(OFFICER, 'POST', '/fairs', { title: '重复', heldAt, courseId: course.id });

    const ended = await api.ok(TRAINER, 'POST', `/courses/${course.id}/actions/end`);

    expect(arranged.arrangedBy).toBe('staff');
    expectError(second, 409, 'FAIR_EXISTS');
    expect(ended.fairId).toBe(arranged.id);
    const invited = await api.waitForPipeline(OFFICER, trainee!.pipelineId, (p) => p.fairId !== null, 'invitation');
    expect([invited.fairId, invited.step, invited.dueAt]).toEqual([arranged.id, 'fair', arranged.heldAt]);
  });

  test('the course roster shows each trainee’s seat, step and attendance', async () => {
    const course = await api.course(TRAINER, { skills: [skills.b], capacity: 2, sessions: 3 });
    const [trainee] = await confirmedTrainees(course.id, 1);
    await api.attend(TRAINER, course.id, 1, [{ workerId: trainee!.workerId, present: true }]);
    await api.attend(TRAINER, course.id, 2, [{ workerId: trainee!.workerId, present: false }]);

    const detail = await api.ok(TRAINER, 'GET', `/courses/${course.id}`);

    expect(detail.trainees).toEqual([
      {
        pipelineId: trainee!.pipelineId,
        workerId: trainee!.workerId,
        name: '测试学员',
        seat: 'confirmed',
        status: 'open',
        step: 'attendance',
        certified: false,
        attendedSessions: 1,
      },
    ]);
  });
});
