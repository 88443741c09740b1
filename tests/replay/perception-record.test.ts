import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { perceptionScanWorkflow } from '../../workflows/perception-scan/perception-scan.workflow.js';
import { leadReviewWorkflowId, perceptionScanWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { ADMIN_PASSWORD, randomIdNumber, randomPhone } from '../support/api-fixtures.js';
import { createCaseApi } from '../support/case-api.js';
import { historyToJson } from '../support/history-json.js';
import { createHarness, type Harness } from '../support/harness.js';
import { PERCEPTION_LOCK_WAIT_MS, holdPerceptionLock } from '../support/perception-lock.js';
import { daysAgo, uploadRows } from '../support/perception.js';
import { waitFor } from '../support/wait.js';

/*
 * Records the perception histories that replay.test.ts replays: scans over several chunks, a scan skipped because
 * another one runs, a dry run, and the review of a scan's leads (reviewed in time, or escalated twice). Skipped
 * unless RECORD_HISTORIES is set; run it alone after a deliberate change to what a scan or a review records, and
 * commit the files it writes:
 *
 *   RECORD_HISTORIES=1 bash scripts/test.sh tests/replay/perception-record.test.ts
 *
 * Chunks of 10 workers cut the seeded workers into several chunks. The review limit is PT5S on the natural clock
 * while recording (a review workflow holds timers only and ends at its last escalation or once no lead is open, so
 * with the default P5D it would run for days); the previous settings are restored afterwards.
 */

const HISTORIES_DIR = fileURLToPath(new URL('./perception-histories/', import.meta.url));
/** Planted in the workers' names; no history may hold it in plain text. */
const PLANTED_NAME = '回放感知职工';

describe.skipIf(!process.env.RECORD_HISTORIES)('recording perception histories for replay', () => {
  let h: Harness;
  let admin: string;
  let unitId: string;
  let settingsBefore: Record<string, unknown>;
  let releaseLock: (() => Promise<void>) | undefined;
  let firstScanId: string;

  beforeAll(async () => {
    releaseLock = await holdPerceptionLock();
    h = await createHarness({ env: { PERCEPTION_SCAN_CHUNK_SIZE: '10' } });
    admin = await h.login('admin', ADMIN_PASSWORD);
    unitId = await createCaseApi(h).unitOf('zhuji_t1_g1_caseworker');
    const { line, margin, suppressDays, reviewLimit } = (
      await h.request('GET', '/perception/settings', { token: admin })
    ).body;
    settingsBefore = { line, margin, suppressDays, reviewLimit };
    const short = await h.request('PUT', '/perception/settings', {
      token: admin,
      body: { ...settingsBefore, reviewLimit: { duration: 'PT5S', calendar: 'natural' } },
    });
    expect(short.status, JSON.stringify(short.body)).toBe(200);
    await mkdir(HISTORIES_DIR, { recursive: true });
  }, PERCEPTION_LOCK_WAIT_MS + 120_000);

  afterAll(async () => {
    if (h && settingsBefore) {
      const restored = await h.request('PUT', '/perception/settings', { token: admin, body: settingsBefore });
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    }
    await h?.close();
    await releaseLock?.();
  });

  /** Registers a worker (with the planted name) who receives the minimum living allowance: a discovered lead. */
  async function flaggedWorker(): Promise<string> {
    const idNumber = randomIdNumber('330681');
    const response = await h.request('POST', '/workers', {
      token: admin,
      body: { name: PLANTED_NAME, idNumber, phone: randomPhone(), unitId, hardshipStatus: 'none' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    await uploadRows(h, admin, 'minimum_living_allowance', [
      { idNumber, occurredOn: daysAgo(20), department: '民政局', amountFen: 80_000 },
    ]);
    return response.body.id;
  }

  async function waitForScan(scanId: string): Promise<any> {
    return waitFor(
      async () => {
        const response = await h.request('GET', `/perception/scans/${scanId}`, { token: admin });
        return ['completed', 'failed', 'skipped'].includes(response.body.status) ? response.body : null;
      },
      { message: `scan ${scanId} to finish`, timeoutMs: 60_000 },
    );
  }

  async function startScan(): Promise<string> {
    const response = await h.request('POST', '/perception/scans', { token: admin, body: {} });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body.id;
  }

  async function save(name: string, workflowId: string): Promise<void> {
    const handle = h.client.workflow.getHandle(workflowId);
    await handle.result();
    await writeFile(`${HISTORIES_DIR}${name}.json`, historyToJson(await handle.fetchHistory()));
  }

  async function openLeadOf(workerId: string) {
    return h.db
      .selectFrom('perception_lead')
      .selectAll()
      .where('worker_id', '=', workerId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
  }

  test('records a scan over several chunks that raised leads, and a nightly scan skipped meanwhile', async () => {
    await flaggedWorker();
    await flaggedWorker();
    firstScanId = await startScan();
    // As the nightly schedule starts it (its own scan id), while the manual scan holds the running slot.
    const nightlyWorkflowId = `perception-scan-nightly-${randomUUID()}`;
    const nightly = await h.client.workflow.execute(perceptionScanWorkflow, {
      workflowId: nightlyWorkflowId,
      taskQueue: h.taskQueue,
      args: [{ kind: 'scan', trigger: 'schedule', chunkSize: 10 }],
    });
    const done = await waitForScan(firstScanId);

    expect(nightly).toMatchObject({ status: 'skipped', blockedByScanId: firstScanId });
    expect(done).toMatchObject({ kind: 'scan', status: 'completed' });
    expect(done.totalChunks).toBeGreaterThanOrEqual(3);
    expect(done.counts.leadsCreated).toBeGreaterThan(0);
    await save('scan-completed-with-leads', perceptionScanWorkflowId(firstScanId));
    await save('scan-skipped-while-another-ran', nightlyWorkflowId);
  });

  test('records the review of that scan, whose leads nobody reviewed, escalated twice', async () => {
    const handle = h.client.workflow.getHandle(leadReviewWorkflowId(firstScanId));
    const result = await handle.result();

    expect(result.open).toBeGreaterThan(0);
    await save('review-escalated-unreviewed', leadReviewWorkflowId(firstScanId));
  }, 60_000);

  test('records the review of a scan whose two leads were confirmed and dismissed before the deadline', async () => {
    const confirmed = await flaggedWorker();
    const dismissed = await flaggedWorker();
    const scanId = await startScan();
    const done = await waitForScan(scanId);
    expect(done).toMatchObject({ status: 'completed', counts: { leadsCreated: 2 } });
    // Reviewed after the plan set their deadline, so the workflow waits on its timer and then finds none open.
    await waitFor(async () => (await openLeadOf(confirmed)).due_at !== null, { message: 'the review plan' });
    const confirm = await h.request('POST', `/leads/${(await openLeadOf(confirmed)).id}/confirm`, {
      token: admin,
      body: {},
    });
    const dismiss = await h.request('POST', `/leads/${(await openLeadOf(dismissed)).id}/dismiss`, {
      token: admin,
      body: { reason: '已就业，收入稳定' },
    });
    expect([confirm.status, dismiss.status]).toEqual([200, 200]);

    expect(await h.client.workflow.getHandle(leadReviewWorkflowId(scanId)).result()).toEqual({ scanId, open: 0 });
    await save('review-one-confirmed-one-dismissed', leadReviewWorkflowId(scanId));
  }, 60_000);

  test('records a scan that raised no new lead, so started no review', async () => {
    const scanId = await startScan();
    const done = await waitForScan(scanId);

    expect(done).toMatchObject({ status: 'completed', counts: { leadsCreated: 0 } });
    await save('scan-completed-without-new-leads', perceptionScanWorkflowId(scanId));
  });

  test('records a dry run of a draft rule version', async () => {
    const rules = (await h.request('GET', '/rules', { token: admin })).body.items;
    const rule = rules.find((r: { code: string }) => r.code === 'child_tuition');
    const put = await h.request('PUT', `/rules/${rule.id}`, {
      token: admin,
      body: { thresholds: { months: 12, minFen: 1_000_000 }, weight: 40, note: '回放录制：试运行' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const version = put.body.drafts.at(-1).version;
    const started = await h.request('POST', `/rules/${rule.id}/versions/${version}/dry-run`, { token: admin });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await waitForScan(started.body.id);

    expect(done).toMatchObject({ kind: 'dry_run', status: 'completed' });
    expect(done.totalChunks).toBeGreaterThanOrEqual(3);
    await save('dry-run-completed', perceptionScanWorkflowId(started.body.id));
  });
});
