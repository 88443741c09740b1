import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { createCaseApi, type CaseApi } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';
import { shanghaiInputValue } from '../../api/console/src/shared/format.js';
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
 * The staff console in headless Chromium against the real API (listening on a real port), Temporal and
 * PostgreSQL. Time-limit policy is global per (category, urgency): this file owns ('living', 'urgent') and sets it
 * to seconds so a case turns late while the test watches; no other file may use that pair. Cases here are opened
 * in 嵊州市 (shengzhou), which other files barely touch, with the built-in ('living', 'normal') limits otherwise.
 */

const PASSWORD = 'Demo@2026';
const everyStep = (duration: string) =>
  Object.fromEntries(
    ['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'].map((step) => [
      step,
      { duration, calendar: 'natural' },
    ]),
  );

describe('staff console in a browser', () => {
  let harness: Harness;
  let api: CaseApi;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    ensureConsoleBuilt();
    harness = await createHarness({ listen: true });
    api = createCaseApi(harness);
    baseUrl = harness.baseUrl!;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  /** A living/normal case opened by the township and dispatched to one of its grassroots unions, via the API. */
  async function caseDispatchedTo(grassrootsUser: string, category = 'living') {
    const township = await api.unitOf('shengzhou_t1_caseworker');
    const grassroots = await api.unitOf(grassrootsUser);
    const workerId = await api.workerAt(grassroots);
    const opened = await api.open('shengzhou_t1_caseworker', { workerId, category, urgency: 'normal' });
    await api.act('shengzhou_t1_caseworker', opened.id, 'dispatch', { toUnitId: grassroots });
    return { ...opened, township, grassroots };
  }

  /** A case taken through to delivery via the API, so the funds pages have money to show. */
  async function deliveredCase(category: string, amountFen: number) {
    const kase = await caseDispatchedTo('shengzhou_t1_g1_caseworker', category);
    const items = [{ kind: '生活补助', amountFen }];
    await api.act('shengzhou_t1_g1_caseworker', kase.id, 'accept');
    await api.act('shengzhou_t1_g1_caseworker', kase.id, 'verify', { eligible: true, findings: '入户核实属实' });
    await api.act('shengzhou_t1_g1_caseworker', kase.id, 'plan', { items });
    await api.act('shengzhou_t1_caseworker', kase.id, 'approve', {});
    await api.act('shengzhou_t1_g1_caseworker', kase.id, 'deliver', {
      items,
      method: 'bank_transfer',
      reference: 'E2E-1',
    });
  }

  async function openCaseFromInbox(page: Page, number: number) {
    await page.getByRole('link', { name: '待办' }).click();
    const row = page.locator(`tr[data-case-number="${number}"]`);
    await row.waitFor();
    await row.getByRole('link', { name: `#${number}` }).click();
    await page.getByRole('heading', { name: `工单 #${number}` }).waitFor();
  }

  async function runAction(page: Page, button: string, fill?: (form: ReturnType<Page['locator']>) => Promise<void>) {
    const actions = page.getByTestId('actions');
    await actions.getByRole('button', { name: button, exact: true }).click();
    const form = actions.locator('form.action-form');
    await fill?.(form);
    await form.getByRole('button', { name: `确认${button}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `已完成「${button}」` })
      .waitFor();
  }

  test('a caseworker logs in, finds the new work order in the inbox, accepts it, verifies and plans', async () => {
    const kase = await caseDispatchedTo('shengzhou_t1_g1_caseworker');
    const page = await browser.newPage();
    const errors = watchPageErrors(page);

    await page.goto(`${baseUrl}/console/`);
    await page.getByRole('heading', { name: '越温暖 · 工会帮扶工作台' }).waitFor();
    await screenshot(page, 'caseworker', 'login');
    await signInThroughConsole(page, baseUrl, 'shengzhou_t1_g1_caseworker', PASSWORD);
    const whoami = await page.getByTestId('whoami').innerText();
    const row = page.locator(`tr[data-case-number="${kase.number}"]`);
    await row.waitFor();
    const rowText = await row.innerText();
    await screenshot(page, 'caseworker', 'inbox');

    expect(whoami).toContain('经办人');
    expect(whoami).toContain('剡湖街道安居社区联合工会');
    expect(rowText).toContain('受理');
    expect(rowText).toMatch(/剩余 (\d+ 个工作日|\d+ 小时|\d+ 分钟)/);

    await row.getByRole('link', { name: `#${kase.number}` }).click();
    await page.getByRole('heading', { name: `工单 #${kase.number}` }).waitFor();
    const buttons = await page.getByTestId('actions').locator('button[data-action]').allInnerTexts();
    const idNumber = await page.locator('dd.mono').innerText();
    await screenshot(page, 'caseworker', 'case-new');

    // A grassroots union has no unit below it, so it cannot dispatch further.
    expect(buttons).toEqual(['受理', '退回', '撤销', '暂停计时']);
    expect(idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);

    await runAction(page, '受理');
    await expect.poll(() => page.getByTestId('case-step').innerText()).toBe('入户核实');
    await page.getByTestId('actions').getByRole('button', { name: '核实', exact: true }).click();
    await page.getByLabel('符合帮扶条件', { exact: true }).check();
    await page.getByLabel('入户核实情况').fill('入户走访：配偶重病住院，家庭月收入低于低保标准');
    await screenshot(page, 'caseworker', 'case-verify-form');
    await page.getByRole('button', { name: '确认核实' }).click();
    await page.getByRole('status').filter({ hasText: '已完成「核实」' }).waitFor();
    await runAction(page, '提交方案', async (form) => {
      await form.getByLabel('帮扶项目').fill('生活补助');
      await form.getByLabel('金额（元）').fill('1,500.50');
    });
    const step = await page.getByTestId('case-step').innerText();
    const timeline = await page.getByTestId('timeline').innerText();
    const left = await page.getByTestId('actions').locator('button[data-action]').allInnerTexts();
    await screenshot(page, 'caseworker', 'case-planned');
    const stored = await api.get('shengzhou_t1_g1_caseworker', kase.id);

    expect(step).toBe('审批');
    expect(timeline).toContain('入户核实：符合帮扶条件');
    expect(timeline).toContain('提交帮扶方案，合计 1500.50 元');
    // Approval is the township's; the grassroots union may only still withdraw the case it handles.
    expect(left).toEqual(['撤销']);
    expect({ step: stored.step, holderUnitId: stored.holderUnitId }).toEqual({
      step: 'approve',
      holderUnitId: kase.township,
    });
    expect(stored.timeline.find((e) => e.kind === 'plan')?.data.items).toEqual([
      { kind: '生活补助', amountFen: 150050 },
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a supervisor sees a late case on the board and drills down to it', async () => {
    await api.putPolicy('living', 'urgent', { limits: everyStep('PT3S'), maxSuspension: 'PT1M' });
    const township = await api.unitOf('shengzhou_t2_caseworker');
    const workerId = await api.workerAt(await api.unitOf('shengzhou_t2_g1_caseworker'));
    const opened = await api.open('shengzhou_caseworker', { workerId, category: 'living', urgency: 'urgent' });
    await api.act('shengzhou_caseworker', opened.id, 'dispatch', { toUnitId: township });
    await waitFor(async () => (await api.get('shengzhou_supervisor', opened.id)).escalationLevel >= 1 || undefined, {
      message: 'the case to be escalated',
      timeoutMs: 30_000,
    });
    const page = await browser.newPage();
    const errors = watchPageErrors(page);

    await signInThroughConsole(page, baseUrl, 'shengzhou_supervisor', PASSWORD);
    await menuLink(page, '超时督办', '帮扶').click();
    const townshipBar = page.locator('g.chart-row-link', { hasText: '三江街道工会' });
    await townshipBar.waitFor();
    const lateCount = await page.locator('.stat-late .stat-value').first().innerText();
    await screenshot(page, 'supervisor', 'board');
    await townshipBar.click();
    await page.locator('.crumbs strong', { hasText: '三江街道工会' }).waitFor();
    const row = page.locator(`[data-testid="overdue-table"] tr[data-case-number="${opened.number}"]`);
    await row.waitFor();
    const rowText = await row.innerText();
    await screenshot(page, 'supervisor', 'board-township');
    await row.getByRole('link', { name: `#${opened.number}` }).click();
    await page.getByRole('heading', { name: `工单 #${opened.number}` }).waitFor();
    const deadline = await page.locator('section', { hasText: '办理与时限' }).innerText();
    await screenshot(page, 'supervisor', 'case-late');

    expect(Number(lateCount)).toBeGreaterThanOrEqual(1);
    expect(rowText).toContain('受理');
    expect(rowText).toMatch(/督办 \d 级/);
    expect(deadline).toMatch(/已超时/);
    expect(deadline).toMatch(/督办 \d 级/);
    expect(page.url()).toBe(`${baseUrl}/console/cases/${opened.id}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the error banner shows the API message when an action no longer fits, and a failed login says why', async () => {
    const kase = await caseDispatchedTo('shengzhou_t1_g2_caseworker');
    const page = await browser.newPage();
    const errors = watchPageErrors(page);

    await page.goto(`${baseUrl}/console/`);
    await page.getByLabel('用户名').fill('shengzhou_t1_g2_caseworker');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    const loginError = await page.getByRole('alert').innerText();
    await screenshot(page, 'errors', 'login-failed');
    await signInThroughConsole(page, baseUrl, 'shengzhou_t1_g2_caseworker', PASSWORD);
    await openCaseFromInbox(page, kase.number);
    await page.getByTestId('actions').getByRole('button', { name: '受理', exact: true }).click();
    // Someone else at the same union accepts the case first, through the API.
    await api.act('shengzhou_t1_g2_caseworker', kase.id, 'accept');
    const mismatch = await api.tryAct('shengzhou_t1_g2_caseworker', kase.id, 'accept');
    await page.getByRole('button', { name: '确认受理' }).click();
    const banner = page.locator('form.action-form [role="alert"]');
    await banner.waitFor();
    const bannerText = await banner.innerText();
    const bannerCode = await banner.getAttribute('data-code');
    await screenshot(page, 'errors', 'step-mismatch');
    await page.getByRole('button', { name: '刷新工单，查看最新状态' }).click();
    await expect.poll(() => page.getByTestId('case-step').innerText()).toBe('入户核实');
    const offered = await page.getByTestId('actions').locator('button[data-action]').allInnerTexts();
    // A pause beyond the policy's 30-day maximum is refused; the same form, corrected, then goes through (a new
    // request, so it must not be answered with the refusal stored under the first attempt's key).
    await page.getByTestId('actions').getByRole('button', { name: '暂停计时', exact: true }).click();
    const pauseForm = page.getByTestId('actions').locator('form.action-form');
    await pauseForm.getByLabel('暂停原因').fill('等待职工补交住院证明');
    const pauseUntil = pauseForm.getByLabel('恢复计时时间（北京时间）');
    const validUntil = await pauseUntil.inputValue();
    await pauseUntil.fill(shanghaiInputValue(Date.now() + 60 * 86_400_000));
    await pauseForm.getByRole('button', { name: '确认暂停计时' }).click();
    const pauseBanner = pauseForm.locator('[role="alert"]');
    await pauseBanner.waitFor();
    const tooLong = { text: await pauseBanner.innerText(), code: await pauseBanner.getAttribute('data-code') };
    await pauseUntil.fill(validUntil);
    await pauseForm.getByRole('button', { name: '确认暂停计时' }).click();
    await page.getByRole('status').filter({ hasText: '已完成「暂停计时」' }).waitFor();
    const paused = await page.locator('section', { hasText: '办理与时限' }).innerText();
    await screenshot(page, 'errors', 'case-suspended');

    expect(loginError).toBe('用户名或密码错误');
    expect(mismatch.status).toBe(409);
    expect(bannerCode).toBe('STEP_MISMATCH');
    expect(bannerText).toBe(mismatch.body.error.message);
    expect(bannerText).toBe('工单当前处于「入户核实」步骤，不能执行「受理」');
    expect(offered).toEqual(['核实', '撤销', '暂停计时']);
    expect(tooLong.code).toMatch(/^[A-Z_]+$/);
    expect(tooLong.code).not.toBe('IDEMPOTENCY_KEY_REUSED');
    expect(tooLong.text).toMatch(/暂停/);
    expect(paused).toMatch(/暂停计时至 \d{2}-\d{2} \d{2}:\d{2}/);
    expect((await api.get('shengzhou_t1_g2_caseworker', kase.id)).suspendedUntil).not.toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  test('every other staff page renders with data, on a wide and a narrow screen', async () => {
    await deliveredCase('living', 150_000);
    await deliveredCase('medical', 180_000);
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signInThroughConsole(page, baseUrl, 'admin', 'Admin@2026');

    for (const [name, path, ready] of [
      ['inbox', 'inbox', '待办工单'],
      ['cases', 'cases?status=open', '工单查询'],
      ['board', 'board', '超时督办看板'],
      ['funds', 'funds', '送温暖资金'],
      ['funds-report', 'funds/report', '帮扶资金报表'],
      ['notifications', 'notifications', '通知'],
    ] as const) {
      await page.goto(`${baseUrl}/console/${path}`);
      await page.getByRole('heading', { name: ready, exact: true }).waitFor();
      await page.locator('.loading').first().waitFor({ state: 'detached' });
      await page.waitForLoadState('networkidle');
      await screenshot(page, 'admin', name);
    }
    await page.goto(`${baseUrl}/console/no-such-page`);
    const notFound = await page.getByRole('heading', { level: 1 }).innerText();
    await page.goto(`${baseUrl}/console/funds/report`);
    const report = await page.locator('.stats').innerText();
    await page.goto(`${baseUrl}/console/funds`);
    // Unit names arrive with GET /org-units, a moment after the budgets.
    await page.getByTestId('budgets-table').getByText('绍兴市总工会').waitFor();
    const budgets = await page.getByTestId('budgets-table').innerText();

    expect(notFound).toBe('页面不存在');
    expect(budgets).toContain('绍兴市总工会');
    expect(budgets).toContain('10,000,000.00 元');
    expect(report).toMatch(/[\d,]+\.\d{2}\n发放金额/);
    expect(report).not.toMatch(/^0\.00\n/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
