import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADMIN_PASSWORD,
  createStaff,
  detailFields,
  expectError,
  signIn,
  type Session,
} from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import { createTrainingApi, quickLimits, type TrainingApi } from '../support/training-api.js';

/*
 * The issue's bad input and faults, and more: each refused request answers its own status, code and field, and
 * leaves the store as it was (RELIABILITY I5). This file acts through its own trainer and officer in Xinchang, so
 * the snapshot sees only what its requests could have written while other files run beside it.
 */

let h: Harness;
let api: TrainingApi;
let trainer: Session;
let officer: Session;
let skills: Awaited<ReturnType<TrainingApi['vocabulary']>>;
let districtId: string;

beforeAll(async () => {
  h = await createHarness();
  api = createTrainingApi(h);
  const admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  districtId = await api.unitOf('xinchang_admin');
  trainer = await createStaff(h, admin.token, { unitId: districtId, role: 'trainer', prefix: 'tr' });
  officer = await createStaff(h, admin.token, { unitId: districtId, role: 'employment_officer', prefix: 'eo' });
  api.useSession(trainer);
  api.useSession(officer);
  skills = await api.vocabulary();
});

afterAll(async () => {
  await h?.close();
});

/** Rows this file's accounts could have written, and what they hold. */
async function store() {
  const users = sql`(${sql.join([trainer.id, officer.id].map((id) => sql`${id}::uuid`))})`;
  const courses = sql`(select id from course where created_by in ${users})`;
  const pipelines = sql`(select id from trainee_pipeline where course_id in ${courses})`;
  const { rows } = await sql<Record<string, number | string | null>>`
    select
      (select count(*)::int from course where created_by in ${users}) as courses,
      (select string_agg(id || ':' || status, ',' order by id) from course_enrolment where course_id in ${courses}) as seats,
      (select string_agg(id || ':' || step || ':' || status || ':' || last_seq, ',' order by id) from trainee_pipeline
        where id in ${pipelines}) as pipelines,
      (select count(*)::int from trainee_pipeline_event where pipeline_id in ${pipelines}) as events,
      (select count(*)::int from course_attendance where recorded_by in ${users}) as attendance,
      (select count(*)::int from exam_result where course_id in ${courses}) as exams,
      (select count(*)::int from enterprise where created_by in ${users}) as enterprises,
      (select string_agg(id || ':' || placed_count, ',' order by id) from job_opening where created_by in ${users})
        as openings,
      (select count(*)::int from hiring_fair where created_by in ${users} or course_id in ${courses}) as fairs,
      (select string_agg(id || ':' || status, ',' order by id) from job_offer where pipeline_id in ${pipelines}) as offers,
      (select count(*)::int from needs_survey where surveyed_by in ${users}) as surveys
  `.execute(h.db);
  return rows[0]!;
}

/** Sends the request and asserts that the store is the same before and after it. */
async function refused(send: () => Promise<HarnessResponse>): Promise<HarnessResponse> {
  const before = await store();

  const response = await send();

  expect(await store()).toEqual(before);
  return response;
}

async function surveyedWorker(): Promise<string> {
  const workerId = await api.newWorker('xinchang_t1_g1_caseworker');
  await api.survey(officer.username, { workerId, skills: [skills.a] });
  return workerId;
}

const course = (body: Record<string, unknown> = {}) =>
  api.course(trainer.username, { skills: [skills.a], capacity: 3, sessions: 2, ...body });

