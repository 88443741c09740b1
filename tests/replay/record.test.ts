import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caseWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { createCaseApi, type CaseApi } from '../support/case-api.js';
import { historyToJson } from '../support/history-json.js';
import { createHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

/*
 * Records the histories that tests/replay/replay.test.ts replays. Skipped unless RECORD_HISTORIES is set; run it
 * alone after a deliberate change to what a case records, and commit the files it writes:
 *
 *   RECORD_HISTORIES=1 bash scripts/test.sh tests/replay/record.test.ts
 *
 * The escalation case uses ('emergency', 'urgent'), owned by tests/api/deadlines.test.ts, with the very limits that
 * file saves (every step PT4S on the natural clock), so the two never disagree on a case's limits.
 */

const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));

describe.skipIf(!process.env.RECORD_HISTORIES)('recording case histories for replay', () => {
  let harness: Harness;
  let api: CaseApi;

  beforeAll(async () => {
    harness = await createHarness();
    api = createCaseApi(harness);
    await mkdir(HISTORIES_DIR, { recursive: true });
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function save(name: string, caseId: string, status: string): Promise<void> {
    const handle = harness.client.workflow.getHandle(caseWorkflowId(caseId));
    expect(await handle.result()).toEqual({ caseId, status });
    await writeFile(`${HISTORIES_DIR}${name}.json`, historyToJson(await handle.fetchHistory()));
  }

  test('records a case closed after the district rejected a plan above the township threshold and a returned report', async () => {
    const township = await api.unitOf('yuecheng_t1_caseworker');
    const grassroots = await api.unitOf('yuecheng_t1_g2_caseworker');
    const { id } = await api.open('yuecheng_caseworker', {
      workerId: await api.workerAt(grassroots),
      category: 'living',
      urgency: 'normal',
    });
    const items = [{ kind: '生活补助', amountFen: 150_000 }];

    await api.act('yuecheng_caseworker', id, 'dispatch', { toUnitId: township });
    await api.act('yuecheng_t1_caseworker', id, 'dispatch', { toUnitId: grassroots });
    await api.act('yuecheng_t1_g2_caseworker', id, 'accept');
    await api.act('yuecheng_t1_g2_caseworker', id, 'verify', { eligible: true, findings: '符合帮扶条件' });
    await api.act('yuecheng_t1_g2_caseworker', id, 'plan', { items: [{ kind: '生活补助', amountFen: 300_000 }] });
    await api.act('yuecheng_caseworker', id, 'reject', { reason: '3000 元超出乡镇审批权限，请调整' });
    await api.act('yuecheng_t1_g2_caseworker', id, 'plan', { items });
    await api.act('yuecheng_t1_caseworker', id, 'approve', { note: '同意' });
    await api.act('yuecheng_t1_g2_caseworker', id, 'deliver', { items, method: 'cash', reference: 'RC-0001' });
    await api.act('yuecheng_t1_g2_caseworker', id, 'report', { result: '已发放', satisfaction: 5 });
    await api.act('yuecheng_t1_caseworker', id, 'return', { reason: '请补充签收单' });
    await api.act('yuecheng_t1_g2_caseworker', id, 'report', { result: '已发放，签收单已上传', satisfaction: 5 });
    await api.act('yuecheng_t1_caseworker', id, 'close');

    await save('closed-full-lifecycle', id, 'closed');
  });

  test('records a case that the home visit found not eligible', async () => {
    const township = await api.unitOf('keqiao_t1_caseworker');
    const { id } = await api.open('keqiao_caseworker', {
      workerId: await api.workerAt(await api.unitOf('keqiao_t1_g1_caseworker')),
      category: 'medical',
      urgency: 'normal',
    });

    await api.act('keqiao_caseworker', id, 'dispatch', { toUnitId: township });
    await api.act('keqiao_t1_caseworker', id, 'accept');
    await api.act('keqiao_t1_caseworker', id, 'verify', { eligible: false, findings: '收入高于困难标准' });

    await save('not-eligible', id, 'not_eligible');
  });

  test('records a case withdrawn after a suspension that ended by itself and one resumed by hand', async () => {
    const { id } = await api.open('shangyu_t1_caseworker', {
      workerId: await api.workerAt(await api.unitOf('shangyu_t1_g1_caseworker')),
      category: 'living',
      urgency: 'normal',
    });
    const token = await api.token('shangyu_t1_caseworker');
    const suspend = async (ms: number) => {
      const response = await harness.request('POST', `/cases/${id}/suspensions`, {
        token,
        body: { reason: '等待职工补充材料', until: new Date(Date.now() + ms).toISOString() },
      });
      expect(response.status).toBe(201);
    };

    await suspend(2000);
    await waitFor(async () => (await api.get('shangyu_t1_caseworker', id)).suspendedUntil === null, {
      message: 'the suspension to end by itself',
    });
    await suspend(60_000);
    await api.act('shangyu_t1_caseworker', id, 'resume');
    await api.act('shangyu_t1_caseworker', id, 'withdraw', { reason: '职工已另获救助' });

    await save('withdrawn-after-suspension', id, 'withdrawn');
  });

  test('records a case reminded, overdue and escalated twice before it moved on and was withdrawn', async () => {
    await api.putPolicy('emergency', 'urgent', {
      limits: Object.fromEntries(
        ['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'].map((step) => [
          step,
          { duration: 'PT4S', calendar: 'natural' },
        ]),
      ),
      maxSuspension: 'PT1M',
    });
    const grassroots = await api.unitOf('xinchang_t1_g1_caseworker');
    const { id } = await api.open('xinchang_t1_caseworker', {
      workerId: await api.workerAt(grassroots),
      category: 'emergency',
      urgency: 'urgent',
    });

    await waitFor(async () => (await api.get('xinchang_t1_caseworker', id)).escalationLevel === 2, {
      message: 'the level-2 escalation',
    });
    await api.act('xinchang_t1_caseworker', id, 'dispatch', { toUnitId: grassroots });
    await api.act('xinchang_t1_caseworker', id, 'withdraw', { reason: '测试结束' });

    await save('escalated-then-withdrawn', id, 'withdrawn');
  });
});
