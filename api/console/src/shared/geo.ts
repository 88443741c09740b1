/**
 * Web-Mercator arithmetic for drawing points on a map: where a longitude/latitude falls in pixels at a zoom level,
 * which zoom fits a set of points in a box, and which 256-pixel tiles cover it. Pure: unit tests import it.
 */

export const TILE_SIZE = 256;
const MAX_LATITUDE = 85.05112878;

export interface LngLat {
  lng: number;
  lat: number;
}

/** The point's position in "world pixels" at a zoom: (0, 0) is the top left of the world, 256 * 2^zoom wide. */
export function project({ lng, lat }: LngLat, zoom: number): { x: number; y: number } {
  const scale = TILE_SIZE * 2 ** zoom;
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return {
    x: ((lng + 180) / 360) * scale,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale,
  };
}

/** The largest zoom (up to `maxZoom`) at which every point fits in width x height pixels, with a margin. */
export function fitZoom(points: readonly LngLat[], width: number, height: number, maxZoom = 17, margin = 32): number {
  if (points.length < 2) {
    return Math.min(maxZoom, 15);
  }
  for (let zoom = maxZoom; zoom > 0; zoom--) {
    const xs = points.map((p) => project(p, zoom).x);
    const ys = points.map((p) => project(p, zoom).y);
    if (
      Math.max(...xs) - Math.min(...xs) <= width - 2 * margin &&
      Math.max(...ys) - Math.min(...ys) <= height - 2 * margin
    ) {
      return zoom;
    }
  }
  return 0;
}

export interface View {
  zoom: number;
  /** World pixel at the top left of the box. */
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A box of the given size centred on the middle of the points (or on `center`), at the zoom that fits them. */
export function viewOf(points: readonly LngLat[], width: number, height: number, center?: LngLat): View {
  const zoom = fitZoom(center ? [...points, center] : points, width, height);
  const projected = points.map((p) => project(p, zoom));
  const middle = center
    ? project(center, zoom)
    : projected.length
      ? {
          x: (Math.min(...projected.map((p) => p.x)) + Math.max(...projected.map((p) => p.x))) / 2,
          y: (Math.min(...projected.map((p) => p.y)) + Math.max(...projected.map((p) => p.y))) / 2,
        }
      : project({ lng: 120.58, lat: 30.0 }, zoom);
  return { zoom, left: middle.x - width / 2, top: middle.y - height / 2, width, height };
}

/** Where a point falls inside the view's box, in pixels. */
export function toView(point: LngLat, view: View): { x: number; y: number } {
  const world = project(point, view.zoom);
  return { x: world.x - view.left, y: world.y - view.top };
}

/** The tiles covering the view: their z/x/y and where each is drawn inside the box. */
export function tilesFor(view: View): { z: number; x: number; y: number; left: number; top: number }[] {
  const count = 2 ** view.zoom;
  const tiles = [];
  for (let ty = Math.floor(view.top / TILE_SIZE); ty * TILE_SIZE < view.top + view.height; ty++) {
    for (let tx = Math.floor(view.left / TILE_SIZE); tx * TILE_SIZE < view.left + view.width; tx++) {
      if (ty < 0 || ty >= count) {
        continue;
      }
      tiles.push({
        z: view.zoom,
        x: ((tx % count) + count) % count,
        y: ty,
        left: tx * TILE_SIZE - view.left,
        top: ty * TILE_SIZE - view.top,
      });
    }
  }
  return tiles;
}

/** A tile server URL template filled in: `https://t.example/{z}/{x}/{y}.png`. */
export const tileUrlOf = (template: string, tile: { z: number; x: number; y: number }): string =>
  template.replace('{z}', String(tile.z)).replace('{x}', String(tile.x)).replace('{y}', String(tile.y));

/** Straight-line distance in metres (haversine), for "the nearest" when the server gives none. */
export function distanceM(a: LngLat, b: LngLat): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}
