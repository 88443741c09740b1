import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { caseWorkflowId } from '../../workflows/shared/workflow-ids.js';
import { startDevServer, type DevServer } from '../setup/temporal-server.js';
import { createCaseApi, type CaseApi, type CaseBody } from '../support/case-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

/**
 * RELIABILITY D4: the Temporal server keeps its state in a SQLite file, so stopping and starting it again loses no
 * case. This file runs its own file-backed dev server (the shared one must stay up for the other files) and owns
 * the time-limit policy of ('medical', 'urgent').
 */
const LIMIT_SECONDS = 6;

describe('a Temporal server restarted mid-case', () => {
  let dir: string;
  let server: DevServer;
  let harness: Harness;
  let api: CaseApi;
  let opened: CaseBody;
  let before: { runId: string; historyLength: number };
  const whileDown: { readyz?: number; action?: { status: number; code: string }; stored?: unknown } = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yue-restart-'));
    const dbFile = path.join(dir, 'temporal.sqlite');
    server = await startDevServer({ binary: inject('temporalCliPath'), dbFile });
    harness = await createHarness({ env: { TEMPORAL_ADDRESS: server.address, UPDATE_TIMEOUT_MS: '3000' } });
    api = createCaseApi(harness);
    await api.putPolicy('medical', 'urgent', {
      limits: Object.fromEntries(
        ['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'].map((step) => [
          step,
          { duration: `PT${LIMIT_SECONDS}S`, calendar: 'natural' },
        ]),
      ),
    });
    opened = await api.open('zhuji_t2_caseworker', {
      workerId: await api.workerAt(await api.unitOf('zhuji_t2_g2_caseworker')),
      category: 'medical',
      urgency: 'urgent',
    });
    const description = await harness.client.workflow.getHandle(caseWorkflowId(opened.id)).describe();
    before = { runId: description.runId, historyLength: description.historyLength };

    await server.stop();
    whileDown.readyz = (await harness.request('GET', '/readyz')).status;
    const refused = await harness.request('POST', `/cases/${opened.id}/actions/accept`, {
      token: await api.token('zhuji_t2_caseworker'),
      body: {},
    });
    whileDown.action = { status: refused.status, code: refused.body?.error?.code };
    whileDown.stored = await harness.db
      .selectFrom('assistance_case')
      .select(['step', 'last_seq'])
      .where('id', '=', opened.id)
      .executeTakeFirst();
    server = await startDevServer({ binary: inject('temporalCliPath'), dbFile, port: server.port });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('answers /readyz with 503 while the server is down, and 200 once it is back', async () => {
    expect(whileDown.readyz).toBe(503);
    await waitFor(async () => (await harness.request('GET', '/readyz')).status === 200, {
      message: 'readyz to answer 200 after the restart',
    });
  });

  test('refuses an action while the server is down with 503 and writes nothing', () => {
    expect(whileDown.action).toEqual({ status: 503, code: 'WORKFLOW_SERVICE_UNAVAILABLE' });
    expect(whileDown.stored).toEqual({ step: 'dispatch', last_seq: 1 });
  });

  test('keeps the same workflow run and history after the restart', async () => {
    const description = await harness.client.workflow.getHandle(caseWorkflowId(opened.id)).describe();

    expect(description.runId).toBe(before.runId);
    expect(description.historyLength).toBeGreaterThanOrEqual(before.historyLength);
  });

  test('still fires the step deadline that fell during or after the outage, once', async () => {
    const overdue = await waitFor(
      async () => {
        const current = await api.get('zhuji_t2_caseworker', opened.id);
        return current.timeline.some((e) => e.kind === 'overdue') ? current : undefined;
      },
      { timeoutMs: 40_000, message: 'the overdue notice after the restart' },
    );

    expect(overdue.overdue).toBe(true);
    expect(overdue.timeline.filter((e) => e.kind === 'overdue')).toHaveLength(1);
  });

  test('takes actions again after the restart', async () => {
    const accepted = await api.act('zhuji_t2_caseworker', opened.id, 'accept');

    expect(accepted.step).toBe('verify');
  });
});
