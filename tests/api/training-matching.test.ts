import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectError } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, type TrainingApi } from '../support/training-api.js';

/** GET /matches: a trainee's openings ranked, with the reasons for each, as each officer may see them. */

interface MatchItem {
  rank: number;
  openingId: string;
  score: number;
  reasons: string[];
  reason: string;
}

describe('GET /matches', () => {
  let h: Harness;
  let api: TrainingApi;
  let skills: Awaited<ReturnType<TrainingApi['vocabulary']>>;
  let trainee: string;
  const openings: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness();
    api = createTrainingApi(h);
    skills = await api.vocabulary();
    const keqiao = await api.unitOf('keqiao_admin');
    const yuecheng = await api.unitOf('yuecheng_admin');
    const keqiaoFirm = await api.enterprise('keqiao_employment_officer');
    const yuechengFirm = await api.enterprise('yuecheng_employment_officer');
    const post = (name: string, officer: string, body: Record<string, unknown>) =>
      api.opening(officer, body).then((id) => (openings[name] = id));
    await post('best', 'keqiao_employment_officer', {
      enterpriseId: keqiaoFirm,
      skills: [skills.a, skills.c],
      districtId: keqiao,
      monthlyPayFen: 700_000,
    });
    await post('wished', 'keqiao_employment_officer', {
      enterpriseId: keqiaoFirm,
      skills: [skills.a, skills.b],
      districtId: yuecheng,
      monthlyPayFen: 650_000,
    });
    await post('needsCertificate', 'keqiao_employment_officer', {
      enterpriseId: keqiaoFirm,
      skills: [skills.a],
      certificate: skills.cert,
      districtId: keqiao,
      monthlyPayFen: 500_000,
    });
    await post('partTime', 'keqiao_employment_officer', {
      enterpriseId: keqiaoFirm,
      skills: [skills.a, skills.c],
      districtId: keqiao,
      monthlyPayFen: 900_000,
      hours: 'part_time',
    });
    await post('otherDistrict', 'yuecheng_employment_officer', {
      enterpriseId: yuechengFirm,
      skills: [skills.a, skills.c],
      districtId: yuecheng,
      monthlyPayFen: 900_000,
    });
    trainee = await api.newWorker('keqiao_t1_g1_caseworker');
    await api.survey('keqiao_employment_officer', {
      workerId: trainee,
      skills: [skills.a, skills.c],
      wishedSkills: [skills.b],
      hours: ['full_time', 'shifts'],
      wishedMonthlyPayFen: 600_000,
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  const matches = async (username: string, query = '') =>
    api.ok(username, 'GET', `/matches?traineeId=${trainee}${query}`) as Promise<{
      traineeId: string;
      items: MatchItem[];
      nextCursor: string | null;
    }>;

  test('ranks the obvious best opening first and says why each opening ranks where it does', async () => {
    const answer = await matches('keqiao_employment_officer');
    const t = skills.tag;

    expect(answer.items.map((m) => [m.rank, m.openingId, m.score])).toEqual([
      [1, openings.best, 75],
      [2, openings.wished, 45],
      [3, openings.needsCertificate, 30],
    ]);
    expect(answer.items.map((m) => m.reasons)).toEqual([
      [`技能匹配 2/2（焊接${t}、烹饪${t}）`, '同在柯桥区', '月薪 7000 元，达到期望 6000 元', '全职，符合工时要求'],
      [
        `技能匹配 1/2（焊接${t}）`,
        `符合求职意向（无人机${t}）`,
        '岗位在越城区',
        '月薪 6500 元，达到期望 6000 元',
        '全职，符合工时要求',
      ],
      [
        `技能匹配 1/1（焊接${t}）`,
        `缺少岗位要求的执照${t}`,
        '同在柯桥区',
        '月薪 5000 元，低于期望 6000 元',
        '全职，符合工时要求',
      ],
    ]);
    expect(answer.items[0]!.reason).toBe(answer.items[0]!.reasons.join('；'));
    expect(answer.nextCursor).toBeNull();
  });

  test('shows each officer only the openings of their own subtree and of the units above', async () => {
    const city = await matches('city_employment_officer');

    expect(city.items.map((m) => m.openingId)).toEqual([
      openings.best,
      openings.otherDistrict,
      openings.wished,
      openings.needsCertificate,
    ]);
    expect(city.items.map((m) => m.openingId)).not.toContain(openings.partTime);
  });

  test('pages through the ranking with limit and cursor', async () => {
    const first = await matches('keqiao_employment_officer', '&limit=2');
    const second = await matches('keqiao_employment_officer', `&limit=2&cursor=${first.nextCursor}`);

    expect(first.items.map((m) => m.rank)).toEqual([1, 2]);
    expect(second.items.map((m) => [m.rank, m.openingId])).toEqual([[3, openings.needsCertificate]]);
    expect(second.nextCursor).toBeNull();
  });

  test('refuses a trainee outside the caller’s subtree, one without a survey, and roles that do not match', async () => {
    const unsurveyed = await api.newWorker('keqiao_t1_g1_caseworker');

    expectError(
      await api.send('yuecheng_employment_officer', 'GET', `/matches?traineeId=${trainee}`),
      404,
      'TRAINEE_NOT_FOUND',
    );
    expectError(
      await api.send('keqiao_employment_officer', 'GET', `/matches?traineeId=${unsurveyed}`),
      422,
      'SURVEY_REQUIRED',
    );
    expectError(await api.send('keqiao_caseworker', 'GET', `/matches?traineeId=${trainee}`), 403, 'ROLE_NOT_ALLOWED');
    const audited = await h.db
      .selectFrom('audit_log')
      .select(['action', 'outcome'])
      .where('target_id', '=', trainee)
      .where('action', '=', 'match.read')
      .execute();
    expect(audited.map((row) => row.outcome)).toEqual(expect.arrayContaining(['ok', 'denied']));
  });
});
