import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { perceptionScanWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, randomIdNumber, randomPhone, uniqueSuffix } from '../support/api-fixtures.js';
import { createCaseApi, type CaseApi } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { PERCEPTION_LOCK_WAIT_MS, holdPerceptionLock } from '../support/perception-lock.js';
import { daysAgo, feedRowsOf, ndjson, uploadRows } from '../support/perception.js';
import { waitFor } from '../support/wait.js';
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
 * The perception pages of the staff console in headless Chromium against the real API, Temporal and PostgreSQL:
 * an admin uploads department data and runs a scan, a supervisor reviews the leads it raised. This file owns the
 * workers it registers at 越城 北海街道's second grassroots union (yuecheng_t1_g2, 绍兴越醇酒业有限公司工会),
 * reviewed by that township's supervisor (yuecheng_t1_supervisor); no other file registers workers or reviews
 * leads there. A scan flags every worker in the database and only one runs at a time, so this file holds the
 * perception lock (tests/support/perception-lock.ts) for its whole run, as scan.test.ts does; it changes no
 * rule and no setting.
 */

const TEST = 'perception';
const MLA_LABEL = '最低生活保障（民政局）';
const MLA_RULE = '享受最低生活保障';

describe('perception pages of the staff console', () => {
  let releaseLock: (() => Promise<void>) | undefined;
  let harness: Harness;
  let api: CaseApi;
  let browser: Browser;
  let baseUrl: string;
  let admin: string;
  let unitId: string;
  let startedScanId: string | null = null;
  const suffix = uniqueSuffix(3);
  const workers: Record<'first' | 'second' | 'borderline', { id: string; idNumber: string; name: string }> = {
    first: { id: '', idNumber: randomIdNumber('330602'), name: `感知甲${suffix}` },
    second: { id: '', idNumber: randomIdNumber('330602'), name: `感知乙${suffix}` },
    borderline: { id: '', idNumber: randomIdNumber('330602'), name: `感知丙${suffix}` },
  };

  beforeAll(async () => {
    releaseLock = await holdPerceptionLock();
    ensureConsoleBuilt();
    // Small chunks: the scan runs in many steps, so its progress has something to show. Not too small: the scan
    // covers every worker the whole suite has registered by then, a few thousand in a full run.
    harness = await createHarness({ listen: true, env: { PERCEPTION_SCAN_CHUNK_SIZE: '25' } });
    api = createCaseApi(harness);
    baseUrl = harness.baseUrl!;
    admin = await harness.login('admin', ADMIN_PASSWORD);
    unitId = await api.unitOf('yuecheng_t1_g2_caseworker');
    for (const worker of Object.values(workers)) {
      const response = await harness.request('POST', '/workers', {
        token: admin,
        body: { name: worker.name, idNumber: worker.idNumber, phone: randomPhone(), unitId, hardshipStatus: 'none' },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      worker.id = response.body.id;
    }
    // The third worker's data comes through the API: a medical expense that makes a borderline lead only.
    await uploadRows(harness, admin, 'medical_expense', [
      {
        idNumber: workers.borderline.idNumber,
        occurredOn: daysAgo(12),
        department: '绍兴市医疗保障局',
        amountFen: 3_200_000,
      },
    ]);
    browser = await launchBrowser();
  }, PERCEPTION_LOCK_WAIT_MS + 120_000);

  afterAll(async () => {
    await browser?.close();
    // A scan left running by a failed test would hold the city's one scan slot for the next file.
    if (startedScanId) {
      await harness.client.workflow
        .getHandle(perceptionScanWorkflowId(startedScanId))
        .terminate('test ended')
        .catch(() => undefined);
    }
    await harness?.close();
    await releaseLock?.();
  });

  /** Records in the page whether a progress bar was ever shown, however briefly (the tests have no DOM types). */
  async function watchProgressBars(page: Page) {
    await page.evaluate(`(() => {
      const seen = () => document.querySelector('[role="progressbar"]') !== null;
      window.sawProgress = seen();
      new MutationObserver(() => {
        window.sawProgress = window.sawProgress || seen();
      }).observe(document.body, { childList: true, subtree: true });
    })()`);
    return () => page.evaluate('window.sawProgress');
  }

  test('an admin uploads an NDJSON feed with one bad row and reads the counts and the row error', async () => {
    const good = [workers.first, workers.second].map((w) => ({
      idNumber: w.idNumber,
      occurredOn: daysAgo(20),
      department: '绍兴市民政局',
      amountFen: 80_000,
    }));
    const bad = workers.second.idNumber.slice(0, 17) + (workers.second.idNumber[17] === '0' ? '1' : '0');
    const body = ndjson([good[0]!, { ...good[1]!, idNumber: bad }, good[1]!]);
    const page = await browser.newPage();
    const errors = watchPageErrors(page);

    await signInThroughConsole(page, baseUrl, 'admin', ADMIN_PASSWORD);
    await menuLink(page, '数据导入', '感知').click();
    await page.getByRole('heading', { name: '部门数据导入' }).waitFor();
    await page.getByLabel('数据种类').selectOption({ label: MLA_LABEL });
    await page.getByText('该种类的列').click();
    const columns = await page.getByTestId('feed-columns').innerText();
    await page.getByLabel(/^文件/).setInputFiles({
      name: 'mla.ndjson',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(body),
    });
    const sawProgress = await watchProgressBars(page);
    await page.getByRole('button', { name: '上传并导入' }).click();
    const result = page.getByTestId('feed-result');
    await result.waitFor();
    const stats = await result.locator('.stats').innerText();
    const errorRows = await page.getByTestId('feed-errors').locator('tbody tr').allInnerTexts();
    await screenshot(page, TEST, 'feed-upload');

    expect(columns).toContain('idNumber 身份证号（必填）');
    expect(columns).toContain('householdSize 保障人口数（选填）');
    expect(await sawProgress()).toBe(true);
    expect(stats.split('\n')).toEqual(['2', '通过校验', '1', '未通过', '2', '新保存', '0', '重复（已有）']);
    expect(errorRows.map((row) => row.split('\t').map((cell) => cell.trim()))).toEqual([
      ['2', 'idNumber', '身份证号校验位不正确，请核对'],
    ]);
    const stored = await feedRowsOf(harness, [workers.first.idNumber, workers.second.idNumber]);
    expect(stored.map((row) => [row.kind, row.worker_id]).sort()).toEqual(
      [
        ['minimum_living_allowance', workers.first.id],
        ['minimum_living_allowance', workers.second.id],
      ].sort(),
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  test('an admin starts a scan and watches its progress until it completes with its counts', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signInThroughConsole(page, baseUrl, 'admin', ADMIN_PASSWORD);
    await menuLink(page, '扫描', '感知').click();
    await page.getByRole('heading', { name: '感知扫描' }).waitFor();
    // Another file's scan may just be finishing; the page's button is for a free slot.
    await waitFor(
      async () => {
        const scans = await harness.request('GET', '/perception/scans?kind=scan&limit=5', { token: admin });
        return scans.body.items.every((s: { status: string }) => s.status !== 'running');
      },
      { message: 'no other scan to be running', timeoutMs: 60_000 },
    );

    const started = page.waitForResponse(
      (response) => response.url().endsWith('/perception/scans') && response.request().method() === 'POST',
    );
    await page.getByRole('button', { name: '立即扫描' }).click();
    const answer = await started;
    // Hold the scan mid-way, as a slow scan would be, by stopping the worker that runs its chunks.
    await harness.stopWorker();
    startedScanId = ((await answer.json()) as { id: string }).id;
    const live = page.getByTestId('scan-live');
    await live.waitFor();
    await expect.poll(() => page.url()).toContain(`scan=${startedScanId}`);
    const held = await harness.request('GET', `/perception/scans/${startedScanId}`, { token: admin });
    await expect
      .poll(() => live.getByRole('progressbar').innerText())
      .toBe(
        `已处理 ${held.body.chunksDone} / ${held.body.totalChunks} 批职工 ${Math.round(held.body.progress * 100)}%`,
      );
    const whileRunning = {
      status: await live.getAttribute('data-status'),
      button: await page.getByRole('button', { name: '扫描进行中' }).isDisabled(),
    };
    await screenshot(page, TEST, 'scan-running');
    await harness.startWorker();
    await page.locator('[data-testid="scan-live"][data-status="completed"]').waitFor({ timeout: 150_000 });
    const finished = await harness.request('GET', `/perception/scans/${startedScanId}`, { token: admin });
    const progress = await live.getByRole('progressbar').innerText();
    const counts = await page.getByTestId('scan-counts').innerText();
    const listed = await page.locator(`[data-testid="scans-table"] tr[data-scan-id="${startedScanId}"]`).innerText();
    await screenshot(page, TEST, 'scan-completed');

    expect(held.body.status).toBe('running');
    expect(held.body.chunksDone).toBeLessThan(held.body.totalChunks);
    expect(whileRunning).toEqual({ status: 'running', button: true });
    expect(finished.body.status).toBe('completed');
    expect(progress).toBe(`已处理 ${finished.body.totalChunks} / ${finished.body.totalChunks} 批职工 100%`);
    const c = finished.body.counts;
    expect(counts.split('\n')).toEqual([
      String(c.workersScanned.toLocaleString('en-US')),
      '扫描职工',
      String(c.workersFlagged.toLocaleString('en-US')),
      '达到临界线',
      String(c.leadsCreated.toLocaleString('en-US')),
      '新增线索',
      String(c.leadsUpdated.toLocaleString('en-US')),
      '更新线索',
      String(c.leadsLapsed.toLocaleString('en-US')),
      '失效线索',
      String(c.suppressed.toLocaleString('en-US')),
      '排除后暂不提示',
    ]);
    expect(c.leadsCreated).toBeGreaterThanOrEqual(3);
    expect(listed).toContain('已完成');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  test('a supervisor filters the leads, confirms one into a case and dismisses another with a reason', async () => {
    const supervisor = await api.token('yuecheng_t1_supervisor');
    const leadOf = async (workerId: string) => {
      const row = await harness.db
        .selectFrom('perception_lead')
        .select('id')
        .where('worker_id', '=', workerId)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      return (await harness.request('GET', `/leads/${row.id}`, { token: supervisor })).body;
    };
    const firstLead = await leadOf(workers.first.id);
    const secondLead = await leadOf(workers.second.id);
    const rules = await harness.request('GET', '/rules', { token: supervisor });
    const mla = rules.body.items.find((r: { name: string }) => r.name === MLA_RULE);
    const page = await browser.newPage();
    const errors = watchPageErrors(page);

    await signInThroughConsole(page, baseUrl, 'yuecheng_t1_supervisor', DEMO_PASSWORD);
    await menuLink(page, '线索', '感知').click();
    await page.getByRole('heading', { name: '感知线索' }).waitFor();
    await page.getByLabel('分组').selectOption({ label: '感知发现' });
    await page.getByLabel('单位').selectOption({ value: unitId });
    await page.getByLabel('规则').selectOption({ label: MLA_RULE });
    await page.getByLabel('最低得分').fill('60');
    await page.getByLabel('最低得分').press('Enter');
    await page.getByLabel('最低得分').blur();
    await expect.poll(() => new URL(page.url()).searchParams.get('minScore')).toBe('60');
    const table = page.getByTestId('leads-table');
    await table.locator(`tr[data-lead-id="${firstLead.id}"]`).waitFor();
    const listed: { id: string | null; text: string }[] = [];
    for (const row of await table.locator('tbody tr').all()) {
      listed.push({ id: await row.getAttribute('data-lead-id'), text: await row.innerText() });
    }
    const firstRow = listed.find((row) => row.id === firstLead.id)!.text;
    await screenshot(page, TEST, 'leads-filtered');
    const query = new URL(page.url()).searchParams;

    expect(Object.fromEntries(query)).toEqual({ group: 'discovered', unitId, ruleId: mla.id, minScore: '60' });
    expect(listed.map((row) => row.id)).toEqual(expect.arrayContaining([firstLead.id, secondLead.id]));
    expect(listed.map((row) => row.id)).not.toContain((await leadOf(workers.borderline.id)).id);
    for (const row of listed) {
      expect(row.text).toContain('感知发现');
      expect(row.text).toContain('绍兴越醇酒业有限公司工会');
    }
    expect(firstRow).toContain(workers.first.name);
    expect(firstRow).toContain(firstLead.worker.idNumber);
    expect(firstLead.worker.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(firstRow).toContain(MLA_RULE);
    expect(firstRow).toContain(daysAgo(20));
    expect(firstRow).toMatch(/审核期限 \d{2}-\d{2} \d{2}:\d{2}\s+发现于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

    await table.getByRole('link', { name: workers.first.name }).click();
    await page.getByRole('heading', { name: `感知线索：${workers.first.name}` }).waitFor();
    const reasons = await page.getByTestId('reasons').innerText();
    await screenshot(page, TEST, 'lead');
    await page.getByTestId('review').getByRole('button', { name: '确认', exact: true }).click();
    await page.getByRole('button', { name: '确认并开立工单' }).click();
    await page.getByRole('heading', { name: /^工单 #\d+$/ }).waitFor();
    const caseId = new URL(page.url()).pathname.split('/').at(-1)!;
    const caseSummary = await page.locator('section', { hasText: '职工与诉求' }).innerText();
    await screenshot(page, TEST, 'lead-confirmed-case');
    const confirmed = (await harness.request('GET', `/leads/${firstLead.id}`, { token: supervisor })).body;
    const kase = await api.get('yuecheng_t1_supervisor', caseId);
    const perceptionCases = await harness.db
      .selectFrom('assistance_case')
      .select(['id', 'source'])
      .where('worker_id', '=', workers.first.id)
      .execute();

    for (const reason of firstLead.reasons) {
      expect(reasons).toContain(reason.ruleName);
      expect(reasons).toContain(reason.reason);
      expect(reasons).toContain(`规则版本 v${reason.ruleVersion} · 数据截至 ${reason.dataAsOf}`);
    }
    expect(reasons).toContain(`享受最低生活保障（民政部门最近记录 ${daysAgo(20)}）`);
    expect(reasons).toContain('统计月数 12 个月 · 记录数 1');
    expect(page.url()).toBe(`${baseUrl}/console/cases/${confirmed.caseId}`);
    expect(confirmed).toMatchObject({ status: 'confirmed', caseId });
    expect(kase).toMatchObject({ workerId: workers.first.id, source: 'perception', status: 'open' });
    expect(perceptionCases).toEqual([{ id: caseId, source: 'perception' }]);
    expect(caseSummary).toContain('感知发现');

    await page.goto(`${baseUrl}/console/perception/leads/${secondLead.id}`);
    await page.getByRole('heading', { name: `感知线索：${workers.second.name}` }).waitFor();
    await page.getByTestId('review').getByRole('button', { name: '排除', exact: true }).click();
    await page.getByRole('button', { name: '确认排除' }).click();
    const refusal = page.locator('form[data-form="dismiss"] [role="alert"]');
    await refusal.waitFor();
    const refusalText = await refusal.locator('.banner-message').innerText();
    const refusalCode = await refusal.getAttribute('data-code');
    await screenshot(page, TEST, 'lead-dismiss-refused');
    const direct = await harness.request('POST', `/leads/${secondLead.id}/dismiss`, {
      token: supervisor,
      body: { reason: '' },
    });
    const stillOpen = (await harness.request('GET', `/leads/${secondLead.id}`, { token: supervisor })).body.status;
    await page.getByLabel('排除理由').fill('已核实：该职工已再就业，家庭收入恢复');
    await page.getByRole('button', { name: '确认排除' }).click();
    await page.getByRole('status').filter({ hasText: '已排除该线索' }).waitFor();
    const facts = await page.locator('section', { hasText: '职工与审核' }).innerText();
    const buttonsLeft = await page.getByTestId('review').count();
    await screenshot(page, TEST, 'lead-dismissed');
    const dismissed = (await harness.request('GET', `/leads/${secondLead.id}`, { token: supervisor })).body;

    expect(direct.status).toBe(400);
    expect(refusalCode).toBe(direct.body.error.code);
    expect(refusalText).toBe(direct.body.error.message);
    expect(stillOpen).toBe('open');
    expect(facts).toContain('排除理由\n已核实：该职工已再就业，家庭收入恢复');
    expect(buttonsLeft).toBe(0);
    expect(dismissed).toMatchObject({ status: 'dismissed', dismissReason: '已核实：该职工已再就业，家庭收入恢复' });
    expect(errors).toEqual([]);
    await page.close();
  });

  test("the rules page shows each rule's published version and its confirmed versus dismissed record", async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signInThroughConsole(page, baseUrl, 'admin', ADMIN_PASSWORD);
    await menuLink(page, '规则', '感知').click();
    const row = page.locator('[data-testid="rules-table"] tr[data-rule-code="minimum_living_allowance"]');
    await row.waitFor();
    const rules = (await harness.request('GET', '/rules', { token: admin })).body.items;
    const mla = rules.find((r: { code: string }) => r.code === 'minimum_living_allowance');
    const text = await row.innerText();
    const bar = await page.locator('g.chart-row', { hasText: MLA_RULE }).locator('title').textContent();
    await screenshot(page, TEST, 'rules');

    expect(text).toContain(`v${mla.published.version}`);
    expect(text).toContain(`统计近几个月的数据：${mla.published.thresholds.months} 个月`);
    expect(text).toContain(`+${mla.published.weight}`);
    expect(text).toContain(`确认 ${mla.record.confirmed} · 排除 ${mla.record.dismissed} · 待审 ${mla.record.open}`);
    expect(mla.record.confirmed).toBeGreaterThanOrEqual(1);
    expect(mla.record.dismissed).toBeGreaterThanOrEqual(1);
    expect(bar).toBe(`${MLA_RULE}：已确认 ${mla.record.confirmed}，已排除 ${mla.record.dismissed}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a caseworker has no perception menu and is told so at its address', async () => {
    const page = await browser.newPage();
    await signInThroughConsole(page, baseUrl, 'yuecheng_t1_g2_caseworker', DEMO_PASSWORD);
    const menu = await page.getByRole('navigation', { name: '主菜单' }).innerText();
    await page.goto(`${baseUrl}/console/perception/leads`);
    const refusal = await page.getByText('您的角色不能使用这一栏目。').innerText();

    expect(menu).not.toContain('感知');
    expect(menu).not.toContain('数据导入');
    expect(refusal).toBe('您的角色不能使用这一栏目。');
    await page.close();
  });
});
