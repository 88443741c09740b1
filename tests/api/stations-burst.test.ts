import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_PASSWORD, expectError, signIn } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createStation, stationBody, unitId } from '../support/station-api.js';

/*
 * The public lookup under a burst, against its own API instance whose limit is 200 requests a minute per address.
 * This file owns the stations of 上虞 曹娥街道's first grassroots union (shangyu_t2_g1) at a spot of the map no
 * seeded station and no other file's station is near.
 */

const LIMIT = 200;
const SPOT = { lat: 29.25, lng: 120.95 };
const QUERY = `/public/stations/nearby?lat=${SPOT.lat}&lng=${SPOT.lng}&radiusM=1500`;

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  const admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  const owner = unitId('shangyu_t2_g1');
  for (const [name, north] of [
    ['突发测试站一', 0.003],
    ['突发测试站二', -0.005],
    ['突发测试站三', 0.009],
  ] as const) {
    await createStation(
      h,
      admin.token,
      stationBody(owner, { name, latitude: SPOT.lat + north, longitude: SPOT.lng, type: '24h', hours: undefined }),
    );
  }
});

afterAll(async () => {
  await h?.close();
});

describe('GET /public/stations/nearby under a burst', () => {
  test(`answers ${LIMIT} concurrent requests from one address correctly, then 429 with a Chinese message`, async () => {
    const answers = await Promise.all(Array.from({ length: LIMIT }, () => h.app.inject({ method: 'GET', url: QUERY })));
    const bodies = answers.map(
      (answer) => JSON.parse(answer.body) as { features: { properties: { name: string; distanceM: number } }[] },
    );

    expect(answers.map((answer) => answer.statusCode)).toEqual(Array.from({ length: LIMIT }, () => 200));
    expect(new Set(bodies.map((body) => JSON.stringify(body.features))).size).toBe(1);
    expect(bodies[0]!.features.map((f) => [f.properties.name, f.properties.distanceM])).toEqual([
      ['突发测试站一', 334],
      ['突发测试站二', 556],
      ['突发测试站三', 1001],
    ]);
    expect(answers[0]!.headers['x-ratelimit-limit']).toBe(String(LIMIT));

    const over = await h.request('GET', QUERY);

    expectError(over, 429, 'TOO_MANY_REQUESTS');
    expect(over.body.error.message).toMatch(/^查询过于频繁，请在 \d+ 秒后再试$/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('counts per address: another address still gets its answers', async () => {
    const other = await h.app.inject({ method: 'GET', url: QUERY, remoteAddress: '10.20.30.40' });

    expect(other.statusCode).toBe(200);
    expect(JSON.parse(other.body).features).toHaveLength(3);
  });
});
