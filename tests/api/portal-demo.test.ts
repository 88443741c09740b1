import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  PORTAL_DEMO_WORKERS,
  RecordingSmsSender,
  seedPortalDemo,
  type PortalDemoSummary,
} from '../../seeds/demo-portal.js';
import { seedId } from '../../seeds/ids.js';
import { DEMO_PASSWORD } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

/*
 * The portal demo script (seeds/demo-portal.ts, run by `npm run demo`) against the test stack, twice: the
 * second run must change nothing. Then what a person trying the demo would see as demo worker A.
 */

const sms = new RecordingSmsSender();
let h: Harness;
let first: PortalDemoSummary;
let second: PortalDemoSummary;

const counts = async (workerIds: string[]) => {
  const ids = sql.join(workerIds.map((id) => sql`${id}::uuid`));
  const { rows } = await sql<{ cases: number; payments: number; feeds: number; events: number }>`
    select
      (select count(*)::int from assistance_case where worker_id in (${ids})) as cases,
      (select count(*)::int from payment where worker_id in (${ids})) as payments,
      (select count(*)::int from feed_row where worker_id in (${ids})) as feeds,
      (select count(*)::int from case_event e join assistance_case c on c.id = e.case_id where c.worker_id in (${ids})) as events
  `.execute(h.db);
  return rows[0]!;
};

beforeAll(async () => {
  // The demo signs its workers in on every run; this file lets a phone have a code at once and often.
  h = await createHarness({
    smsSender: sms,
    env: { PORTAL_CODE_RESEND_SECONDS: '0', PORTAL_CODES_PER_PHONE_PER_HOUR: '100' },
  });
  first = await seedPortalDemo({ app: h.app, db: h.db, sms, demoPassword: DEMO_PASSWORD });
});

afterAll(async () => {
  await h?.close();
});

describe('seeds/demo-portal.ts', () => {
  test('registers the demo workers and opens their applications: two for A, one for B', async () => {
    expect(first.workers.map((w) => [w.phone, w.caseIds.length])).toEqual([
      [PORTAL_DEMO_WORKERS[0].phone, 2],
      [PORTAL_DEMO_WORKERS[1].phone, 1],
    ]);
    expect(await counts(first.workers.map((w) => w.workerId))).toMatchObject({ cases: 3, payments: 2, feeds: 3 });
  });

  test('a second run answers the same and stores nothing more', async () => {
    const before = await counts(first.workers.map((w) => w.workerId));

    second = await seedPortalDemo({ app: h.app, db: h.db, sms, demoPassword: DEMO_PASSWORD });

    expect(second).toEqual(first);
    expect(await counts(first.workers.map((w) => w.workerId))).toEqual(before);
  });

  test('demo worker A signs in and sees the paid case, the one in progress, policies and the warm-heart list', async () => {
    const phone = PORTAL_DEMO_WORKERS[0].phone;
    await h.request('POST', '/portal/auth/code', { body: { phone } });
    const login = await h.request('POST', '/portal/auth/login', { body: { phone, code: sms.codeFor(phone) } });
    const token = login.body.token as string;

    const [cases, records, warm, policies] = await Promise.all([
      h.request('GET', '/portal/cases', { token }),
      h.request('GET', '/portal/records', { token }),
      h.request('GET', '/portal/warm-list', { token }),
      h.request('GET', '/portal/policies', { token }),
    ]);

    expect(login.body.worker).toMatchObject({ name: '陈秀娟', hardshipStatusLabel: '建档困难职工' });
    expect(cases.body.items.map((c: { categoryLabel: string; step: string }) => [c.categoryLabel, c.step])).toEqual([
      ['医疗救助', 'verify'],
      ['生活救助', 'report'],
    ]);
    expect(records.body.totals).toMatchObject({ paymentCount: 2, receivedFen: 170_000 });
    expect(warm.body.items.map((i: { sourceLabel: string }) => i.sourceLabel)).toEqual([
      '工会',
      '工会',
      '人社局',
      '民政局',
      '残联',
    ]);
    expect(policies.body.items.map((p: { id: string }) => p.id)).toContain(seedId('policy:keqiao-festival-visit'));
  });
});
