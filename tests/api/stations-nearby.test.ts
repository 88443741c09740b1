import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildStations } from '../../seeds/06-stations.js';
import { haversineMetres } from '../../workflows/shared/geo.js';
import { shanghaiMoment } from '../../workflows/shared/opening-hours.js';
import { ADMIN_PASSWORD, detailFields, expectError, signIn, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import { createStation, stationBody, unitId, weekHours, type StationView } from '../support/station-api.js';

/*
 * GET /public/stations/nearby against a hand-checked set. This file owns the stations of 上虞 百官街道's first
 * grassroots union (shangyu_t1_g1) and two spots of the map that no seeded station is near: P, where the set lies
 * on P's meridian (so each distance is the latitude offset times 111,195.08 m, checkable by hand), and P2, about
 * 4.8 km east, for "open right now". Times are given with `at` where they must be exact.
 */

const OWNER = unitId('shangyu_t1_g1');
const P = { lat: 29.32, lng: 120.05 };
const P2 = { lat: 29.32, lng: 120.1 };
/** Metres per 0.001° of latitude on the mean-radius sphere. */
const M_PER_MILLIDEGREE = 111.195_08;

/** Monday 2 November 2026, 23:30 in Shanghai: night. */
const MONDAY_NIGHT = '2026-11-02T23:30:00+08:00';
/** The following Tuesday at 01:00 and at 03:00. */
const TUESDAY_1AM = '2026-11-03T01:00:00+08:00';
const TUESDAY_3AM = '2026-11-03T03:00:00+08:00';
/** National Day 2026, a Thursday and a public holiday in the seeded calendar, at 10:00. */
const NATIONAL_DAY_10AM = '2026-10-01T10:00:00+08:00';

const CANARY_PHONE = '13912345678';
const CANARY_NAME = '金丝雀负责人';
const CANARY_NOTE = '内部备注：金丝雀，不得公开';

const PUBLIC_PROPERTIES = [
  'address',
  'distanceM',
  'hours',
  'name',
  'open24h',
  'openNow',
  'serviceLabels',
  'services',
  'status',
  'statusLabel',
  'type',
  'typeLabel',
];

interface Feature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: { name: string; distanceM: number; openNow: boolean; status: string; [key: string]: unknown };
}

interface Collection {
  type: 'FeatureCollection';
  openNowAt: string;
  radiusM: number;
  features: Feature[];
}

let h: Harness;
let admin: Session;
const at = (north: number) => ({ latitude: Math.round((P.lat + north) * 1e6) / 1e6, longitude: P.lng });
const allDay = () => weekHours('00:00', '24:00');
const evening = () => {
  const day = [
    { opens: '00:00', closes: '02:00' },
    { opens: '18:00', closes: '24:00' },
  ];
  return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
};

/** The hand-checked set, by letter. */
const set: Record<string, StationView> = {};

async function nearby(query: string): Promise<HarnessResponse<Collection>> {
  return h.request<Collection>('GET', `/public/stations/nearby?${query}`);
}

const summary = (response: HarnessResponse<Collection>) =>
  response.body.features.map((f) => [f.properties.name, f.properties.distanceM, f.properties.openNow]);

beforeAll(async () => {
  h = await createHarness();
  admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  const make = (letter: string, body: Parameters<typeof stationBody>[1]) =>
    createStation(h, admin.token, stationBody(OWNER, { name: `测试驿站${letter}`, ...body })).then((station) => {
      set[letter] = station;
    });
  await Promise.all([
    // Open 08:00-20:00 every day, closed on public holidays.
    make('A', { ...at(0.002), hours: { ...weekHours('08:00', '20:00'), holiday: [] } }),
    make('B', {
      ...at(-0.004),
      type: '24h',
      hours: undefined,
      services: ['water', 'hot_water', 'microwave', 'toilet'],
    }),
    // Evenings across midnight, written as two intervals a day; no holiday hours, so it keeps them on holidays.
    make('C', { ...at(0.006), hours: evening(), services: ['water', 'microwave'] }),
    // Would be open all day, but suspended: listed, never open.
    make('D', { ...at(-0.008), hours: allDay() }),
    make('E', { ...at(0.001), status: 'planned' }),
    make('F', {
      ...at(0.018),
      type: 'benchmark',
      hours: { ...weekHours('07:00', '22:00'), holiday: [{ opens: '08:00', closes: '20:00' }] },
    }),
    // Open on Tuesdays only: catches any confusion of the weekday.
    make('J', {
      ...at(0.01),
      hours: { mon: [], tue: [{ opens: '00:00', closes: '24:00' }], wed: [], thu: [], fri: [], sat: [], sun: [] },
    }),
    make('G', {
      ...at(-0.0179),
      notes: CANARY_NOTE,
      responsiblePerson: { name: CANARY_NAME, phone: CANARY_PHONE },
    }),
  ]);
  const suspended = await h.request('PATCH', `/stations/${set.D!.id}`, {
    token: admin.token,
    body: { status: 'suspended' },
  });
  expect(suspended.status).toBe(200);
});

