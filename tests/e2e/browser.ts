import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where every e2e test saves its screenshots (git-ignored): `<test>-<page>.png` and `<test>-<page>-375.png`. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, '.data', 'screenshots');

/**
 * Flags for Debian's Chromium as root on a closed network: no sandbox (root), no GPU, and none of the background
 * services (updates, sync, QUIC probes) that would otherwise flood the machine with refused connections.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--lang=zh-CN',
];

/** Resolves after the browser has laid out and painted twice (charts re-measure their width on resize). */
const NEXT_FRAME = 'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))';

export const WIDE = { width: 1366, height: 900 };
export const NARROW = { width: 375, height: 812 };

/** The browser binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium (scripts/install-chromium.sh installs it). */
export function chromiumPath(): string {
  const binary = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`${binary} is missing: run scripts/install-chromium.sh (apt-get install chromium) first`);
  }
  return binary;
}

/** Builds the console when dist/console has no build yet (scripts/test.sh builds it before the run). */
export function ensureConsoleBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'console', 'console.html'))) {
    execFileSync('npx', ['tsx', 'scripts/build-console.ts'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
}

export interface LaunchOptions {
  /** A phone instead of a desktop: 375x812, touch, the page's meta viewport honoured. */
  phone?: boolean;
  /** Grants the geolocation permission and reports this position to every page. */
  geolocation?: { latitude: number; longitude: number };
}

export interface Browser {
  context: BrowserContext;
  /** A new tab at 1366x900 (375x812 for a phone): its own sessionStorage, so each tab is its own login. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh, throw-away profile; times are shown in Asia/Shanghai, text in zh-CN. */
export async function launchBrowser({ phone = false, geolocation }: LaunchOptions = {}): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'yue-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: phone ? NARROW : WIDE,
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}),
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    timeout: 60_000,
  });
  context.setDefaultTimeout(20_000);
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves the page at 1366 and at 375 pixels wide as `<test>-<name>.png` and `<test>-<name>-375.png`; a page already
 * 375 wide (a phone) only as `<test>-<name>-375.png`.
 */
export async function screenshot(page: Page, test: string, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const size = page.viewportSize() ?? WIDE;
  if (size.width === NARROW.width) {
    await page.evaluate(NEXT_FRAME);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${test}-${name}-375.png`), fullPage: true });
    return;
  }
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${test}-${name}.png`), fullPage: true });
  await page.setViewportSize(NARROW);
  // Charts measure their width after a resize; give layout one frame.
  await page.evaluate(NEXT_FRAME);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${test}-${name}-375.png`), fullPage: true });
  await page.setViewportSize(size);
  await page.evaluate(NEXT_FRAME);
}

/** Fails the test on any uncaught page error, which would otherwise pass unseen. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Logs in through the console's login form. */
export async function signInThroughConsole(page: Page, baseUrl: string, username: string, password: string) {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('whoami').waitFor();
}

/** A console menu entry: the link `label` under the area heading `area` (absent for entries outside an area). */
export function menuLink(page: Page, label: string, area?: string) {
  const menu = page.getByRole('navigation', { name: '主菜单' });
  return (area ? menu.getByRole('group', { name: area }) : menu).getByRole('link', { name: label, exact: true });
}
