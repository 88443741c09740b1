import { describe, expect, test } from 'vitest';
import {
  TILE_SIZE,
  distanceM,
  fitZoom,
  project,
  tileUrlOf,
  tilesFor,
  toView,
  viewOf,
} from '../../api/console/src/shared/geo.js';

const shaoxing = { lng: 120.582, lat: 30.0 };
const keqiao = { lng: 120.493, lat: 30.084 };

describe('map arithmetic', () => {
  test('projects longitude and latitude to Web-Mercator pixels', () => {
    expect(project({ lng: 0, lat: 0 }, 0)).toEqual({ x: 128, y: 128 });
    expect(project({ lng: -180, lat: 0 }, 1).x).toBe(0);
    expect(project({ lng: 180, lat: 0 }, 1).x).toBe(512);
    expect(project({ lng: 0, lat: 89.9 }, 0).y).toBeCloseTo(0, 3);
    expect(project(shaoxing, 10).y).toBeLessThan(project({ lng: 120.582, lat: 29.9 }, 10).y);
  });

  test('picks the largest zoom at which the points fit with their margin', () => {
    const zoom = fitZoom([shaoxing, keqiao], 375, 280);
    const fits = (z: number) =>
      Math.abs(project(shaoxing, z).x - project(keqiao, z).x) <= 375 - 64 &&
      Math.abs(project(shaoxing, z).y - project(keqiao, z).y) <= 280 - 64;

    expect(fits(zoom)).toBe(true);
    expect(fits(zoom + 1)).toBe(false);
    expect(fitZoom([shaoxing], 375, 280)).toBe(15);
  });

  test('centres the view on the points and covers it with whole tiles', () => {
    const view = viewOf([shaoxing, keqiao], 600, 300);
    const a = toView(shaoxing, view);
    const b = toView(keqiao, view);
    const tiles = tilesFor(view);

    expect((a.x + b.x) / 2).toBeCloseTo(300, 6);
    expect((a.y + b.y) / 2).toBeCloseTo(150, 6);
    for (const p of [a, b]) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(600);
    }
    expect(Math.min(...tiles.map((t) => t.left))).toBeLessThanOrEqual(0);
    expect(Math.max(...tiles.map((t) => t.left + TILE_SIZE))).toBeGreaterThanOrEqual(600);
    expect(Math.min(...tiles.map((t) => t.top))).toBeLessThanOrEqual(0);
    expect(Math.max(...tiles.map((t) => t.top + TILE_SIZE))).toBeGreaterThanOrEqual(300);
    expect(tileUrlOf('https://t.example/{z}/{x}/{y}.png', { z: 3, x: 6, y: 2 })).toBe('https://t.example/3/6/2.png');
  });

  test('measures distances on the earth', () => {
    expect(distanceM(shaoxing, shaoxing)).toBe(0);
    expect(distanceM(shaoxing, keqiao) / 1000).toBeCloseTo(12.4, 0);
  });
});