afterAll(async () => {
  await h?.close();
});

describe('GET /public/stations/nearby', () => {
  test('no seeded station lies within 5 km of either spot this file uses', () => {
    const near = buildStations().filter(
      (s) =>
        Math.min(
          haversineMetres(P, { lat: s.latitude, lng: s.longitude }),
          haversineMetres(P2, { lat: s.latitude, lng: s.longitude }),
        ) < 5000,
    );

    expect(near).toEqual([]);
  });

  test('answers a GeoJSON FeatureCollection sorted by distance, with metres, open-now at night and no login', async () => {
    const response = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2000&at=${encodeURIComponent(MONDAY_NIGHT)}`);

    expect(response.status).toBe(200);
    expect(response.body.type).toBe('FeatureCollection');
    expect(response.body.openNowAt).toBe('2026-11-02T23:30:00.000+08:00');
    expect(summary(response)).toEqual([
      ['测试驿站A', 222, false],
      ['测试驿站B', 445, true],
      ['测试驿站C', 667, true],
      ['测试驿站D', 890, false],
      ['测试驿站J', 1112, false],
      ['测试驿站G', 1990, false],
    ]);
    const b = response.body.features[1]!;
    expect(b).toMatchObject({
      type: 'Feature',
      id: set.B!.id,
      geometry: { type: 'Point', coordinates: [P.lng, at(-0.004).latitude] },
      properties: {
        type: '24h',
        open24h: true,
        status: 'open',
        services: ['water', 'hot_water', 'microwave', 'toilet'],
      },
    });
    expect(response.body.features[3]!.properties).toMatchObject({ status: 'suspended', statusLabel: '暂停服务' });
  });

  test('the shared great-circle distance agrees with the hand-checked latitude offsets times 111,195.08 m', () => {
    const offsets = [2, 4, 6, 8, 10, 17.9, 18];
    const byHand = offsets.map((millidegrees) => Math.round(millidegrees * M_PER_MILLIDEGREE));
    const byCode = offsets.map((millidegrees) =>
      Math.round(haversineMetres(P, { lat: P.lat + millidegrees / 1000, lng: P.lng })),
    );

    expect(byHand).toEqual([222, 445, 667, 890, 1112, 1990, 2002]);
    expect(byCode).toEqual(byHand);
  });

  test('openNow keeps only the stations open at the moment: at night the 24-hour one, the evening one, then Tuesday’s', async () => {
    const night = await nearby(
      `lat=${P.lat}&lng=${P.lng}&radiusM=2000&openNow=true&at=${encodeURIComponent(MONDAY_NIGHT)}`,
    );
    const oneAm = await nearby(
      `lat=${P.lat}&lng=${P.lng}&radiusM=2000&openNow=true&at=${encodeURIComponent(TUESDAY_1AM)}`,
    );
    const threeAm = await nearby(
      `lat=${P.lat}&lng=${P.lng}&radiusM=2000&openNow=true&at=${encodeURIComponent(TUESDAY_3AM)}`,
    );

    expect(summary(night)).toEqual([
      ['测试驿站B', 445, true],
      ['测试驿站C', 667, true],
    ]);
    expect(summary(oneAm).map(([name]) => name)).toEqual(['测试驿站B', '测试驿站C', '测试驿站J']);
    expect(summary(threeAm).map(([name]) => name)).toEqual(['测试驿站B', '测试驿站J']);
  });

  test('on a public holiday a station keeps its holiday hours, or its weekday hours when it has none', async () => {
    const response = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2100&at=${encodeURIComponent(NATIONAL_DAY_10AM)}`);

    // A closes on holidays; C and J keep their (Thursday) weekday hours; F opens 08:00-20:00 on holidays; G keeps 08-20.
    expect(summary(response)).toEqual([
      ['测试驿站A', 222, false],
      ['测试驿站B', 445, true],
      ['测试驿站C', 667, false],
      ['测试驿站D', 890, false],
      ['测试驿站J', 1112, false],
      ['测试驿站G', 1990, true],
      ['测试驿站F', 2002, true],
    ]);
  });

  test('a station 2,002 m away is outside a 2,000 m radius and inside 2,002 m; a planned one is never listed', async () => {
    const inside = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2002`);
    const outside = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2001`);

    expect(inside.body.features.map((f) => f.properties.name)).toContain('测试驿站F');
    expect(outside.body.features.map((f) => f.properties.name)).not.toContain('测试驿站F');
    expect(inside.body.features.map((f) => f.id)).not.toContain(set.E!.id);
  });

  test('service keeps stations that offer every service asked for', async () => {
    const night = encodeURIComponent(MONDAY_NIGHT);
    const microwave = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2000&service=microwave&at=${night}`);
    const both = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2000&service=microwave&service=toilet&at=${night}`);

    expect(microwave.body.features.map((f) => f.properties.name)).toEqual(['测试驿站B', '测试驿站C']);
    expect(both.body.features.map((f) => f.properties.name)).toEqual(['测试驿站B']);
  });

  test('without `at` it judges the present: a station closed today is not open now, one open all day is', async () => {
    const today = shanghaiMoment(Date.now()).weekday;
    const closedToday = { ...allDay(), [today]: [], holiday: [] };
    const [closed, open] = await Promise.all([
      createStation(
        h,
        admin.token,
        stationBody(OWNER, { name: '测试驿站H', latitude: P2.lat + 0.001, longitude: P2.lng, hours: closedToday }),
      ),
      createStation(
        h,
        admin.token,
        stationBody(OWNER, { name: '测试驿站I', latitude: P2.lat + 0.002, longitude: P2.lng, hours: allDay() }),
      ),
    ]);

    const all = await nearby(`lat=${P2.lat}&lng=${P2.lng}&radiusM=1000`);
    const openNow = await nearby(`lat=${P2.lat}&lng=${P2.lng}&radiusM=1000&openNow=true`);

    expect(all.body.features.map((f) => [f.id, f.properties.openNow])).toEqual([
      [closed.id, false],
      [open.id, true],
    ]);
    expect(openNow.body.features.map((f) => f.id)).toEqual([open.id]);
    expect(Date.parse(all.body.openNowAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  test('shows public fields only: nothing of the responsible person, the owning unit or internal notes', async () => {
    const response = await nearby(`lat=${P.lat}&lng=${P.lng}&radiusM=2000`);
    const raw = JSON.stringify(response.body);

    expect(
      response.body.features.every((f) => Object.keys(f.properties).sort().join() === PUBLIC_PROPERTIES.join()),
    ).toBe(true);
    expect(Object.keys(response.body.features[0]!).sort()).toEqual(['geometry', 'id', 'properties', 'type']);
    for (const secret of [CANARY_PHONE, CANARY_PHONE.slice(-4), CANARY_NAME, '金丝雀', OWNER]) {
      expect(raw).not.toContain(secret);
    }
  });

  test('lets clients and proxies keep the answer for 30 seconds', async () => {
    const response = await nearby(`lat=${P.lat}&lng=${P.lng}`);

    expect(response.headers['cache-control']).toBe('public, max-age=30');
    expect(response.body.radiusM).toBe(3000);
  });
});

describe('the OpenAPI document', () => {
  test('describes the station routes, the public lookup without a login', async () => {
    const response = await h.request('GET', '/docs/json');
    const paths = response.body.paths as Record<string, Record<string, { security?: unknown[] }>>;

    expect(response.status).toBe(200);
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/stations',
        '/stations/{id}',
        '/public/stations/nearby',
        '/inspections',
        '/inspections/{id}/actions/submit',
        '/stations/{id}/activities',
        '/stations/{id}/visits',
        '/reports/stations',
      ]),
    );
    expect(paths['/public/stations/nearby']!.get!.security).toEqual([]);
  });
});

