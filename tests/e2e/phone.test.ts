import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, signIn } from '../support/api-fixtures.js';
import { createCaseApi, type CaseApi } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { CapturingSmsSender, registerMember, type PortalMember } from '../support/portal.js';
import { createStation, stationBody, unitId } from '../support/station-api.js';
import { ensureConsoleBuilt, launchBrowser, screenshot, watchPageErrors, type Browser } from './browser.js';

/*
 * The workers' phone page (/m/) in headless Chromium on a 375x812 phone, against the real API (listening on a real
 * port), Temporal and PostgreSQL (issue 8): a worker signs in with a one-time code, applies, watches the case move
 * as staff act on it through the API, finds the payment in records and the warm-heart list, reads the policies and
 * looks up the nearest open stations by the phone's position. Every page must fit 375 pixels.
 * Isolation: this file owns 府山街道's second grassroots union (yuecheng_t2_g2), where it registers its own worker
 * and opens only that worker's ('medical', 'normal') self-application, which the township (yuecheng_t2) approves.
 * It changes no time-limit policy. Its stations belong to yuecheng_t2_g2 and lie near 29.80 N 121.05 E, a spot no
 * seeded station and no other file's station is near. Tests run in order on one worker, signed in on one tab.
 */

const SPOT = { latitude: 29.8, longitude: 121.05 };
const GRASSROOTS_STAFF = 'yuecheng_t2_g2_caseworker';
const TOWNSHIP_STAFF = 'yuecheng_t2_caseworker';
const UNION = '绍兴府山文旅服务有限公司工会';
const digits = String(randomInt(10_000_000, 100_000_000));
const description = `本人住院手术，自付医疗费用较多，家庭生活困难 ${digits}`;

/** Timeline lines, without lines about holiday-calendar changes another file may make while this one runs. */
const linesOf = async (page: Page) =>
  (await page.getByTestId('timeline').locator('li > div:last-child').allInnerTexts()).filter(
    (line) => !line.startsWith('因节假日安排调整'),
  );

/** The page's width as laid out, and every element that reaches past the right or left edge of the screen. */
const OVERFLOW = `(() => {
  const width = document.documentElement.clientWidth;
  const outside = [...document.querySelectorAll('body *')]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
    })
    .map((element) => element.tagName.toLowerCase() + '.' + (element.getAttribute('class') ?? ''));
  return { scrollWidth: document.documentElement.scrollWidth, outside };
})()`;

