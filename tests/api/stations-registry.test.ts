import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shanghaiMoment } from '../../workflows/shared/opening-hours.js';
import { ADMIN_PASSWORD, detailFields, expectError, signIn, type Session } from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import {
  createStation,
  stationBody,
  stationStore,
  unitId,
  weekHours,
  type StationBody,
  type StationView,
} from '../support/station-api.js';

/*
 * The station registry, activities and visits. This file owns the stations of 越城 北海街道's grassroots unions
 * (yuecheng_t1_g1, yuecheng_t1_g2), placed near 30.35 N 121.10 E, where no other file looks them up.
 */

const OWNER = unitId('yuecheng_t1_g1');
const OWNER_2 = unitId('yuecheng_t1_g2');
const HERE = { latitude: 30.35, longitude: 121.1 };

let h: Harness;
const who = {} as Record<
  'admin' | 'district' | 'districtSupervisor' | 'grassroots' | 'otherDistrict' | 'inspector' | 'trainer',
  Session
>;

const body = (overrides: Partial<StationBody> = {}) => stationBody(OWNER, { ...HERE, ...overrides });

/** Sends the request and asserts that nothing under the owning units changed. */
async function refused(send: () => Promise<HarnessResponse>): Promise<HarnessResponse> {
  const before = [await stationStore(h.db, OWNER), await stationStore(h.db, OWNER_2)];

  const response = await send();

  expect([await stationStore(h.db, OWNER), await stationStore(h.db, OWNER_2)]).toEqual(before);
  return response;
}

beforeAll(async () => {
  h = await createHarness();
  who.admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  const names = {
    district: 'yuecheng_admin',
    districtSupervisor: 'yuecheng_supervisor',
    grassroots: 'yuecheng_t1_g1_caseworker',
    otherDistrict: 'keqiao_admin',
    inspector: 'yuecheng_inspector',
    trainer: 'trainer',
  } as const;
  for (const [key, username] of Object.entries(names)) {
    who[key as keyof typeof names] = await signIn(h, username);
  }
});

afterAll(async () => {
  await h?.close();
});

describe('POST /stations', () => {
  test('registers a station and answers it with the responsible person’s phone masked', async () => {
    const station = await createStation(
      h,
      who.district.token,
      body({
        name: '北海越工驿站',
        responsiblePerson: { name: '林晓', phone: '139 1234 5678' },
        notes: '钥匙在门卫室',
      }),
    );

    expect(station).toMatchObject({
      name: '北海越工驿站',
      type: 'standard',
      typeLabel: '标准型',
      status: 'open',
      statusLabel: '服务中',
      latitude: HERE.latitude,
      longitude: HERE.longitude,
      services: ['water', 'charging', 'rest_seats'],
      ownerUnitId: OWNER,
      responsiblePerson: { name: '林晓', phone: '139****5678' },
      notes: '钥匙在门卫室',
    });
    expect(station.hours).toEqual(weekHours());
  });

  test('registers a 24-hour station without hours as open all day, every day, holidays included', async () => {
    const station = await createStation(h, who.admin.token, body({ type: '24h', hours: undefined }));

    expect(station.openNow).toBe(true);
    expect(station.hours).toEqual({
      ...weekHours('00:00', '24:00'),
      holiday: [{ opens: '00:00', closes: '24:00' }],
    });
  });

  test('registers a station as planned unless told otherwise, and a planned station is not open now', async () => {
    const { status: _status, ...rest } = body({ hours: weekHours('00:00', '24:00') });
    const station = await createStation(h, who.admin.token, rest);

    expect([station.status, station.openNow]).toEqual(['planned', false]);
  });

  test('is refused to caseworkers, inspectors and trainers, and outside the caller’s subtree', async () => {
    for (const session of [who.grassroots, who.inspector, who.trainer]) {
      expectError(
        await refused(() => h.request('POST', '/stations', { token: session.token, body: body() })),
        403,
        'ROLE_NOT_ALLOWED',
      );
    }
    const elsewhere = await refused(() =>
      h.request('POST', '/stations', { token: who.otherDistrict.token, body: body() }),
    );

    expectError(elsewhere, 404, 'UNIT_NOT_FOUND');
    expect(elsewhere.body.error.message).toContain('ownerUnitId');
  });

  const bad: [string, Partial<StationBody> | Record<string, unknown>, number, string, string[]][] = [
    ['a latitude above 90', { latitude: 95 }, 400, 'VALIDATION_FAILED', ['latitude']],
    ['a longitude below -180', { longitude: -200 }, 400, 'VALIDATION_FAILED', ['longitude']],
    ['a latitude sent as text', { latitude: '30.35' }, 400, 'VALIDATION_FAILED', ['latitude']],
    [
      'a position outside the service area (Shanghai)',
      { latitude: 31.23, longitude: 121.47 },
      422,
      'OUTSIDE_SERVICE_AREA',
      ['latitude', 'longitude'],
    ],
    ['an unknown service', { services: ['water', 'sauna'] }, 400, 'VALIDATION_FAILED', ['services.1']],
    ['a service twice', { services: ['water', 'water'] }, 400, 'VALIDATION_FAILED', ['services']],
    ['an unknown type', { type: 'mega' }, 400, 'VALIDATION_FAILED', ['type']],
    ['a new station registered as suspended', { status: 'suspended' }, 400, 'VALIDATION_FAILED', ['status']],
    ['a field the API does not know', { openNow: true }, 400, 'VALIDATION_FAILED', ['openNow']],
    [
      'hours that overlap',
      {
        hours: {
          ...weekHours(),
          mon: [
            { opens: '08:00', closes: '12:00' },
            { opens: '11:00', closes: '18:00' },
          ],
        },
      },
      422,
      'HOURS_INVALID',
      ['hours.mon.1'],
    ],
    [
      'hours that end before they begin',
      { hours: { ...weekHours(), tue: [{ opens: '22:00', closes: '06:00' }] } },
      422,
      'HOURS_INVALID',
      ['hours.tue.0'],
    ],
    [
      'a time of day that does not exist',
      { hours: { ...weekHours(), wed: [{ opens: '25:00', closes: '26:00' }] } },
      422,
      'HOURS_INVALID',
      ['hours.wed.0.opens'],
    ],
    [
      'hours missing a day',
      { hours: { mon: [], tue: [] } },
      400,
      'VALIDATION_FAILED',
      ['hours.fri', 'hours.sat', 'hours.sun', 'hours.thu', 'hours.wed'],
    ],
    ['no hours for a standard station', { hours: undefined }, 422, 'HOURS_REQUIRED', ['hours']],
    [
      'a 24-hour station that closes at night',
      { type: '24h', hours: weekHours('06:00', '23:00') },
      422,
      'HOURS_INVALID',
      ['hours'],
    ],
    [
      'a phone that is no phone number',
      { responsiblePerson: { name: '林晓', phone: '12345' } },
      422,
      'PHONE_INVALID',
      ['responsiblePerson.phone'],
    ],
  ];

  test.each(bad)('refuses %s and stores nothing', async (_label, overrides, status, code, fields) => {
    const response = await refused(() =>
      h.request('POST', '/stations', { token: who.admin.token, body: { ...body(), ...overrides } }),
    );

    expectError(response, status, code);
    expect(detailFields(response)).toEqual(fields);
  });
});