describe('bad input on courses, attendance and exams', () => {
  test('attendance for a stranger (not enrolled) is refused as a whole, naming the record', async () => {
    const running = await course();
    const trainee = await surveyedWorker();
    const pipeline = await api.enrol(officer.username, running.id, trainee);
    await api.act(officer.username, pipeline.id, 'confirm');
    const stranger = await surveyedWorker();

    const response = await refused(() =>
      api.send(trainer.username, 'POST', `/courses/${running.id}/attendance`, {
        session: 1,
        records: [
          { workerId: trainee, present: true },
          { workerId: stranger, present: true },
        ],
      }),
    );

    expectError(response, 422, 'NOT_ENROLLED');
    expect(response.body.error.details).toEqual([{ field: 'records.1.workerId', reason: expect.any(String) }]);
  });

  test('an exam result for a course without an exam is refused', async () => {
    const noExam = await course();
    const workerId = await surveyedWorker();

    const response = await refused(() =>
      api.send(trainer.username, 'POST', `/exams/${noExam.id}/results`, { results: [{ workerId, passed: true }] }),
    );

    expectError(response, 422, 'COURSE_HAS_NO_EXAM');
  });

  test('attendance before the course starts, after it ended, or for a session it does not have is refused', async () => {
    const upcoming = await course({
      startsAt: new Date(Date.now() + 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 7200_000).toISOString(),
    });
    const ended = await course();
    await api.ok(trainer.username, 'POST', `/courses/${ended.id}/actions/end`);
    const running = await course();
    const records = [{ workerId: await surveyedWorker(), present: true }];

    expectError(
      await refused(() =>
        api.send(trainer.username, 'POST', `/courses/${upcoming.id}/attendance`, { session: 1, records }),
      ),
      409,
      'COURSE_NOT_STARTED',
    );
    expectError(
      await refused(() =>
        api.send(trainer.username, 'POST', `/courses/${ended.id}/attendance`, { session: 1, records }),
      ),
      409,
      'COURSE_ENDED',
    );
    const beyond = await refused(() =>
      api.send(trainer.username, 'POST', `/courses/${running.id}/attendance`, { session: 3, records }),
    );
    expectError(beyond, 422, 'VALIDATION_FAILED');
    expect(detailFields(beyond)).toEqual(['session']);
  });

  test('a course with unknown skills, dates out of order, a bad time limit or extra fields is refused', async () => {
    const base = {
      title: '无效课程',
      skills: [skills.a],
      capacity: 3,
      sessions: 2,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ skills: ['no_such_skill'] }, 422, 'SKILL_UNKNOWN', 'skills'],
      [{ exam: { certificate: 'no_such_certificate' } }, 422, 'CERTIFICATE_UNKNOWN', 'exam.certificate'],
      [{ endsAt: new Date(Date.now() - 120_000).toISOString() }, 422, 'COURSE_DATES_INVALID', 'endsAt'],
      [
        { timeLimits: { confirm: { duration: 'P1M', calendar: 'working' } } },
        422,
        'DURATION_INVALID',
        'timeLimits.confirm.duration',
      ],
      [{ fairWithin: 'P90D' }, 422, 'DURATION_INVALID', 'fairWithin'],
      [{ capacity: '30' }, 400, 'VALIDATION_FAILED', 'capacity'],
      [{ capacity: 0 }, 400, 'VALIDATION_FAILED', 'capacity'],
      [{ seatsTaken: 0 }, 400, 'VALIDATION_FAILED', 'seatsTaken'],
    ];
    for (const [patch, status, code, field] of cases) {
      const response = await refused(() => api.send(trainer.username, 'POST', '/courses', { ...base, ...patch }));

      expectError(response, status, code);
      expect(detailFields(response), JSON.stringify(patch)).toEqual([field]);
    }
  });

  test('staff who do not run courses cannot create them or take attendance', async () => {
    const running = await course();

    expectError(
      await refused(() =>
        api.send(officer.username, 'POST', '/courses', {
          title: '就业指导员不能开课',
          skills: [skills.a],
          capacity: 3,
          sessions: 2,
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      ),
      403,
      'ROLE_NOT_ALLOWED',
    );
    expectError(
      await refused(() =>
        api.send(officer.username, 'POST', `/courses/${running.id}/attendance`, {
          session: 1,
          records: [{ workerId: running.id, present: true }],
        }),
      ),
      403,
      'ROLE_NOT_ALLOWED',
    );
    expectError(
      await refused(() => api.send('keqiao_trainer', 'POST', `/courses/${running.id}/actions/end`)),
      404,
      'COURSE_NOT_FOUND',
    );
  });
});

