import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureConsoleBuilt } from '../e2e/browser.js';
import { expectError } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

/*
 * The API serves the built console and phone page as public static routes, without disturbing the JSON API:
 * its 404 handler, its auth and /docs. A missing build answers a 503 page that says how to build it.
 */

describe('serving the console and the phone page', () => {
  let harness: Harness;
  let unbuilt: Harness;
  let custom: Harness;
  let emptyDir: string;
  let scriptName: string;

  beforeAll(async () => {
    ensureConsoleBuilt();
    emptyDir = await mkdtemp(path.join(tmpdir(), 'yue-no-console-'));
    [harness, unbuilt, custom] = await Promise.all([
      createHarness(),
      createHarness({ env: { CONSOLE_DIST_DIR: emptyDir } }),
      createHarness({ env: { CONSOLE_BASE_PATH: '/staff/', PHONE_BASE_PATH: '/worker/' } }),
    ]);
    const assets = await readdir(path.join(harness.config.console.distDir, 'assets'));
    scriptName = assets.find((name) => /^console-.*\.js$/.test(name))!;
  });

  afterAll(async () => {
    await Promise.all([harness?.close(), unbuilt?.close(), custom?.close()]);
    await rm(emptyDir, { recursive: true, force: true });
  });

  const raw = (h: Harness, url: string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'GET', url, headers });

  test('/ and the bare base path redirect to the console', async () => {
    const root = await raw(harness, '/');
    const bare = await raw(harness, '/console');
    const phone = await raw(harness, '/m');

    expect([root.statusCode, root.headers.location]).toEqual([302, '/console/']);
    expect([bare.statusCode, bare.headers.location]).toEqual([302, '/console/']);
    expect([phone.statusCode, phone.headers.location]).toEqual([302, '/m/']);
  });

  test('every path below a base answers its page with the base and the client settings written in', async () => {
    for (const [url, base, title] of [
      ['/console/', '/console/', '越温暖 · 工会帮扶工作台'],
      ['/console/cases/3b0c2a0e-0000-4000-8000-000000000000', '/console/', '越温暖 · 工会帮扶工作台'],
      ['/console/board?unitId=x', '/console/', '越温暖 · 工会帮扶工作台'],
      ['/m/', '/m/', '越温暖 · 职工服务'],
      ['/m/progress/abc', '/m/', '越温暖 · 职工服务'],
    ] as const) {
      const page = await raw(harness, url);
      const meta = /<meta name="yue-config" content="([^"]+)">/.exec(page.body)?.[1] ?? '';

      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain(`<base href="${base}">`);
      expect(page.body).toContain(`<title>${title}</title>`);
      expect(JSON.parse(meta.replaceAll('&quot;', '"'))).toEqual({
        basePath: base,
        consoleBasePath: '/console/',
        phoneBasePath: '/m/',
        tileUrl: null,
      });
    }
  });

  test('assets are served with long caching, gzip when asked, and nothing outside the assets folder', async () => {
    const plain = await raw(harness, `/console/assets/${scriptName}`);
    const gzipped = await raw(harness, `/m/assets/${scriptName}`, { 'accept-encoding': 'gzip, br' });
    const onDisk = await readFile(path.join(harness.config.console.distDir, 'assets', scriptName), 'utf8');

    expect([plain.statusCode, plain.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(onDisk);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString('utf8')).toBe(onDisk);
    for (const url of [
      '/console/assets/..%2Fconsole.html',
      '/console/assets/.hidden.js',
      '/console/assets/missing.js',
      '/console/assets/console.html',
    ]) {
      const answer = await raw(harness, url);
      expect([url, answer.statusCode, answer.json().error.code]).toEqual([url, 404, 'ASSET_NOT_FOUND']);
    }
  });

  test('the JSON API, its 404 answer, its auth and /docs are unchanged', async () => {
    const unknown = await harness.request('GET', '/no-such-route');
    const inbox = await harness.request('GET', '/inbox');
    const docs = await raw(harness, '/docs/json');
    const health = await harness.request('GET', '/healthz');

    expectError(unknown, 404, 'ROUTE_NOT_FOUND');
    expectError(inbox, 401, 'NOT_AUTHENTICATED');
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json().paths)).not.toContain('/console/');
    expect(health.body).toEqual({ status: 'ok' });
  });

  test('without a build, the pages answer 503 with how to build them, never a blank page', async () => {
    for (const url of ['/console/', '/console/inbox', '/m/']) {
      const page = await raw(unbuilt, url);

      expect(page.statusCode, url).toBe(503);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('越温暖工作台尚未构建');
      expect(page.body).toContain('npm run build:console');
    }
  });

  test('configured base paths move the pages and the redirect', async () => {
    const root = await raw(custom, '/');
    const staff = await raw(custom, '/staff/inbox');
    const worker = await raw(custom, '/worker/');
    const old = await custom.request('GET', '/console/');

    expect([root.statusCode, root.headers.location]).toEqual([302, '/staff/']);
    expect(staff.body).toContain('<base href="/staff/">');
    expect(worker.body).toContain('<base href="/worker/">');
    expectError(old, 404, 'ROUTE_NOT_FOUND');
  });
});