describe('GET /public/stations/nearby with bad input', () => {
  const cases: [string, number, string, string, string[]][] = [
    ['latitude out of range', 400, 'VALIDATION_FAILED', 'lat=91&lng=120.05', ['lat']],
    ['longitude out of range', 400, 'VALIDATION_FAILED', 'lat=29.32&lng=-181', ['lng']],
    ['a latitude that is not a number', 400, 'VALIDATION_FAILED', 'lat=north&lng=120.05', ['lat']],
    ['no latitude', 400, 'VALIDATION_FAILED', 'lng=120.05', ['lat']],
    [
      'a position outside the service area (Beijing)',
      422,
      'OUTSIDE_SERVICE_AREA',
      'lat=39.9&lng=116.4',
      ['lat', 'lng'],
    ],
    ['a radius of zero', 400, 'VALIDATION_FAILED', 'lat=29.32&lng=120.05&radiusM=0', ['radiusM']],
    ['a radius of 10,000 km', 400, 'VALIDATION_FAILED', 'lat=29.32&lng=120.05&radiusM=10000000', ['radiusM']],
    ['an unknown service', 400, 'VALIDATION_FAILED', 'lat=29.32&lng=120.05&service=sauna', ['service.0']],
    [
      'an unknown parameter (a misspelt radius)',
      400,
      'VALIDATION_FAILED',
      'lat=29.32&lng=120.05&radius=500',
      ['radius'],
    ],
    ['a time that is not ISO-8601', 400, 'VALIDATION_FAILED', 'lat=29.32&lng=120.05&at=tonight', ['at']],
  ];

  test.each(cases)('%s answers %i %s naming the field', async (_label, status, code, query, fields) => {
    const response = await nearby(query);

    expectError(response, status, code);
    expect(detailFields(response)).toEqual(fields);
  });
});
