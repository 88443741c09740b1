import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, DEMO_PASSWORD, signIn, uniqueSuffix, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createStation,
  scoresTotalling,
  spotInspection,
  stationBody,
  unitId,
  type InspectionView,
  type StationView,
} from '../support/station-api.js';
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
 * The rest-station pages of the staff console in headless Chromium against the real API, Temporal and PostgreSQL.
 * This file owns the stations of 新昌 七星街道's second grassroots union (xinchang_t2_g2), which no other file uses
 * for stations, placed near 29.47°N 120.93°E where no other file reads the public lookup; it changes no
 * inspection policy (the built-in one: pass 60, excellent 90). Its inspector is created in that union, so the
 * inspector's pages show this file's stations only. The API runs without MAP_TILE_URL.
 */

const OWNER = unitId('xinchang_t2_g2');
const HERE = { latitude: 29.4731, longitude: 120.9312 };
const CASEWORKER = 'xinchang_t2_g2_caseworker';
const TEST = 'console-stations';

describe('rest stations in the staff console', () => {
  let h: Harness;
  let browser: Browser;
  let admin: Session;
  let inspector: { username: string; password: string };
  let standard: StationView;
  let benchmark: StationView;
  let opened: InspectionView;

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await createHarness({ listen: true });
    browser = await launchBrowser();
    admin = await signIn(h, 'admin', ADMIN_PASSWORD);
    inspector = { username: `insp_${uniqueSuffix()}`, password: `Pw-${uniqueSuffix()}` };
    const created = await h.request('POST', '/users', {
      token: admin.token,
      body: { ...inspector, name: '测试检查员', role: 'inspector', unitId: OWNER },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const suffix = uniqueSuffix(2);
    standard = await createStation(
      h,
      admin.token,
      stationBody(OWNER, { ...HERE, name: `七星恒转驿站${suffix}`, services: ['water', 'charging'] }),
    );
    benchmark = await createStation(
      h,
      admin.token,
      stationBody(OWNER, {
        latitude: HERE.latitude + 0.004,
        longitude: HERE.longitude + 0.006,
        name: `七星标杆驿站${suffix}`,
        type: 'benchmark',
      }),
    );
    opened = await spotInspection(h, admin.token, standard.id);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const signedIn = async (username: string, password: string) => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signInThroughConsole(page, h.baseUrl!, username, password);
    return { page, errors };
  };

  const inspectionOf = async () => {
    const response = await h.request<InspectionView>('GET', `/inspections/${opened.id}`, { token: admin.token });
    expect(response.status).toBe(200);
    return response.body;
  };

  const openInspection = async (page: Page, tab: string) => {
    await menuLink(page, '巡检', '驿站').click();
    await page.getByRole('tab', { name: tab }).click();
    const row = page.locator(`tr[data-inspection-id="${opened.id}"]`);
    await row.getByRole('link', { name: standard.name }).click();
    await page.getByRole('heading', { name: `${standard.name} · ${opened.period} 检查` }).waitFor();
  };

  test('an inspector finds the stations on a coordinate canvas, fails the station, and passes it on re-inspection', async () => {
    const { page, errors } = await signedIn(inspector.username, inspector.password);

    await menuLink(page, '站点', '驿站').click();
    const map = page.locator('figure.map');
    await map.getByText('驿站分布（2 个）').waitFor();
    const label = await map.locator('svg').getAttribute('aria-label');
    expect(label).toContain(standard.name);
    expect(label).toContain(benchmark.name);
    expect(await map.locator('svg rect.map-canvas').count()).toBe(1);
    expect(await map.locator('svg line.map-grid').count()).toBeGreaterThan(0);
    expect(await map.locator('svg text', { hasText: '°E' }).count()).toBeGreaterThan(0);
    expect(await map.locator('svg image').count()).toBe(0);
    expect(await map.locator('.map-credit').count()).toBe(0);
    const benchmarkDot = map.locator('g.map-point', { has: page.locator('title', { hasText: benchmark.name }) });
    expect(await benchmarkDot.locator('circle').getAttribute('style')).toMatch(/#ea580c|rgb\(234, 88, 12\)/);
    await expect.poll(() => page.locator(`tr[data-station-id="${standard.id}"]`).innerText()).toContain('标准型');
    await screenshot(page, TEST, 'stations');

    await page.getByLabel('类型').selectOption('benchmark');
    await map.getByText('驿站分布（1 个）').waitFor();
    expect(await page.locator(`tr[data-station-id="${standard.id}"]`).count()).toBe(0);
    await page.locator(`tr[data-station-id="${benchmark.id}"]`).waitFor();

    await page.goto(`${h.baseUrl}/console/stations/${standard.id}`);
    await page.getByRole('heading', { name: standard.name }).waitFor();
    expect(await page.getByTestId('station-services').innerText()).toBe('饮用水、手机充电');
    expect(await page.getByTestId('station-hours').innerText()).toContain('周一\t08:00-20:00');
    expect(await page.getByTestId('responsible-person').innerText()).toContain('测试负责人');
    await page.locator(`tr[data-inspection-id="${opened.id}"]`).waitFor();
    expect(await page.getByRole('button', { name: '修改服务与营业时间' }).count()).toBe(0);
    await screenshot(page, TEST, 'station');

    await menuLink(page, '巡检', '驿站').click();
    const row = page.locator(`tr[data-inspection-id="${opened.id}"]`);
    expect(await row.innerText()).toMatch(/剩余 \d+ 天/);
    await screenshot(page, TEST, 'inspections');
    await row.getByRole('link', { name: standard.name }).click();
    await page.getByRole('heading', { name: `${standard.name} · ${opened.period} 检查` }).waitFor();
    expect(await page.getByRole('button', { name: '报告整改情况' }).count()).toBe(0);
    const failing = scoresTotalling(opened.checklist, 50);
    for (const [item, points] of Object.entries(failing)) {
      await page.locator(`input[name="${item}"]`).fill(String(points));
    }
    expect(await page.getByTestId('score-total').innerText()).toContain('合计 50 分');
    await screenshot(page, TEST, 'inspection-form');
    await page.getByRole('button', { name: '提交检查评分' }).click();
    const outcome = page.getByTestId('inspection-outcome');
    await outcome.getByText('整改通知').waitFor();
    const ordered = await inspectionOf();
    expect(ordered).toMatchObject({ step: 'rectify', status: 'open', firstScore: 50 });
    const rectifyDue = (ordered.rectification as { dueAt: string }).dueAt;
    const dueText = new Date(Date.parse(rectifyDue) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(await outcome.innerText()).toContain(`检查得分 50 分，低于合格线 60 分。驿站须在 ${dueText} 前完成整改`);
    expect(await page.getByRole('button', { name: '提交复查评分' }).count()).toBe(0);
    await screenshot(page, TEST, 'rectification-order');

    const station = await signedIn(CASEWORKER, DEMO_PASSWORD);
    await openInspection(station.page, '待整改');
    await station.page.getByRole('textbox', { name: '整改情况' }).fill('已更换饮水机滤芯，补齐急救药箱药品');
    await station.page.getByRole('button', { name: '报告整改情况' }).click();
    await station.page.getByTestId('inspection-outcome').getByText('等待复查').waitFor();
    expect(await station.page.getByTestId('rectification-report').innerText()).toBe(
      '已更换饮水机滤芯，补齐急救药箱药品',
    );
    expect(await inspectionOf()).toMatchObject({ step: 'reinspect', status: 'open' });
    await screenshot(station.page, TEST, 'rectified');
    expect(station.errors).toEqual([]);

    await openInspection(page, '待复查');
    for (const [item, points] of Object.entries(scoresTotalling(opened.checklist, 80))) {
      await page.locator(`input[name="${item}"]`).fill(String(points));
    }
    await page.getByRole('button', { name: '提交复查评分' }).click();
    await outcome.getByText('整改后复查得分 80 分，复查合格').waitFor();
    expect(await page.getByTestId('second-total').innerText()).toBe('80');
    expect(await inspectionOf()).toMatchObject({ status: 'closed', outcome: 'rectified', finalScore: 80 });
    await screenshot(page, TEST, 'passed');

    await menuLink(page, '排名', '驿站').click();
    const chart = page.locator('figure.chart', { hasText: '驿站检查得分' });
    await chart.locator('svg').waitFor();
    expect(await chart.locator('svg').getAttribute('aria-label')).toContain(`${standard.name}：平均得分 80.0`);
    expect(await chart.innerText()).toContain('80.0 分 · 第 1 名');
    expect(await page.getByTestId('unit-ranking').innerText()).toContain('新昌恒转轴承有限公司工会');
    await screenshot(page, TEST, 'ranking');
    expect(errors).toEqual([]);
  });

  test('station staff edit services and hours, and read the API’s words when it refuses overlapping hours', async () => {
    const { page, errors } = await signedIn(CASEWORKER, DEMO_PASSWORD);
    await page.goto(`${h.baseUrl}/console/stations/${benchmark.id}`);
    await page.getByRole('heading', { name: benchmark.name }).waitFor();

    await page.getByRole('button', { name: '修改服务与营业时间' }).click();
    await page.getByLabel('周一').fill('08:00-12:00，11:00-20:00');
    await page.getByRole('button', { name: '保存' }).click();
    const banner = page.getByRole('alert');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('营业时间有误：hours.mon.1：与第 1 段营业时间重叠');
    await screenshot(page, TEST, 'station-edit-refused');
    const unchanged = await h.request<StationView>('GET', `/stations/${benchmark.id}`, { token: admin.token });
    expect(unchanged.body.hours.mon).toEqual([{ opens: '08:00', closes: '20:00' }]);

    await page.getByLabel('周一').fill('08:00-12:00，13:00-20:00');
    await page.getByLabel('无线网络').check();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('服务项目与营业时间已保存。').waitFor();
    expect(await page.getByTestId('station-hours').innerText()).toContain('周一\t08:00-12:00，13:00-20:00');
    expect(await page.getByTestId('station-services').innerText()).toContain('无线网络');
    const saved = await h.request<StationView>('GET', `/stations/${benchmark.id}`, { token: admin.token });
    expect(saved.body.hours.mon).toEqual([
      { opens: '08:00', closes: '12:00' },
      { opens: '13:00', closes: '20:00' },
    ]);
    expect(saved.body.services).toEqual(['water', 'charging', 'rest_seats', 'wifi']);
    expect(errors).toEqual([]);
  });
});
