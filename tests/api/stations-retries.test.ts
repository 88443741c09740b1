import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createStationInspectionActivities } from '../../activities/stations-inspection.activities.js';
import { createDb, type Db } from '../../db/database.js';
import { seedId } from '../../seeds/ids.js';
import { FailureType } from '../../workflows/shared/failure-types.js';
import { openRanges, toMultirange } from '../../workflows/shared/opening-hours.js';
import type { OpenInspectionRequest } from '../../workflows/station-inspection/station-inspection.records.js';
import { unitId, weekHours } from '../support/station-api.js';

/*
 * The inspection activities retried, as Temporal retries an activity whose worker died after the database commit:
 * each call is made twice with the same input, against the real database, in MockActivityEnvironment. This file
 * owns the stations of 越城 府山街道's first grassroots union (yuecheng_t2_g1), written straight into the table.
 */

const OWNER = unitId('yuecheng_t2_g1');
const INSPECTOR = seedId('user:yuecheng_inspector');

let db: Db;
// Errors only: the failure the last test provokes on purpose would otherwise be printed in full.
const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
let activities: ReturnType<typeof createStationInspectionActivities>;
/** env.run with the activity's own result type (the SDK's signature cannot infer it). */
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  env.run<A, R, (...args: A) => Promise<R>>(fn, ...args);

async function newStation(): Promise<string> {
  const owner = await db
    .selectFrom('org_unit')
    .select(['id', 'path'])
    .where('id', '=', OWNER)
    .executeTakeFirstOrThrow();
  const ranges = openRanges(weekHours());
  const row = await db
    .insertInto('station')
    .values({
      name: '重试测试驿站',
      type: 'standard',
      status: 'open',
      latitude: 30.1,
      longitude: 121.0,
      address: '越城区重试路 1 号',
      services: ['water'],
      hours: JSON.stringify(weekHours()),
      weekly_open: toMultirange(ranges.weekly),
      holiday_open: null,
      owner_unit_id: owner.id,
      owner_unit_path: owner.path,
      responsible_name: '测试',
      responsible_phone_enc: 'sealed',
      responsible_phone_masked: '139****0000',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Rows one inspection has written: events, notifications by kind, commendations, and its row's step. */
async function written(inspectionId: string) {
  const { rows } = await sql<{ events: number; notices: number; commendations: number; step: string }>`
    select (select count(*)::int from inspection_event where inspection_id = ${inspectionId}) as events,
           (select count(*)::int from notification where data ->> 'inspectionId' = ${inspectionId}) as notices,
           (select count(*)::int from station_commendation where inspection_id = ${inspectionId}) as commendations,
           (select step from inspection where id = ${inspectionId}) as step`.execute(db);
  return rows[0]!;
}

const opening = (stationId: string): OpenInspectionRequest => ({
  inspectionId: randomUUID(),
  stationId,
  period: `spot-retry-${randomUUID().slice(0, 8)}`,
  kind: 'spot',
  policyVersion: 0,
  orderedByUserId: null,
  occurredAt: Date.now(),
});

beforeAll(() => {
  db = createDb({ connectionString: inject('databaseUrl'), poolSize: 4 });
  activities = createStationInspectionActivities({ db });
});

afterAll(async () => {
  await db?.destroy();
});

describe('inspection activities retried', () => {
  test('opening an inspection twice records it once and assigns the inspector once', async () => {
    const request = opening(await newStation());

    const first = await run(activities.openInspection, request);
    const retry = await run(activities.openInspection, request);

    expect(retry).toEqual(first);
    expect(first.inspectorUserId).toBe(INSPECTOR);
    expect(await written(request.inspectionId)).toEqual({ events: 1, notices: 1, commendations: 0, step: 'inspect' });
  });

  test('an excellent score recorded twice commends the station once', async () => {
    const request = opening(await newStation());
    await run(activities.openInspection, request);
    const record = {
      inspectionId: request.inspectionId,
      occurredAt: Date.now(),
      event: {
        seq: 2,
        kind: 'submit' as const,
        fromStep: 'inspect' as const,
        toStep: 'done' as const,
        actorUserId: INSPECTOR,
        actorUnitId: unitId('yuecheng'),
        data: { scores: {}, total: 95, verdict: 'excellent' },
      },
      row: {
        status: 'closed' as const,
        step: 'done' as const,
        outcome: 'excellent' as const,
        firstScore: 95,
        finalScore: 95,
        stepSeq: 2,
      },
      newStep: null,
      effect: 'commend' as const,
    };

    await run(activities.recordInspectionTransition, record);
    await run(activities.recordInspectionTransition, record);

    const after = await written(request.inspectionId);
    expect([after.events, after.commendations, after.step]).toEqual([2, 1, 'done']);
  });

  test('a failing score recorded twice orders rectification once and answers the same deadline', async () => {
    const request = opening(await newStation());
    await run(activities.openInspection, request);
    const record = {
      inspectionId: request.inspectionId,
      occurredAt: Date.now(),
      event: {
        seq: 2,
        kind: 'submit' as const,
        fromStep: 'inspect' as const,
        toStep: 'rectify' as const,
        actorUserId: INSPECTOR,
        actorUnitId: unitId('yuecheng'),
        data: { scores: {}, total: 30, verdict: 'failed' },
      },
      row: {
        status: 'open' as const,
        step: 'rectify' as const,
        outcome: null,
        firstScore: 30,
        finalScore: 30,
        stepSeq: 2,
      },
      newStep: { stepSeq: 2, step: 'rectify' as const, startedAt: Date.now() },
      effect: 'order_rectification' as const,
    };

    const first = await run(activities.recordInspectionTransition, record);
    const notices = (await written(request.inspectionId)).notices;
    const retry = await run(activities.recordInspectionTransition, record);

    expect(retry).toEqual(first);
    expect(first?.step).toBe('rectify');
    expect(await written(request.inspectionId)).toMatchObject({ events: 2, notices, step: 'rectify' });
  });

  test('a late notice sent twice is recorded and delivered once', async () => {
    const request = opening(await newStation());
    const { clock } = await run(activities.openInspection, request);
    const notice = {
      inspectionId: request.inspectionId,
      seq: 2,
      stepSeq: 1,
      step: 'inspect' as const,
      occurredAt: Date.now(),
      level: 1,
      unitId: OWNER,
      dueAt: clock.dueAt,
    };

    const first = await run(activities.sendInspectionNotice, notice);
    const retry = await run(activities.sendInspectionNotice, notice);

    expect(first.recipients).toBeGreaterThanOrEqual(2);
    expect(retry.recipients).toBe(0);
    expect(await written(request.inspectionId)).toMatchObject({ events: 2, notices: 1 + first.recipients });
  });

  test('opening an inspection of a station that does not exist fails for good, not for retrying', async () => {
    const failure = await run(activities.openInspection, opening(randomUUID())).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect([(failure as ApplicationFailure).type, (failure as ApplicationFailure).nonRetryable]).toEqual([
      FailureType.StationNotFound,
      true,
    ]);
  });
});