describe('workers’ phone page on a 375-pixel phone', () => {
  const sms = new CapturingSmsSender();
  let harness: Harness;
  let api: CaseApi;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let errors: string[];
  let member: PortalMember;
  let caseId: string;
  let caseNumber: string;

  /** Saves the page and checks that nothing on it is wider than the phone. */
  async function shoot(name: string) {
    await page.waitForLoadState('networkidle');
    const fit = await page.evaluate<{ scrollWidth: number; outside: string[] }>(OVERFLOW);
    await screenshot(page, 'phone', name);
    expect(fit.outside, `${name}: elements past the screen edge`).toEqual([]);
    expect(fit.scrollWidth, `${name}: page width`).toBeLessThanOrEqual(375);
  }

  beforeAll(async () => {
    ensureConsoleBuilt();
    harness = await createHarness({ listen: true, smsSender: sms });
    api = createCaseApi(harness);
    baseUrl = harness.baseUrl!;
    member = await registerMember(harness, await api.token(GRASSROOTS_STAFF), {
      unitId: await api.unitOf(GRASSROOTS_STAFF),
      hardshipStatus: 'registered',
    });
    const admin = await signIn(harness, 'admin', ADMIN_PASSWORD);
    const owner = unitId('yuecheng_t2_g2');
    for (const [name, north] of [
      ['府山测试驿站（远）', 0.012],
      ['府山测试驿站（近）', 0.003],
      ['府山测试驿站（五公里外）', 0.06],
    ] as const) {
      await createStation(
        harness,
        admin.token,
        stationBody(owner, {
          name,
          type: '24h',
          hours: undefined,
          latitude: SPOT.latitude + north,
          longitude: SPOT.longitude,
          address: `越城区府山测试路 ${Math.round(north * 1000)} 号`,
        }),
      );
    }
    browser = await launchBrowser({ phone: true, geolocation: SPOT });
    page = await browser.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test('the home page offers the five functions and the nearest station; the worker signs in with a code', async () => {
    await page.goto(`${baseUrl}/m/`);
    await page.getByRole('heading', { name: '越温暖 · 职工服务' }).waitFor();
    const tiles = await page.locator('.tile-label').allInnerTexts();
    await shoot('home');
    await page.getByRole('link', { name: '手机号登录' }).click();
    await page.getByLabel('手机号').fill(member.phone);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByLabel('验证码').waitFor();
    await shoot('login-code');
    await page.getByLabel('验证码').fill(sms.lastCode(member.phone));
    await page.getByRole('button', { name: '登录', exact: true }).click();
    const empty = await page.locator('.empty').innerText();
    await shoot('progress-empty');

    expect(tiles).toEqual(['自主申报', '进度详情', '帮扶记录', '政策清单', '暖心清单', '附近驿站']);
    expect(sms.messagesTo(member.phone)).toHaveLength(1);
    expect(empty).toBe('您还没有帮扶申请。');
    expect(await page.getByRole('button', { name: '退出' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  test('an empty description is stopped and a blank one shows the API’s words, without opening a case', async () => {
    await page.goto(`${baseUrl}/m/apply`);
    await page.getByRole('button', { name: '提交申请' }).click();
    const missing = await page.evaluate<boolean>(
      "document.querySelector('textarea[name=description]').validity.valueMissing",
    );
    await page.getByLabel('情况说明').fill('   ');
    await page.getByRole('button', { name: '提交申请' }).click();
    const banner = page.getByRole('alert');
    await banner.waitFor();
    const words = await banner.innerText();
    const code = await banner.getAttribute('data-code');
    await shoot('apply-blank');
    const token = await page.evaluate<string | null>("sessionStorage.getItem('yue-worker-token')");
    const answer = await harness.request('POST', '/portal/applications', {
      token: token!,
      body: { category: 'medical', description: '   ' },
    });
    const cases = await harness.request('GET', '/portal/cases', { token: token! });

    expect(missing).toBe(true);
    expect(answer.status).toBe(400);
    expect(code).toBe('VALIDATION_FAILED');
    expect(words).toBe(answer.body.error.message);
    expect(words).toBe('请求参数有误：description：不能只有空白，请写明遇到的困难');
    expect(cases.body.items).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('the worker corrects the refused form, applies and sees the new case, its step and the union handling it', async () => {
    // The very form the blank description was refused on: the corrected submission is a new request, so it must
    // not be answered with the refusal stored under the first attempt's Idempotency-Key.
    expect(page.url()).toBe(`${baseUrl}/m/apply`);
    await page.getByLabel('遇到了什么困难').selectOption({ label: '医疗救助' });
    await page.getByLabel('情况说明').fill(description);
    await shoot('apply-form');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByText('申请已提交，工会将尽快联系您。').waitFor();
    caseNumber = await page.locator('.phone-card strong').innerText();
    await shoot('apply-done');
    await page.getByRole('link', { name: '查看办理进度' }).click();
    await page.getByTestId('case-step').waitFor();
    caseId = page.url().split('/').at(-1)!;
    const step = await page.getByTestId('case-step').innerText();
    const progress = await page.getByTestId('case-progress').innerText();
    const facts = await page.locator('dl.facts').innerText();
    const lines = await linesOf(page);
    await shoot('progress-new');
    const stored = await api.get(GRASSROOTS_STAFF, caseId);

    expect(page.url()).toMatch(new RegExp(`^${baseUrl}/m/progress/[0-9a-f-]{36}$`));
    expect(caseNumber).toBe(String(stored.number));
    expect({ source: stored.source, category: stored.category, step: stored.step, status: stored.status }).toEqual({
      source: 'self_application',
      category: 'medical',
      step: 'dispatch',
      status: 'open',
    });
    expect(step).toBe('派单');
    expect(progress).toMatch(new RegExp(`^您的申请已提交${UNION}，工作人员将在\\d+月\\d+日前安排办理$`));
    expect(facts).toContain(`办理单位\n${UNION}`);
    expect(facts).toContain('类别\n医疗救助');
    expect(facts).toMatch(/预计完成\n\d+月\d+日/);
    expect(lines).toEqual(['您提交了医疗救助申请']);
    expect(errors).toEqual([]);
  });

  test('after staff accept the case, reloading the progress page shows the new step and a longer timeline', async () => {
    await api.act(GRASSROOTS_STAFF, caseId, 'accept');
    await page.reload();
    await page.getByTestId('case-step').waitFor();
    const step = await page.getByTestId('case-step').innerText();
    const progress = await page.getByTestId('case-progress').innerText();
    const lines = await linesOf(page);
    await shoot('progress-accepted');
    await page.getByRole('link', { name: '进度', exact: true }).click();
    const row = page.locator(`a[href$="/m/progress/${caseId}"]`);
    await row.waitFor();
    const rowText = await row.innerText();
    await shoot('progress-list');

    expect(step).toBe('入户核实');
    expect(progress).toMatch(new RegExp(`^您的申请已由${UNION}受理，工作人员将在\\d+月\\d+日前上门核实$`));
    expect(lines).toEqual(['您提交了医疗救助申请', `${UNION}已受理`]);
    expect(rowText).toContain('医疗救助 · 入户核实');
    expect(rowText).toContain(`您的申请已由${UNION}受理`);
    expect(errors).toEqual([]);
  });

  test('a second application of the same open category is refused, pointing to the open case', async () => {
    await page.goto(`${baseUrl}/m/apply`);
    await page.getByLabel('遇到了什么困难').selectOption({ label: '医疗救助' });
    await page.getByLabel('情况说明').fill(`又一次住院，再次申请 ${digits}`);
    await page.getByRole('button', { name: '提交申请' }).click();
    const banner = page.getByRole('alert');
    await banner.waitFor();
    const words = await banner.innerText();
    const code = await banner.getAttribute('data-code');
    await shoot('apply-refused');
    await page.getByRole('link', { name: '查看正在办理的工单' }).click();
    await page.getByTestId('case-step').waitFor();
    const opened = await harness.db
      .selectFrom('assistance_case')
      .select('id')
      .where('worker_id', '=', member.id)
      .execute();

    expect(code).toBe('APPLICATION_ALREADY_OPEN');
    expect(words).toBe(`您已有一件医疗救助工单（编号 ${caseNumber}）正在办理，无需重复申请，可在“我的工单”中查看进度`);
    expect(page.url()).toBe(`${baseUrl}/m/progress/${caseId}`);
    expect(opened.map((row) => row.id)).toEqual([caseId]);
    expect(errors).toEqual([]);
  });

  test('after delivery the payment is in the records and the warm-heart list; the policies fit the worker', async () => {
    const items = [{ kind: '医疗补助', amountFen: 80_000 }];
    await api.act(GRASSROOTS_STAFF, caseId, 'verify', { eligible: true, findings: '入户核实：住院属实' });
    await api.act(GRASSROOTS_STAFF, caseId, 'plan', { items });
    await api.act(TOWNSHIP_STAFF, caseId, 'approve', {});
    await api.act(GRASSROOTS_STAFF, caseId, 'deliver', { items, method: 'bank_transfer', reference: 'E2E-PHONE' });

    await page.goto(`${baseUrl}/m/records`);
    await page.getByTestId('payments').waitFor();
    const payments = await page.getByTestId('payments').innerText();
    const caseCount = await page.locator('.phone-main p.muted').innerText();
    await shoot('records');
    await page.goto(`${baseUrl}/m/warm-list`);
    await page.locator('.list-item').first().waitFor();
    const warm = await page.locator('.list').innerText();
    await shoot('warm-list');
    await page.goto(`${baseUrl}/m/policies`);
    await page.locator('.list-item').first().waitFor();
    const policies = await page.locator('.list-title').allInnerTexts();
    const policyText = await page.locator('.list').innerText();
    const livingAid = await page.locator('.list-item', { hasText: '建档困难职工生活救助' }).innerText();
    const illnessAid = await page.locator('.list-item', { hasText: '职工大病医疗救助' }).innerText();
    await shoot('policies');
    await page.goto(`${baseUrl}/m/progress/${caseId}`);
    await page.getByTestId('case-step').waitFor();
    const lines = await linesOf(page);
    await shoot('progress-delivered');

    expect(payments).toContain('医疗补助 · 800.00 元');
    expect(payments).toContain('银行转账 · 已发放');
    expect(caseCount).toBe('共 1 件，详情见“进度详情”。');
    expect(warm).toContain('工会医疗救助帮扶 · 800.00 元');
    expect(warm).toMatch(/工会 · .+ · \d{4}-\d{2}-\d{2}/);
    expect(policies).toContain('建档困难职工生活救助');
    expect(livingAid).toBe('建档困难职工生活救助\n符合条件\n您是建档困难职工，属于本政策面向的建档困难职工');
    expect(illnessAid).toBe('职工大病医疗救助\n符合条件\n您有医疗救助工单');
    expect(policyText).not.toContain('—');
    expect(lines.at(-1)).toBe('帮扶已发放：800.00 元（银行转账）');
    expect(errors).toEqual([]);
  });

  test('the stations page lists the nearest open stations within 5 km, nearest first, with distances', async () => {
    await page.getByRole('link', { name: '首页', exact: true }).click();
    await page.getByRole('link', { name: /附近驿站/ }).click();
    await page.getByRole('button', { name: '查找附近正在开放的驿站' }).click();
    await page.locator('.list-item').first().waitFor();
    const stations = await page.locator('.list-item').allInnerTexts();
    await shoot('stations');
    await page.getByLabel('需要的服务').selectOption({ label: '休息座椅' });
    await page.getByRole('button', { name: '查找附近正在开放的驿站' }).click();
    await page.locator('.list-item').first().waitFor();
    const withSeats = await page.locator('.list-item .list-title').allInnerTexts();
    await page.getByLabel('需要的服务').selectOption({ label: '微波炉' });
    await page.getByRole('button', { name: '查找附近正在开放的驿站' }).click();
    const none = await page.locator('.empty').innerText();
    await shoot('stations-none');

    expect(stations).toEqual([
      '府山测试驿站（近）\n334 米 · 越城区府山测试路 3 号',
      '府山测试驿站（远）\n1.3 公里 · 越城区府山测试路 12 号',
    ]);
    expect(withSeats).toEqual(['府山测试驿站（近）', '府山测试驿站（远）']);
    expect(none).toBe('5 公里内暂无正在开放的驿站。');
    expect(errors).toEqual([]);
  });
});
