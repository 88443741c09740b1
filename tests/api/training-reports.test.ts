import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectError } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, quickLimits, type TrainingApi } from '../support/training-api.js';
import { waitFor } from '../support/wait.js';

/*
 * GET /reports/training over trainees of Shengzhou, which no other test file enrols, so the district's figures are
 * exactly what this file did: four enrolled, three trained, two completed and certified, two placed, one retained.
 */

const OFFICER = 'shengzhou_employment_officer';
const TRAINER = 'shengzhou_trainer';

describe('GET /reports/training', () => {
  let h: Harness;
  let api: TrainingApi;
  let from: string;

  beforeAll(async () => {
    h = await createHarness();
    api = createTrainingApi(h);
    from = new Date(Date.now() - 1000).toISOString();
    const skills = await api.vocabulary();
    const district = await api.unitOf('shengzhou_admin');
    const openingId = await api.opening(OFFICER, {
      enterpriseId: await api.enterprise(OFFICER),
      skills: [skills.a],
      districtId: district,
      monthlyPayFen: 550_000,
      headcount: 5,
    });
    const course = await api.course(TRAINER, {
      skills: [skills.a],
      sessions: 1,
      exam: { certificate: skills.cert },
      fairWithin: 'PT1S',
      timeLimits: quickLimits({ followUp1: 'PT2S', followUp3: 'PT3S' }),
    });
    const enrol = async (caseworker: string) => {
      const workerId = await api.newWorker(caseworker);
      await api.survey(OFFICER, { workerId, skills: [skills.a] });
      return { workerId, pipelineId: (await api.enrol(OFFICER, course.id, workerId)).id };
    };
    const retained = await enrol('shengzhou_t1_g1_caseworker');
    const left = await enrol('shengzhou_t2_g1_caseworker');
    const absent = await enrol('shengzhou_t1_g2_caseworker');
    const declined = await enrol('shengzhou_t1_g1_caseworker');
    await api.act(OFFICER, declined.pipelineId, 'decline');
    for (const trainee of [retained, left, absent]) {
      await api.act(OFFICER, trainee.pipelineId, 'confirm');
    }
    await api.attend(TRAINER, course.id, 1, [
      { workerId: retained.workerId, present: true },
      { workerId: left.workerId, present: true },
      { workerId: absent.workerId, present: false },
    ]);
    await api.ok(TRAINER, 'POST', `/courses/${course.id}/actions/end`);
    for (const trainee of [retained, left]) {
      await api.waitForPipeline(OFFICER, trainee.pipelineId, (p) => p.step === 'exam', 'exam');
    }
    await api.ok(TRAINER, 'POST', `/exams/${course.id}/results`, {
      results: [
        { workerId: retained.workerId, passed: true },
        { workerId: left.workerId, passed: true },
      ],
    });
    for (const [trainee, stillEmployed] of [
      [retained, true],
      [left, false],
    ] as const) {
      await api.waitForPipeline(OFFICER, trainee.pipelineId, (p) => p.step === 'matching', 'matching');
      await api.act(OFFICER, trainee.pipelineId, 'record-offer', { openingId });
      await api.act(OFFICER, trainee.pipelineId, 'accept-offer');
      for (const step of ['followup_1m', 'followup_3m']) {
        await waitFor(
          async () => {
            const answer = await api.tryAct(OFFICER, trainee.pipelineId, 'follow-up', {
              stillEmployed: step === 'followup_1m' || stillEmployed,
            });
            return answer.status === 200;
          },
          { message: `${step} is due`, intervalMs: 300 },
        );
      }
    }
  });

  afterAll(async () => {
    await h?.close();
  });

  const report = (username: string, query: string) => api.ok(username, 'GET', `/reports/training?${query}`);

  test('counts trainees, completions, certificates, fairs, offers, placements and retention, per unit below', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const answer = await report(OFFICER, `from=${from}&to=${to}`);
    const row = (handle: string) =>
      api.unitOf(handle).then((id) => answer.byUnit.find((u: { unitId: string }) => u.unitId === id));

    expect(answer.totals).toEqual({
      trainees: 3,
      completions: 2,
      certificates: 2,
      fairs: 1,
      offers: 2,
      placements: 2,
      followedUpAtThreeMonths: 2,
      retainedAtThreeMonths: 1,
      retentionAtThreeMonthsPct: 50,
    });
    expect(await row('shengzhou_admin')).toMatchObject({ unitName: '嵊州市总工会（本级）', fairs: 1, trainees: 0 });
    expect(await row('shengzhou_t1_caseworker')).toMatchObject({
      trainees: 2,
      completions: 1,
      certificates: 1,
      placements: 1,
      retentionAtThreeMonthsPct: 100,
    });
    expect(await row('shengzhou_t2_caseworker')).toMatchObject({
      trainees: 1,
      completions: 1,
      placements: 1,
      retainedAtThreeMonths: 0,
      retentionAtThreeMonthsPct: 0,
    });
    const city = await report('city_employment_officer', `from=${from}&to=${to}`);
    const shengzhou = city.byUnit.find((u: { unitId: string }) => u.unitId === answer.unitId);
    expect(shengzhou).toEqual({ unitId: answer.unitId, unitName: '嵊州市总工会', ...answer.totals });
  });

  test('a period before any of it counts nothing, and out-of-scope units, bad periods and roles are refused', async () => {
    const earlier = await report(OFFICER, 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z');

    expect(earlier.totals).toMatchObject({ trainees: 0, placements: 0, retentionAtThreeMonthsPct: null });
    expectError(
      await api.send(
        OFFICER,
        'GET',
        `/reports/training?unitId=${await api.unitOf('keqiao_admin')}&from=${from}&to=${from}`,
      ),
      404,
      'UNIT_NOT_FOUND',
    );
    expectError(await api.send(OFFICER, 'GET', `/reports/training?from=${from}&to=${from}`), 422, 'VALIDATION_FAILED');
    expectError(
      await api.send('shengzhou_caseworker', 'GET', `/reports/training?from=${from}&to=${from}`),
      403,
      'ROLE_NOT_ALLOWED',
    );
  });
});