describe('bad input on the job side', () => {
  test('a fair in the past, or outside its course’s window, is refused', async () => {
    const upcoming = await course({ fairWithin: 'P3D' });
    const late = new Date(Date.parse(upcoming.endsAt) + 4 * 86_400_000).toISOString();

    const past = await refused(() =>
      api.send(officer.username, 'POST', '/fairs', {
        title: '过期招聘会',
        heldAt: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    const outside = await refused(() =>
      api.send(officer.username, 'POST', '/fairs', { title: '太晚的专场', heldAt: late, courseId: upcoming.id }),
    );

    expectError(past, 422, 'FAIR_IN_PAST');
    expect(detailFields(past)).toEqual(['heldAt']);
    expectError(outside, 422, 'FAIR_OUTSIDE_WINDOW');
  });

  test('an enterprise with a wrong credit code, or an opening with bad fields, is refused', async () => {
    const enterpriseId = await api.enterprise(officer.username);
    const opening = {
      enterpriseId,
      title: '岗位',
      skills: [skills.a],
      districtId,
      monthlyPayFen: 500_000,
      headcount: 1,
      hours: 'full_time',
    };

    const badCode = await refused(() =>
      api.send(officer.username, 'POST', '/enterprises', {
        name: '校验位错误有限公司',
        creditCode: '91330624MA0000001X',
        unitId: districtId,
      }),
    );
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ districtId: await api.unitOf('xinchang_t1_g1_caseworker') }, 422, 'DISTRICT_INVALID', 'districtId'],
      [{ skills: [skills.a, skills.a] }, 400, 'VALIDATION_FAILED', 'skills'],
      [{ monthlyPayFen: 5000.5 }, 400, 'VALIDATION_FAILED', 'monthlyPayFen'],
      [{ headcount: 0 }, 400, 'VALIDATION_FAILED', 'headcount'],
      [
        { enterpriseId: await api.enterprise('keqiao_employment_officer') },
        422,
        'ENTERPRISE_NOT_FOUND',
        'enterpriseId',
      ],
    ];

    expectError(badCode, 422, 'CREDIT_CODE_INVALID');
    expect(detailFields(badCode)).toEqual(['creditCode']);
    for (const [patch, status, code, field] of cases) {
      const response = await refused(() => api.send(officer.username, 'POST', '/openings', { ...opening, ...patch }));

      expectError(response, status, code);
      expect(detailFields(response), JSON.stringify(patch)).toEqual([field]);
    }
  });

  test('an offer for a filled opening is refused, at the offer and at a placement that comes too late', async () => {
    const fast = await course({ sessions: 1, fairWithin: 'PT1S', timeLimits: quickLimits() });
    const trainees = [await surveyedWorker(), await surveyedWorker()];
    const pipelines = [];
    for (const workerId of trainees) {
      const pipeline = await api.enrol(officer.username, fast.id, workerId);
      await api.act(officer.username, pipeline.id, 'confirm');
      pipelines.push(pipeline.id);
    }
    await api.attend(
      trainer.username,
      fast.id,
      1,
      trainees.map((workerId) => ({ workerId, present: true })),
    );
    await api.ok(trainer.username, 'POST', `/courses/${fast.id}/actions/end`);
    for (const id of pipelines) {
      await api.waitForPipeline(officer.username, id, (p) => p.step === 'matching', 'the fair is held');
    }
    const openingId = await api.opening(officer.username, {
      enterpriseId: await api.enterprise(officer.username),
      skills: [skills.a],
      districtId,
      monthlyPayFen: 500_000,
      headcount: 1,
    });
    const [first, second] = pipelines as [string, string];
    await api.act(officer.username, first, 'record-offer', { openingId });
    await api.act(officer.username, second, 'record-offer', { openingId });
    await api.act(officer.username, first, 'accept-offer');

    const lateAcceptance = await refused(() => api.tryAct(officer.username, second, 'accept-offer'));
    const declined = await api.act(officer.username, second, 'decline-offer', { reason: '岗位已满' });
    const newOffer = await refused(() => api.tryAct(officer.username, second, 'record-offer', { openingId }));

    expectError(lateAcceptance, 409, 'OPENING_FILLED');
    expect(declined.step).toBe('matching');
    expectError(newOffer, 409, 'OPENING_FILLED');
    const opening = await h.db
      .selectFrom('job_opening')
      .select(['placed_count', 'headcount'])
      .where('id', '=', openingId)
      .executeTakeFirstOrThrow();
    expect(opening).toEqual({ placed_count: 1, headcount: 1 });
  });
});

describe('bad input on pipeline actions', () => {
  test('a wrong step, a wrong role, a closed pipeline, a missing reason and another district are refused', async () => {
    const running = await course();
    const pipeline = await api.enrol(officer.username, running.id, await surveyedWorker());
    const other = await api.enrol(officer.username, running.id, await surveyedWorker());
    await api.act(officer.username, other.id, 'withdraw', { reason: '已外出务工' });

    expectError(await refused(() => api.tryAct(officer.username, pipeline.id, 'accept-offer')), 409, 'STEP_MISMATCH');
    expectError(
      await refused(() => api.tryAct(trainer.username, pipeline.id, 'record-offer', { openingId: running.id })),
      403,
      'ROLE_NOT_ALLOWED',
    );
    expectError(await refused(() => api.tryAct(officer.username, other.id, 'confirm')), 409, 'PIPELINE_NOT_OPEN');
    const noReason = await refused(() => api.tryAct(officer.username, pipeline.id, 'withdraw', {}));
    expectError(noReason, 400, 'VALIDATION_FAILED');
    expect(detailFields(noReason)).toEqual(['reason']);
    expectError(
      await refused(() => api.tryAct(officer.username, pipeline.id, 'follow-up', { stillEmployed: 'yes' })),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await refused(() => api.tryAct('keqiao_employment_officer', pipeline.id, 'confirm')),
      404,
      'PIPELINE_NOT_FOUND',
    );
    const noOpening = await refused(() =>
      api.tryAct(officer.username, pipeline.id, 'record-offer', { openingId: running.id }),
    );
    expectError(noOpening, 422, 'OPENING_NOT_FOUND');
    expect(detailFields(noOpening)).toEqual(['openingId']);
  });

  test('a trainee cannot join a course of another district, even when the caller sees both', async () => {
    const running = await course();
    const yuecheng = await api.newWorker('yuecheng_t1_g1_caseworker');
    await api.survey('yuecheng_employment_officer', { workerId: yuecheng, skills: [skills.a] });

    const response = await refused(() =>
      api.send('city_employment_officer', 'POST', `/courses/${running.id}/enrolments`, { workerId: yuecheng }),
    );

    expectError(response, 422, 'WORKER_OUTSIDE_COURSE');
    expect(detailFields(response)).toEqual(['workerId']);
  });

  test('an enrolment repeated with the same Idempotency-Key answers the first result and enrols once', async () => {
    const running = await course();
    const workerId = await surveyedWorker();
    const send = () =>
      h.request('POST', `/courses/${running.id}/enrolments`, {
        token: officer.token,
        body: { workerId },
        headers: { 'idempotency-key': `enrol-${workerId}` },
      });

    const first = await send();
    const second = await refused(send);

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });
});
