import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, quickLimits, type PipelineBody, type TrainingApi } from '../support/training-api.js';

/*
 * Stalled trainees and lapsing offers, with limits of seconds. The seeds give Keqiao an employment officer at the
 * district only and Yuecheng one at its first township as well, so the nearest officer upwards differs.
 */

describe('stalled trainees and lapsing offers', () => {
  let h: Harness;
  let api: TrainingApi;
  let skill: string;

  beforeAll(async () => {
    h = await createHarness();
    api = createTrainingApi(h);
    skill = (await api.vocabulary()).b;
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A trainee of the caseworker's union, through a city course that ended, at matching after its fair. */
  async function traineeAtMatching(caseworker: string, officer: string, limits: Record<string, string>) {
    const workerId = await api.newWorker(caseworker);
    await api.survey(officer, { workerId, skills: [skill] });
    const course = await api.course('trainer', {
      skills: [skill],
      sessions: 1,
      fairWithin: 'PT1S',
      timeLimits: quickLimits(limits),
    });
    const pipeline = await api.enrol(officer, course.id, workerId);
    await api.act(officer, pipeline.id, 'confirm');
    await api.attend('trainer', course.id, 1, [{ workerId, present: true }]);
    await api.ok('trainer', 'POST', `/courses/${course.id}/actions/end`);
    await api.waitForPipeline(officer, pipeline.id, (p) => p.step === 'matching', 'the fair is held');
    return pipeline.id;
  }

  async function escalationsFor(username: string, pipelineId: string) {
    const answer = await api.ok(username, 'GET', '/notifications?limit=500');
    return (answer.items as { kind: string; unitId: string; data: { pipelineId?: string; step?: string } }[])
      .filter((n) => n.data.pipelineId === pipelineId)
      .map((n) => ({ kind: n.kind, unitId: n.unitId, step: n.data.step }));
  }

  const stalledIds = async (username: string) =>
    ((await api.ok(username, 'GET', '/pipelines?stalled=true&limit=500')).items as PipelineBody[]).map((p) => p.id);

  test('no placement within the limit after the fair escalates once to the nearest employment officer upwards', async () => {
    const keqiao = await traineeAtMatching('keqiao_t1_g1_caseworker', 'keqiao_employment_officer', {
      placement: 'PT3S',
    });
    const yuecheng = await traineeAtMatching('yuecheng_t1_g1_caseworker', 'yuecheng_employment_officer', {
      placement: 'PT3S',
    });

    const stalled = await api.waitForPipeline('keqiao_employment_officer', keqiao, (p) => p.stalled, 'escalation');
    const stalledToo = await api.waitForPipeline(
      'yuecheng_employment_officer',
      yuecheng,
      (p) => p.stalled,
      'escalation',
    );
    await delay(4_000);
    const later = await api.pipeline('keqiao_employment_officer', keqiao);

    expect([stalled.step, stalled.escalatedUnitId]).toEqual(['matching', await api.unitOf('keqiao_admin')]);
    expect(stalledToo.escalatedUnitId).toBe(await api.unitOf('yuecheng_t1_employment_officer'));
    expect(stalled.timeline.at(-1)?.description).toBe('「求职对接」超过时限未推进，已督办至就业指导员');
    expect(later.timeline.filter((e) => e.kind === 'escalated')).toHaveLength(1);
    expect(await escalationsFor('keqiao_employment_officer', keqiao)).toEqual([
      { kind: 'training_escalation', unitId: await api.unitOf('keqiao_admin'), step: 'matching' },
    ]);
    expect(await escalationsFor('yuecheng_t1_employment_officer', yuecheng)).toHaveLength(1);
    expect(await escalationsFor('yuecheng_employment_officer', yuecheng)).toEqual([]);
    expect(await stalledIds('keqiao_employment_officer')).toContain(keqiao);
    expect(await stalledIds('keqiao_employment_officer')).not.toContain(yuecheng);
    expect(await stalledIds('city_employment_officer')).toEqual(expect.arrayContaining([keqiao, yuecheng]));
    const unseen = await api.send('keqiao_employment_officer', 'GET', `/pipelines/${yuecheng}`);
    expect([unseen.status, unseen.body.error.code]).toEqual([404, 'PIPELINE_NOT_FOUND']);
  });

  test('an offer left unanswered lapses back to matching, also across a worker restart', async () => {
    const officer = 'keqiao_employment_officer';
    const pipelineId = await traineeAtMatching('keqiao_t2_g1_caseworker', officer, { offerAnswer: 'PT3S' });
    const enterpriseId = await api.enterprise(officer);
    const openingId = await api.opening(officer, {
      enterpriseId,
      skills: [skill],
      districtId: await api.unitOf('keqiao_admin'),
      monthlyPayFen: 500_000,
    });
    const offered = await api.act(officer, pipelineId, 'record-offer', { openingId });
    expect(offered.step).toBe('offer');

    await h.stopWorker();
    await delay(4_000);
    await h.startWorker();
    const lapsed = await api.waitForPipeline(officer, pipelineId, (p) => p.step === 'matching', 'the offer lapses');
    await delay(1_000);

    expect(lapsed.offers.map((o) => [o.openingId, o.status])).toEqual([[openingId, 'lapsed']]);
    expect(lapsed.timeline.filter((e) => e.kind === 'offer_lapsed')).toHaveLength(1);
    expect((await api.pipeline(officer, pipelineId)).timeline.filter((e) => e.kind === 'offer_lapsed')).toHaveLength(1);
    const again = await api.act(officer, pipelineId, 'record-offer', { openingId });
    expect(again.offers.map((o) => o.status)).toEqual(['lapsed', 'pending']);
  });
});