describe('GET /stations', () => {
  let mine: StationView;

  beforeAll(async () => {
    mine = await createStation(
      h,
      who.admin.token,
      stationBody(OWNER_2, {
        ...HERE,
        name: '府山测试驿站',
        type: 'benchmark',
        services: ['water', 'toilet'],
        status: 'building',
      }),
    );
  });

  test('lists stations of the caller’s subtree only, filtered by type, status and service', async () => {
    const listed = await h.request('GET', `/stations?unitId=${OWNER_2}&type=benchmark&status=building&service=toilet`, {
      token: who.district.token,
    });
    const otherDistrict = await h.request('GET', '/stations?limit=500', { token: who.otherDistrict.token });

    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: StationView) => s.id)).toEqual([mine.id]);
    expect(otherDistrict.body.items.map((s: StationView) => s.id)).not.toContain(mine.id);
    expect(otherDistrict.body.items.every((s: StationView) => !String(s.ownerUnitId).startsWith(OWNER))).toBe(true);
  });

  test('pages with limit and cursor, each station once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: HarnessResponse = await h.request(
        'GET',
        `/stations?unitId=${unitId('yuecheng')}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        {
          token: who.district.token,
        },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s: StationView) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(22);
  });

  test('shows one station with the full phone to staff in scope, audits the read, and 404s outside it', async () => {
    const created = await createStation(
      h,
      who.admin.token,
      body({ responsiblePerson: { name: '周敏', phone: '0575-88123456' } }),
    );

    const detail = await h.request('GET', `/stations/${created.id}`, { token: who.inspector.token });
    const outside = await h.request('GET', `/stations/${created.id}`, { token: who.otherDistrict.token });
    const audit = await h.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_user_id'])
      .where('target_id', '=', created.id)
      .where('action', '=', 'station.read')
      .execute();

    expect(detail.status).toBe(200);
    expect(detail.body.responsiblePerson).toEqual({ name: '周敏', phone: '057588123456' });
    expect(detail.body).toMatchObject({ activitiesHeld: 0, visitsTotal: 0, commendations: 0, latestInspection: null });
    expectError(outside, 404, 'STATION_NOT_FOUND');
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'station.read', outcome: 'ok', actor_user_id: who.inspector.id },
        { action: 'station.read', outcome: 'denied', actor_user_id: who.otherDistrict.id },
      ]),
    );
  });
});

describe('PATCH /stations/:id', () => {
  test('lets the station’s own staff update services and hours, and open-now follows the new hours', async () => {
    const today = shanghaiMoment(Date.now()).weekday;
    const station = await createStation(h, who.admin.token, body({ hours: weekHours('00:00', '24:00') }));

    const closedToday = await h.request('PATCH', `/stations/${station.id}`, {
      token: who.grassroots.token,
      body: {
        services: ['water', 'hot_water', 'microwave'],
        hours: { ...weekHours('00:00', '24:00'), [today]: [], holiday: [] },
      },
    });

    expect(closedToday.status).toBe(200);
    expect(closedToday.body).toMatchObject({
      services: ['water', 'hot_water', 'microwave'],
      openNow: false,
      status: 'open',
    });
    expect(station.openNow).toBe(true);
  });

  test('lets only admins and supervisors change the status, along the allowed moves only', async () => {
    const station = await createStation(h, who.admin.token, body());

    const byCaseworker = await refused(() =>
      h.request('PATCH', `/stations/${station.id}`, { token: who.grassroots.token, body: { status: 'suspended' } }),
    );
    const suspended = await h.request('PATCH', `/stations/${station.id}`, {
      token: who.districtSupervisor.token,
      body: { status: 'suspended' },
    });
    const backToPlanned = await refused(() =>
      h.request('PATCH', `/stations/${station.id}`, { token: who.district.token, body: { status: 'planned' } }),
    );
    const closed = await h.request('PATCH', `/stations/${station.id}`, {
      token: who.district.token,
      body: { status: 'closed' },
    });
    const reopened = await refused(() =>
      h.request('PATCH', `/stations/${station.id}`, { token: who.district.token, body: { status: 'open' } }),
    );

    expectError(byCaseworker, 403, 'ROLE_NOT_ALLOWED');
    expect([suspended.status, suspended.body.status, suspended.body.openNow]).toEqual([200, 'suspended', false]);
    expectError(backToPlanned, 409, 'STATUS_CHANGE_NOT_ALLOWED');
    expect(backToPlanned.body.error.message).toBe('驿站状态不能由「暂停服务」改为「规划中」');
    expect(closed.body.status).toBe('closed');
    expectError(reopened, 409, 'STATUS_CHANGE_NOT_ALLOWED');
  });

  test('turns a station into a 24-hour one open all day, and refuses 24-hour hours that close', async () => {
    const station = await createStation(h, who.admin.token, body());

    const partial = await refused(() =>
      h.request('PATCH', `/stations/${station.id}`, {
        token: who.district.token,
        body: { type: '24h', hours: weekHours('06:00', '22:00') },
      }),
    );
    const roundTheClock = await h.request('PATCH', `/stations/${station.id}`, {
      token: who.district.token,
      body: { type: '24h' },
    });

    expectError(partial, 422, 'HOURS_INVALID');
    expect([roundTheClock.status, roundTheClock.body.type, roundTheClock.body.openNow]).toEqual([200, '24h', true]);
  });

  test('refuses an empty body, bad hours and a position outside the area, naming the field, and changes nothing', async () => {
    const station = await createStation(h, who.admin.token, body());
    const patch = (b: unknown) =>
      refused(() => h.request('PATCH', `/stations/${station.id}`, { token: who.district.token, body: b }));

    const empty = await patch({});
    const overlap = await patch({
      hours: {
        ...weekHours(),
        sat: [
          { opens: '09:00', closes: '17:00' },
          { opens: '16:00', closes: '20:00' },
        ],
      },
    });
    const away = await patch({ latitude: 28.0 });
    const inspector = await refused(() =>
      h.request('PATCH', `/stations/${station.id}`, { token: who.inspector.token, body: { services: ['water'] } }),
    );
    const outside = await refused(() =>
      h.request('PATCH', `/stations/${station.id}`, { token: who.otherDistrict.token, body: { services: ['water'] } }),
    );

    expectError(empty, 400, 'VALIDATION_FAILED');
    expectError(overlap, 422, 'HOURS_INVALID');
    expect(detailFields(overlap)).toEqual(['hours.sat.1']);
    expectError(away, 422, 'OUTSIDE_SERVICE_AREA');
    expectError(inspector, 403, 'ROLE_NOT_ALLOWED');
    expectError(outside, 404, 'STATION_NOT_FOUND');
  });
});

describe('POST /stations/:id/activities and /visits', () => {
  let station: StationView;

  beforeAll(async () => {
    station = await createStation(h, who.admin.token, body({ name: '活动测试驿站' }));
  });

  test('records an activity held, which the station’s detail then counts', async () => {
    const held = await h.request('POST', `/stations/${station.id}/activities`, {
      token: who.grassroots.token,
      body: { date: '2026-11-20', title: '冬季送温暖', participants: 35 },
    });
    const detail = await h.request('GET', `/stations/${station.id}`, { token: who.grassroots.token });

    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({
      stationId: station.id,
      date: '2026-11-20',
      title: '冬季送温暖',
      participants: 35,
    });
    expect(detail.body).toMatchObject({ activitiesHeld: 1, activityParticipants: 35 });
  });

  test('records a day’s visitors once per day: a second report for the day corrects it, never adds', async () => {
    const first = await h.request('POST', `/stations/${station.id}/visits`, {
      token: who.grassroots.token,
      body: { date: '2026-11-23', count: 30 },
    });
    const corrected = await h.request('POST', `/stations/${station.id}/visits`, {
      token: who.grassroots.token,
      body: { date: '2026-11-23', count: 25 },
    });
    const nextDay = await h.request('POST', `/stations/${station.id}/visits`, {
      token: who.grassroots.token,
      body: { date: '2026-11-24', count: 12 },
    });
    const rows = await h.db
      .selectFrom('station_visit')
      .select(['visit_date', 'visitors'])
      .where('station_id', '=', station.id)
      .orderBy('visit_date')
      .execute();

    expect([first.status, first.body]).toEqual([
      201,
      { stationId: station.id, date: '2026-11-23', count: 30, replaced: false },
    ]);
    expect([corrected.status, corrected.body.replaced, corrected.body.count]).toEqual([200, true, 25]);
    expect(nextDay.status).toBe(201);
    expect(rows).toEqual([
      { visit_date: '2026-11-23', visitors: 25 },
      { visit_date: '2026-11-24', visitors: 12 },
    ]);
  });

  test('a repeated request with the same Idempotency-Key answers the same and adds nothing', async () => {
    const send = () =>
      h.request('POST', `/stations/${station.id}/activities`, {
        token: who.grassroots.token,
        body: { date: '2026-11-21', title: '法律援助进驿站', participants: 12 },
        headers: { 'idempotency-key': `activity-${station.id}` },
      });

    const first = await send();
    const again = await send();
    const count = await h.db
      .selectFrom('station_activity')
      .select(h.db.fn.countAll<number>().as('n'))
      .where('station_id', '=', station.id)
      .where('held_on', '=', '2026-11-21')
      .executeTakeFirstOrThrow();

    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(Number(count.n)).toBe(1);
  });

  test('refuses a future date, a date that does not exist, no participants, and a station not yet built', async () => {
    const planned = await createStation(h, who.admin.token, body({ status: 'planned' }));
    const tomorrow = shanghaiMoment(Date.now() + 86_400_000).date;
    const activity = (id: string, b: unknown) =>
      refused(() => h.request('POST', `/stations/${id}/activities`, { token: who.grassroots.token, body: b }));

    const future = await activity(station.id, { date: tomorrow, title: '未来活动', participants: 5 });
    const impossible = await activity(station.id, { date: '2026-02-30', title: '不存在的日子', participants: 5 });
    const nobody = await activity(station.id, { date: '2026-11-01', title: '无人参加', participants: 0 });
    const notBuilt = await activity(planned.id, { date: '2026-11-01', title: '尚未建成', participants: 5 });
    const visitsNotBuilt = await refused(() =>
      h.request('POST', `/stations/${planned.id}/visits`, {
        token: who.grassroots.token,
        body: { date: '2026-11-01', count: 3 },
      }),
    );
    const negative = await refused(() =>
      h.request('POST', `/stations/${station.id}/visits`, {
        token: who.grassroots.token,
        body: { date: '2026-11-01', count: -1 },
      }),
    );
    const outside = await refused(() =>
      h.request('POST', `/stations/${station.id}/visits`, {
        token: who.otherDistrict.token,
        body: { date: '2026-11-01', count: 3 },
      }),
    );

    expectError(future, 422, 'DATE_INVALID');
    expect(detailFields(future)).toEqual(['date']);
    expectError(impossible, 422, 'DATE_INVALID');
    expectError(nobody, 400, 'VALIDATION_FAILED');
    expect(detailFields(nobody)).toEqual(['participants']);
    expectError(notBuilt, 409, 'STATION_NOT_IN_SERVICE');
    expectError(visitsNotBuilt, 409, 'STATION_NOT_IN_SERVICE');
    expectError(negative, 400, 'VALIDATION_FAILED');
    expectError(outside, 404, 'STATION_NOT_FOUND');
  });
});
