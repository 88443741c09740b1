import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createPerceptionScanActivities } from '../../activities/perception/scan.activities.js';
import { readApiConfig } from '../../api/config.js';
import { createDb, type Db } from '../../db/database.js';
import { seedPerceptionFeeds } from '../../seeds/03-perception.js';
import type { ChunkResult } from '../../workflows/perception-scan/perception-scan.state.js';

/**
 * RELIABILITY D2 for scans: a chunk activity that committed but whose completion never reached Temporal is run
 * again; the retry finds the chunk's mark, answers as the first attempt did and counts nothing twice. A dry run
 * of a draft is used so the test touches no lead that the API tests read.
 */

let db: Db;
let activities: ReturnType<typeof createPerceptionScanActivities>;
let candidateVersionId: string;

beforeAll(async () => {
  db = createDb({ connectionString: inject('databaseUrl'), poolSize: 2 });
  activities = createPerceptionScanActivities({ db });
  const rule = await db
    .selectFrom('perception_rule')
    .select('id')
    .where('code', '=', 'work_injury')
    .executeTakeFirstOrThrow();
  const last = await db
    .selectFrom('perception_rule_version')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('rule_id', '=', rule.id)
    .executeTakeFirstOrThrow();
  candidateVersionId = (
    await db
      .insertInto('perception_rule_version')
      .values({
        rule_id: rule.id,
        version: Number(last.v) + 1,
        thresholds: JSON.stringify({ months: 24, maxGrade: 10 }),
        weight: 60,
        enabled: true,
        status: 'draft',
        note: 'activity test draft',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});

afterAll(async () => {
  await db?.destroy();
});

describe('perception scan activities', () => {
  test('plan once, and a chunk run twice is written and counted once', async () => {
    const env = new MockActivityEnvironment();
    const scanId = randomUUID();
    const input = {
      scanId,
      workflowId: `test-${scanId}`,
      kind: 'dry_run' as const,
      trigger: 'manual' as const,
      requestedByUserId: null,
      candidateVersionId,
      chunkSize: 1000,
    };

    const plan = await env.run(activities.beginPerceptionScan, input);
    const replanned = await env.run(activities.beginPerceptionScan, { ...input, chunkSize: 5 });
    const first: ChunkResult = await env.run(activities.scanPerceptionChunk, { scanId, chunkNo: 1 });
    const retried = await env.run(activities.scanPerceptionChunk, { scanId, chunkNo: 1 });
    await env.run(activities.failPerceptionScan, { scanId, message: 'test ends after one chunk' });

    expect(plan).toMatchObject({ scanId, status: 'running', chunksDone: 0 });
    expect(replanned).toEqual(plan);
    expect(retried).toEqual(first);
    expect(first.workers).toBeGreaterThan(0);
    const scan = await db.selectFrom('perception_scan').selectAll().where('id', '=', scanId).executeTakeFirstOrThrow();
    expect(scan).toMatchObject({ chunks_done: 1, workers_scanned: first.workers, dry_added: first.dryAdded });
    const marks = await db
      .selectFrom('perception_scan_chunk')
      .select('chunk_no')
      .where('scan_id', '=', scanId)
      .execute();
    expect(marks).toEqual([{ chunk_no: 1 }]);
  });

  test('seeds department data once: a second run adds no row, and help rows have the warm-heart list shape', async () => {
    const keys = readApiConfig({});

    const added = await seedPerceptionFeeds(db, {
      keys: { encryptionKey: keys.dataEncryptionKey, lookupHashKey: keys.lookupHashKey },
      workerCount: 60,
    });

    expect(added).toBe(0);
    const help = await db
      .selectFrom('feed_row')
      .select(['detail', 'worker_id'])
      .where('row_key', 'like', 'seed:%')
      .where('kind', '=', 'department_help')
      .execute();
    expect(help.length).toBeGreaterThan(0);
    for (const row of help) {
      expect(row.worker_id).not.toBeNull();
      expect(['cash', 'goods', 'service']).toContain(row.detail.helpType);
      expect(typeof row.detail.title).toBe('string');
    }
  });

  test('fails a chunk of an unknown scan without retrying', async () => {
    const env = new MockActivityEnvironment();

    await expect(env.run(activities.scanPerceptionChunk, { scanId: randomUUID(), chunkNo: 1 })).rejects.toMatchObject({
      type: 'ScanNotFoundError',
      nonRetryable: true,
    });
  });
});
