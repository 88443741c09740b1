import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomIdNumber, randomPhone, uniqueSuffix } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTrainingApi, quickLimits, type TrainingApi } from '../support/training-api.js';
import {
  type Browser,
  ensureConsoleBuilt,
  launchBrowser,
  menuLink,
  screenshot,
  signInThroughConsole,
  watchPageErrors,
} from './browser.js';

/*
 * The training area of the staff console (培训: 课程, 学员, 报表) in headless Chromium against the real API,
 * Temporal and PostgreSQL. This file owns training in 诸暨市 (zhuji): its course is run by `zhuji_trainer`, its
 * trainees belong to the grassroots unions of Zhuji's second township (`zhuji_t2_g1`, `zhuji_t2_g2`), and the
 * officer is `zhuji_employment_officer`; no other file enrols trainees or holds fairs there, so the report's
 * Zhuji figures are this file's alone. Skills are created per run; the course's own time limits (not a global
 * policy) are seconds for the fair and placement, so a trainee turns stalled while the test watches.
 */

const PASSWORD = 'Demo@2026';
const OFFICER = 'zhuji_employment_officer';
const TRAINER = 'zhuji_trainer';

interface Trainee {
  name: string;
  workerId: string;
  pipelineId: string;
}

describe('training pages of the staff console', () => {
  let harness: Harness;
  let api: TrainingApi;
  let browser: Browser;
  let baseUrl: string;
  let skills: Awaited<ReturnType<TrainingApi['vocabulary']>>;
  let course: { id: string; title: string };
  let enterpriseName: string;
  let goodOpening: string;
  let trainees: { placed: Trainee; failed: Trainee; absent: Trainee };
  let townshipName: string;

  beforeAll(async () => {
    ensureConsoleBuilt();
    harness = await createHarness({ listen: true });
    api = createTrainingApi(harness);
    baseUrl = harness.baseUrl!;
    browser = await launchBrowser();
    skills = await api.vocabulary();
    await courseWithConfirmedTrainees();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  /** A named worker of a Zhuji grassroots union (the caseworker's), surveyed: wishing for 5,000 yuan a month. */
  async function surveyedWorker(name: string, caseworker: string): Promise<string> {
    const worker = await api.ok(
      caseworker,
      'POST',
      '/workers',
      {
        name,
        idNumber: randomIdNumber(),
        phone: randomPhone(),
        unitId: await api.unitOf(caseworker),
        hardshipStatus: 'none',
      },
      201,
    );
    await api.survey(OFFICER, { workerId: worker.id, skills: [skills.a], wishedMonthlyPayFen: 500_000 });
    return worker.id as string;
  }

  /** A surveyed worker enrolled on the course through the API, the seat confirmed. */
  async function trainee(name: string, caseworker: string, courseId: string): Promise<Trainee> {
    const workerId = await surveyedWorker(name, caseworker);
    const pipeline = await api.enrol(OFFICER, courseId, workerId);
    await api.act(OFFICER, pipeline.id, 'confirm');
    return { name, workerId, pipelineId: pipeline.id };
  }

  /**
   * Through the API: an enterprise with a well-paid and a poorly paid opening for the course's skill, a running
   * course of one session with an exam, two trainees with confirmed seats and a third worker surveyed. The first
   * test enrols the third through the console; the trainer takes it from there in the second: one trainee misses
   * the session, one passes, one fails twice.
   */
  async function courseWithConfirmedTrainees() {
    const districtId = await api.unitOf('zhuji_admin');
    const enterpriseId = await api.enterprise(OFFICER);
    const enterprise = await api.ok(OFFICER, 'GET', '/enterprises?limit=500');
    enterpriseName = (enterprise.items as { id: string; name: string }[]).find((e) => e.id === enterpriseId)!.name;
    goodOpening = await api.opening(OFFICER, {
      enterpriseId,
      title: '数控焊工',
      skills: [skills.a],
      districtId,
      monthlyPayFen: 650_000,
      headcount: 2,
    });
    await api.opening(OFFICER, {
      enterpriseId,
      title: '焊接学徒',
      skills: [skills.a],
      districtId,
      monthlyPayFen: 400_000,
    });
    const created = await api.course(TRAINER, {
      title: `焊工培训班（诸暨${uniqueSuffix(2)}）`,
      skills: [skills.a],
      capacity: 3,
      sessions: 1,
      exam: { certificate: skills.cert },
      openingIds: [goodOpening],
      fairWithin: 'PT2S',
      timeLimits: quickLimits({ placement: 'PT4S' }),
    });
    course = { id: created.id, title: created.title };
    trainees = {
      placed: await trainee('周晓梅', 'zhuji_t2_g1_caseworker', course.id),
      failed: await trainee('钱志强', 'zhuji_t2_g2_caseworker', course.id),
      absent: { name: '孙丽华', workerId: await surveyedWorker('孙丽华', 'zhuji_t2_g1_caseworker'), pipelineId: '' },
    };
    const units = await api.ok(OFFICER, 'GET', '/org-units?limit=500');
    const townshipId = await api.unitOf('zhuji_t2_caseworker');
    townshipName = (units.items as { id: string; name: string }[]).find((u) => u.id === townshipId)!.name;
  }

  /** The roster's step of each trainee, by name. */
  async function rosterSteps(page: Page): Promise<Record<string, string>> {
    const roster = page.getByTestId('roster');
    return Object.fromEntries(
      await Promise.all(
        Object.values(trainees).map(async (t) => [
          t.name,
          await roster.locator(`tr[data-pipeline-id="${t.pipelineId}"] [data-testid="roster-step"]`).innerText(),
        ]),
      ),
    );
  }

  test('an officer enrols a surveyed worker from the course page, and the seat waits for the trainee', async () => {
    const { page, errors } = await signedInOfficer();
    await page.goto(`${baseUrl}/console/training/courses/${course.id}`);
    await page.getByRole('heading', { name: course.title }).waitFor();
    await page.getByTestId('course-actions').getByRole('button', { name: '报名学员' }).click();
    const form = page.locator('form[data-form="enrol"]');
    const choice = form.locator('select[name="workerId"]');
    await choice.waitFor();
    const offered = await choice
      .locator('option')
      .evaluateAll((options) => options.map((o) => o.getAttribute('value')));
    await choice.selectOption(trainees.absent.workerId);
    await screenshot(page, 'training', 'course-enrol');
    await form.getByRole('button', { name: '确认报名' }).click();
    await form.waitFor({ state: 'detached' });
    const notice = await page.getByRole('status').filter({ hasText: '报名' }).innerText();
    const row = page.getByTestId('roster').locator('tbody tr').filter({ hasText: trainees.absent.name });
    const seat = await row.locator('td[data-label="名额"]').innerText();
    trainees.absent.pipelineId = (await row.getAttribute('data-pipeline-id')) ?? '';
    const stored = await api.pipeline(OFFICER, trainees.absent.pipelineId);

    expect(offered).toContain(trainees.absent.workerId);
    expect(offered).not.toContain(trainees.placed.workerId);
    expect(offered).not.toContain(trainees.failed.workerId);
    expect(notice).toBe('已为孙丽华报名：名额已保留，待学员确认。');
    expect(seat).toBe('待确认');
    expect([stored.workerId, stored.step, stored.seat]).toEqual([trainees.absent.workerId, 'confirm', 'offered']);
    expect(errors).toEqual([]);
    await page.close();
    await api.act(OFFICER, trainees.absent.pipelineId, 'confirm');
  });

  test('the trainer takes the register, ends the course and records the exam and its retake', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signInThroughConsole(page, baseUrl, TRAINER, PASSWORD);
    await page.getByRole('link', { name: course.title }).click();
    await page.getByRole('heading', { name: course.title }).waitFor();
    const actions = page.getByTestId('course-actions');
    const offered = await actions.locator('.action-buttons button').allInnerTexts();

    await actions.getByRole('button', { name: '登记考勤' }).click();
    const register = page.locator('form[data-form="attendance"]');
    await register.getByLabel(trainees.absent.name).uncheck();
    await screenshot(page, 'training', 'course-attendance');
    await register.getByRole('button', { name: '确认登记考勤' }).click();
    await register.waitFor({ state: 'detached' });
    const attended = await page.getByRole('status').filter({ hasText: '已登记' }).innerText();
    // The roster reloads after the notice shows: wait for the second trainee present before reading it.
    await page.getByTestId('roster').locator('td[data-label="出勤"]', { hasText: '1/1' }).nth(1).waitFor();
    const attendance = await page
      .getByTestId('roster')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.querySelector('td[data-label="出勤"]')?.textContent));

    expect(offered).toEqual(['报名学员', '登记考勤', '提前结课']);
    expect(attended).toBe('第 1 次课考勤已登记：出勤 2 人，缺勤 1 人。');
    expect([...attendance].sort()).toEqual(['0/1', '1/1', '1/1']);

    await actions.getByRole('button', { name: '提前结课' }).click();
    await page.getByRole('button', { name: '确认结课' }).click();
    await page.getByRole('status').filter({ hasText: '课程已结束' }).waitFor();
    for (const t of [trainees.placed, trainees.failed]) {
      await api.waitForPipeline(TRAINER, t.pipelineId, (p) => p.step === 'exam', `${t.name} waits for the exam`);
    }
    await page.reload();
    await actions.getByRole('button', { name: '登记考试成绩' }).click();
    const exam = page.locator('form[data-form="exam"]');
    const listed = await exam.locator('label').allInnerTexts();
    await exam.getByLabel(trainees.placed.name).selectOption('pass');
    await exam.getByLabel(trainees.failed.name).selectOption('fail');
    await screenshot(page, 'training', 'course-exam');
    await exam.getByRole('button', { name: '确认登记成绩' }).click();
    await exam.waitFor({ state: 'detached' });
    const firstSitting = await page.getByRole('status').filter({ hasText: '已登记' }).innerText();

    expect(listed.map((text) => text.split('\n')[0])).toEqual([trainees.placed.name, trainees.failed.name]);
    expect(firstSitting).toBe('考试成绩已登记：合格 1 人，不合格 1 人，其中 1 人转入补考。');

    await actions.getByRole('button', { name: '登记考试成绩' }).click();
    await exam.getByLabel(`${trainees.failed.name}（补考）`).selectOption('fail');
    await exam.getByRole('button', { name: '确认登记成绩' }).click();
    await exam.waitFor({ state: 'detached' });
    const retake = await page.getByRole('status').filter({ hasText: '已登记' }).innerText();
    for (const t of [trainees.placed, trainees.failed]) {
      await api.waitForPipeline(TRAINER, t.pipelineId, (p) => p.step === 'matching', `${t.name} reaches matching`);
    }
    await page.reload();
    await page.getByTestId('roster').waitFor();
    const steps = await rosterSteps(page);
    const left = await actions.count();
    const stored = await api.pipeline(TRAINER, trainees.placed.pipelineId);

    expect(retake).toBe('考试成绩已登记：合格 0 人，不合格 1 人。');
    expect(steps).toEqual({ 周晓梅: '求职对接', 钱志强: '求职对接', 孙丽华: '出勤不足未结业' });
    expect(stored.certified).toBe(true);
    // Nothing is left for the trainer on an ended course whose exams are all in.
    expect(left).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  async function signedInOfficer(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signInThroughConsole(page, baseUrl, OFFICER, PASSWORD);
    return { page, errors };
  }

  test('an officer opens the course, sees its trainees and fair, and records an offer from the ranked openings', async () => {
    const { page, errors } = await signedInOfficer();

    await menuLink(page, '课程', '培训').click();
    await page.getByRole('link', { name: course.title }).click();
    await page.getByRole('heading', { name: course.title }).waitFor();
    const roster = page.getByTestId('roster');
    await roster.waitFor();
    await page.getByTestId('fair-enterprises').waitFor();
    await page.getByTestId('linked-openings').waitFor();
    const steps = await rosterSteps(page);
    const facts = await page.getByTestId('course-facts').innerText();
    const fair = await page.getByTestId('fair').innerText();
    const linked = await page.getByTestId('linked-openings').innerText();
    const officerActions = await page.getByTestId('course-actions').count();
    await screenshot(page, 'training', 'course');

    expect(steps).toEqual({ 周晓梅: '求职对接', 钱志强: '求职对接', 孙丽华: '出勤不足未结业' });
    expect(facts).toContain('共 3 个，已占 3 个（已确认 3，待确认 0），余 0 个');
    expect(facts).toContain(`有，合格颁发「执照${skills.tag}」（可补考一次）`);
    expect(facts).toContain(`焊接${skills.tag}`);
    expect(fair).toContain('结课时自动安排');
    expect(fair).toContain(enterpriseName);
    expect(linked).toContain(`${enterpriseName} · 数控焊工（6,500.00 元/月，已录用 0/2）`);
    // The course has ended: nothing is left for anyone to do on it.
    expect(officerActions).toBe(0);

    await roster.getByRole('link', { name: trainees.placed.name }).click();
    await page.getByRole('heading', { name: `${trainees.placed.name} · ${course.title}` }).waitFor();
    const matches = page.getByTestId('matches');
    await matches.waitFor();
    const first = await matches.locator('li.match').first().innerText();
    const openings = await matches
      .locator('li.match')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-opening-id')));
    const buttons = await page.getByTestId('actions').locator('button[data-action]').allInnerTexts();
    const stepBefore = await page.getByTestId('pipeline-step').innerText();
    await screenshot(page, 'training', 'trainee-matching');

    expect(stepBefore).toBe('求职对接');
    expect(openings[0]).toBe(goodOpening);
    expect(openings).toHaveLength(2);
    expect(first).toContain(`1. ${enterpriseName} · 数控焊工`);
    expect(first).toContain(`技能匹配 1/1（焊接${skills.tag}）`);
    expect(first).toContain('达到期望');
    expect(buttons).toEqual(['登记录用意向', '退出']);

    await matches.locator(`li[data-opening-id="${goodOpening}"]`).getByRole('button').click();
    const form = page.locator('form[data-form="record-offer"]');
    expect(await form.locator('select[name="openingId"]').inputValue()).toBe(goodOpening);
    await form.getByRole('button', { name: '确认登记录用意向' }).click();
    await page.getByRole('status').filter({ hasText: '已完成「登记录用意向」' }).waitFor();
    const stepAfter = await page.getByTestId('pipeline-step').innerText();
    const offers = await page.getByTestId('offers').innerText();
    const buttonsAfter = await page.getByTestId('actions').locator('button[data-action]').allInnerTexts();
    await screenshot(page, 'training', 'trainee-offer');
    const stored = await api.pipeline(OFFICER, trainees.placed.pipelineId);

    expect(stepAfter).toBe('待答复录用');
    expect(offers).toContain(`${enterpriseName} · 数控焊工`);
    expect(offers).toContain('待答复');
    expect(buttonsAfter).toEqual(['接受录用并上岗', '拒绝录用', '退出']);
    expect(stored.step).toBe('offer');
    expect(stored.offers.map((o) => [o.openingId, o.status])).toEqual([[goodOpening, 'pending']]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the stalled filter shows a trainee whose placement is late first, highlighted', async () => {
    await api.waitForPipeline(OFFICER, trainees.failed.pipelineId, (p) => p.stalled, 'no job within the limit');
    const { page, errors } = await signedInOfficer();

    await menuLink(page, '学员', '培训').click();
    await page.getByTestId('pipelines').waitFor();
    await page.getByLabel('只看停滞的').check();
    await page.waitForURL(/stalled=true/);
    const row = page.locator(`tr[data-pipeline-id="${trainees.failed.pipelineId}"]`);
    await row.waitFor();
    const rowText = await row.innerText();
    const rowClass = await row.getAttribute('class');
    const states = await page
      .locator('[data-testid="pipelines"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stalled')));
    await screenshot(page, 'training', 'trainees-stalled');
    const stalled = await api.ok(OFFICER, 'GET', `/pipelines?stalled=true&courseId=${course.id}`);

    expect(rowText).toContain(trainees.failed.name);
    expect(rowText).toContain(course.title);
    expect(rowText).toContain('求职对接');
    expect(rowText).toMatch(/已超时 (不到 1 分钟|\d+ 分钟)/);
    expect(rowText).toContain('停滞已督办');
    expect(rowClass).toContain('row-stalled');
    expect(states.every((state) => state === 'true')).toBe(true);
    expect((stalled.items as { id: string }[]).map((p) => p.id)).toContain(trainees.failed.pipelineId);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("the report shows the figures of the trainees' township and of the district itself", async () => {
    const { page, errors } = await signedInOfficer();
    const townshipId = await api.unitOf('zhuji_t2_caseworker');
    const districtId = await api.unitOf('zhuji_admin');

    await menuLink(page, '报表', '培训').click();
    const township = page.locator(`[data-testid="training-by-unit"] tr[data-unit-id="${townshipId}"]`);
    await township.waitFor();
    const cells = await township.locator('td').allInnerTexts();
    const own = await page
      .locator(`[data-testid="training-by-unit"] tr[data-unit-id="${districtId}"]`)
      .locator('td')
      .allInnerTexts();
    const chart = await page.locator('figure.chart svg').first().getAttribute('aria-label');
    const totals = await page.getByTestId('training-totals').innerText();
    await screenshot(page, 'training', 'report');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const report = await api.ok(
      OFFICER,
      'GET',
      `/reports/training?from=${today.slice(0, 4)}-01-01T00:00:00%2B08:00&to=${today}T23:59:59%2B08:00`,
    );

    // 学员 3 (all confirmed), 结业 2 (one missed the session), 证书 1 (one failed twice), no fair of its own,
    // 录用意向 1 (recorded in the first test), 上岗 0, no three-month follow-up yet.
    expect(cells).toEqual([townshipName, '3', '2', '1', '0', '1', '0', '—']);
    expect(own[4]).toBe('1');
    for (const [label, key] of [
      ['培训学员', 'trainees'],
      ['结业', 'completions'],
      ['上岗', 'placements'],
    ] as const) {
      expect(totals).toContain(`${String(report.totals[key])}\n${label}`);
    }
    expect(chart).toContain(`培训学员：人数 ${String(report.totals.trainees)}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('an action that no longer fits shows the API refusal in its words', async () => {
    const { page, errors } = await signedInOfficer();
    await page.goto(`${baseUrl}/console/training/trainees/${trainees.failed.pipelineId}`);
    await page.getByTestId('matches').waitFor();
    await page.getByTestId('actions').getByRole('button', { name: '登记录用意向' }).click();
    await api.act(OFFICER, trainees.failed.pipelineId, 'withdraw', { reason: '已自行找到工作' });

    const form = page.locator('form[data-form="record-offer"]');
    await form.locator('select[name="openingId"]').selectOption(goodOpening);
    await form.getByRole('button', { name: '确认登记录用意向' }).click();
    const banner = await page.getByRole('alert').innerText();
    await screenshot(page, 'training', 'trainee-refused');

    expect(banner).toBe('该学员的培训就业流程已结束，不能再办理');
    expect(errors).toEqual([]);
    await page.close();
  });
});
