import { describe, expect, test } from 'vitest';
import { readApiConfig } from '../../api/config.js';
import { countedTimeLeft, EMPTY_CALENDAR } from '../../workflows/shared/working-time.js';

describe('console settings', () => {
  test('default to /console/ and /m/ with no tile server', () => {
    const { console: site } = readApiConfig({});

    expect({ basePath: site.basePath, phoneBasePath: site.phoneBasePath, tileUrl: site.tileUrl }).toEqual({
      basePath: '/console/',
      phoneBasePath: '/m/',
      tileUrl: null,
    });
    expect(site.distDir).toMatch(/dist\/console$/);
  });

  test('take valid paths and a tile URL', () => {
    const { console: site } = readApiConfig({
      CONSOLE_BASE_PATH: '/staff/',
      PHONE_BASE_PATH: '/worker/app/',
      MAP_TILE_URL: 'https://tiles.example.org/{z}/{x}/{y}.png',
    });

    expect([site.basePath, site.phoneBasePath, site.tileUrl]).toEqual([
      '/staff/',
      '/worker/app/',
      'https://tiles.example.org/{z}/{x}/{y}.png',
    ]);
  });

  test.each([
    ['CONSOLE_BASE_PATH', 'console', /CONSOLE_BASE_PATH must be a path/],
    ['CONSOLE_BASE_PATH', '/Console/', /CONSOLE_BASE_PATH must be a path/],
    ['CONSOLE_BASE_PATH', '/cases/', /CONSOLE_BASE_PATH must not start with an API path segment/],
    ['PHONE_BASE_PATH', '/docs/', /PHONE_BASE_PATH must not start with an API path segment/],
    ['PHONE_BASE_PATH', '/console/m/', /must not contain one another/],
    ['MAP_TILE_URL', 'ftp://tiles.example.org/{z}/{x}/{y}.png', /MAP_TILE_URL must be an http\(s\) URL/],
    ['MAP_TILE_URL', 'https://tiles.example.org/tile.png', /MAP_TILE_URL must be an http\(s\) URL/],
  ])('refuse %s=%s, naming it', (name, value, message) => {
    expect(() => readApiConfig({ [name]: value })).toThrow(message);
  });
});

describe('counted time left', () => {
  const friday = Date.parse('2026-12-04T10:00:00+08:00');
  const HOUR = 3_600_000;

  test('leaves weekends out on the working calendar and counts back once late', () => {
    const mondayTen = Date.parse('2026-12-07T10:00:00+08:00');

    expect(countedTimeLeft(friday, mondayTen, 'working', EMPTY_CALENDAR)).toBe(24 * HOUR);
    expect(countedTimeLeft(friday, mondayTen, 'natural', EMPTY_CALENDAR)).toBe(72 * HOUR);
    expect(countedTimeLeft(mondayTen, friday, 'working', EMPTY_CALENDAR)).toBe(-24 * HOUR);
    expect(countedTimeLeft(friday, friday, 'working', EMPTY_CALENDAR)).toBe(0);
  });

  test('leaves holidays out', () => {
    const calendar = { holidays: new Set(['2026-12-07']), workdays: new Set<string>() };
    const tuesdayTen = Date.parse('2026-12-08T10:00:00+08:00');

    expect(countedTimeLeft(friday, tuesdayTen, 'working', calendar)).toBe(24 * HOUR);
  });
});
