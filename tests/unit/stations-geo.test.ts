import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  EARTH_RADIUS_M,
  SERVICE_AREA,
  boundingBox,
  haversineMetres,
  withinServiceArea,
} from '../../workflows/shared/geo.js';

describe('haversineMetres', () => {
  test('along a meridian is the radius times the latitude difference in radians', () => {
    const metres = haversineMetres({ lat: 30, lng: 120.5 }, { lat: 30.009, lng: 120.5 });

    expect(metres).toBeCloseTo((0.009 * Math.PI * EARTH_RADIUS_M) / 180, 6);
    expect(Math.round(metres)).toBe(1001);
  });

  test('is zero from a point to itself and the same both ways', () => {
    const a = { lat: 29.99, lng: 120.58 };
    const b = { lat: 30.05, lng: 120.47 };

    expect(haversineMetres(a, a)).toBe(0);
    expect(haversineMetres(a, b)).toBeCloseTo(haversineMetres(b, a), 9);
  });
});

describe('boundingBox', () => {
  test('holds every point within the radius, however the point lies around the centre', () => {
    const inArea = fc.record({
      lat: fc.double({ min: SERVICE_AREA.minLat, max: SERVICE_AREA.maxLat, noNaN: true }),
      lng: fc.double({ min: SERVICE_AREA.minLng, max: SERVICE_AREA.maxLng, noNaN: true }),
    });

    fc.assert(
      fc.property(
        inArea,
        fc.integer({ min: 1, max: 50_000 }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (centre, radius, bearing, fraction) => {
          // A point at `fraction` of the radius along `bearing`, by the spherical destination formula.
          const d = (radius * fraction) / EARTH_RADIUS_M;
          const φ1 = (centre.lat * Math.PI) / 180;
          const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(bearing));
          const λ2 =
            (centre.lng * Math.PI) / 180 +
            Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
          const point = { lat: (φ2 * 180) / Math.PI, lng: (λ2 * 180) / Math.PI };
          const box = boundingBox(centre, radius);
          const slack = 1e-9;
          return (
            point.lat >= box.minLat - slack &&
            point.lat <= box.maxLat + slack &&
            point.lng >= box.minLng - slack &&
            point.lng <= box.maxLng + slack
          );
        },
      ),
    );
  });

  test('is a metre-scale box for a one-metre radius', () => {
    const box = boundingBox({ lat: 30, lng: 120.5 }, 1);

    expect(haversineMetres({ lat: box.minLat, lng: 120.5 }, { lat: box.maxLat, lng: 120.5 })).toBeCloseTo(2, 6);
  });
});

describe('withinServiceArea', () => {
  test('takes in the six districts and refuses points outside the box', () => {
    expect(withinServiceArea({ lat: 30.0, lng: 120.58 })).toBe(true); // 越城区
    expect(withinServiceArea({ lat: 29.5, lng: 120.9 })).toBe(true); // 新昌县
    expect(withinServiceArea({ lat: 39.9, lng: 116.4 })).toBe(false); // Beijing
    expect(withinServiceArea({ lat: 30.0, lng: 119.8 })).toBe(false); // west of the box
    expect(withinServiceArea({ lat: 30.41, lng: 120.5 })).toBe(false); // north of the box
  });
});
