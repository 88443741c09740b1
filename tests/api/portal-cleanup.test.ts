import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { ensureSchedules, platformSchedules, portalLoginCleanupSchedule } from '../../worker/schedules.js';
import { createHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

/*
 * The nightly clean-up of portal sign-in records is a Temporal Schedule: ensured at worker start like every
 * platform schedule, it starts a workflow whose activity deletes codes and attempts older than a day. Here it
 * runs under its own schedule id on this file's task queue and is triggered at once instead of waiting for 03:17.
 */

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

async function insertRecords(phoneHash: string, hoursAgo: number) {
  const createdAt = sql<Date>`now() - make_interval(hours => ${hoursAgo})`;
  await h.db
    .insertInto('portal_login_code')
    .values({
      id: randomUUID(),
      phone_hash: phoneHash,
      code_hash: randomBytes(32).toString('base64url'),
      requested_ip: '10.9.9.9',
      expires_at: sql<Date>`now()`,
      created_at: createdAt,
    })
    .execute();
  await h.db
    .insertInto('portal_login_attempt')
    .values({ phone_hash: phoneHash, ip: '10.9.9.9', succeeded: false, created_at: createdAt })
    .execute();
}

const rowsOf = async (phoneHash: string) => ({
  codes: (await h.db.selectFrom('portal_login_code').select('id').where('phone_hash', '=', phoneHash).execute()).length,
  attempts: (await h.db.selectFrom('portal_login_attempt').select('id').where('phone_hash', '=', phoneHash).execute())
    .length,
});

describe('portal sign-in clean-up schedule', () => {
  test('is one of the platform schedules: nightly at 03:17 Shanghai time, keeping a day of records', () => {
    expect(platformSchedules('any-queue')).toContainEqual(portalLoginCleanupSchedule);
    expect(portalLoginCleanupSchedule).toMatchObject({
      workflowType: 'portalLoginCleanupWorkflow',
      args: [{ retentionHours: 24 }],
      spec: { calendars: [{ hour: 3, minute: 17 }], timezone: 'Asia/Shanghai' },
    });
  });

  test('when triggered, deletes codes and attempts older than a day and keeps the recent ones', async () => {
    const old = `cleanup-old-${randomUUID()}`;
    const recent = `cleanup-recent-${randomUUID()}`;
    await insertRecords(old, 49);
    await insertRecords(recent, 2);
    const scheduleId = `portal-login-cleanup-test-${randomUUID()}`;
    await ensureSchedules(h.client, h.taskQueue, [
      { ...portalLoginCleanupSchedule, scheduleId, workflowId: `${scheduleId}-run` },
    ]);
    const schedule = h.client.schedule.getHandle(scheduleId);
    onTestFinished(() => schedule.delete());

    await schedule.trigger();

    await waitFor(async () => (await rowsOf(old)).codes === 0, { message: 'old sign-in codes purged' });
    expect(await rowsOf(old)).toEqual({ codes: 0, attempts: 0 });
    expect(await rowsOf(recent)).toEqual({ codes: 1, attempts: 1 });
    const description = await schedule.describe();
    expect(description.info.recentActions).toHaveLength(1);
  });
});
