import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import type { DemoRequest } from '../../../seeds/demo-app.js';
import { runPerceptionDemo } from '../../../seeds/demo-perception.js';
import { ensureSchedules, platformSchedules } from '../../../worker/schedules.js';
import { scanProgressQuery } from '../../../workflows/perception-scan/perception-scan.messages.js';
import { perceptionScanWorkflow } from '../../../workflows/perception-scan/perception-scan.workflow.js';
import { perceptionScanWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import { ADMIN_PASSWORD, expectError, randomIdNumber, randomPhone } from '../../support/api-fixtures.js';
import { createCaseApi, type CaseApi } from '../../support/case-api.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { PERCEPTION_LOCK_WAIT_MS, holdPerceptionLock } from '../../support/perception-lock.js';
import { daysAgo, uploadRows } from '../../support/perception.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 6, points 3 to 6 and "How we will know", through the API with a real worker and dev server: the scan
 * workflow, groups, suppression, rule versions with dry run and publication, a scan interrupted by a worker
 * restart, one scan at a time, the nightly schedule, lead review and the escalation of unreviewed leads.
 * Every rule change and settings change of the test suite is in this file, so nothing else moves them. Scans are
 * also started by tests/e2e/console-perception.test.ts (which changes no rule or setting); both files hold the
 * perception lock (tests/support/perception-lock.ts) from beforeAll to afterAll, so their scans never overlap.
 */

let h: Harness;
let api: CaseApi;
let admin: string;
let unitId: string;
let townshipSupervisor: string;
let releaseLock: (() => Promise<void>) | undefined;

type Fact = { kind: string; days: number } & Record<string, unknown>;

/** Registers a worker with an ID number, and uploads the worker's department facts. */
async function workerWith(
  facts: Fact[],
  { hardshipStatus = 'none', at = unitId }: { hardshipStatus?: string; at?: string } = {},
): Promise<{ id: string; idNumber: string }> {
  const idNumber = randomIdNumber('330681');
  const response = await h.request('POST', '/workers', {
    token: admin,
    body: { name: '感知测试职工', idNumber, phone: randomPhone(), unitId: at, hardshipStatus },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  await addFacts(idNumber, facts);
  return { id: response.body.id, idNumber };
}

async function addFacts(idNumber: string, facts: Fact[]): Promise<void> {
  const byKind = new Map<string, Record<string, unknown>[]>();
  for (const { kind, days, ...rest } of facts) {
    byKind.set(kind, [
      ...(byKind.get(kind) ?? []),
      { idNumber, occurredOn: daysAgo(days), department: '测试部门', ...rest },
    ]);
  }
  for (const [kind, rows] of byKind) {
    await uploadRows(h, admin, kind, rows);
  }
}

const MLA: Fact = { kind: 'minimum_living_allowance', days: 20, amountFen: 80_000 };
const MEDICAL_30K: Fact = { kind: 'medical_expense', days: 15, amountFen: 3_000_000 };
const HOUSING: Fact = { kind: 'housing_hardship', days: 40, situation: 'no_housing' };
const LOW_INCOME: Fact = { kind: 'low_income', days: 25, amountFen: 120_000, householdSize: 3 };
const HELP_5K: Fact = { kind: 'department_help', days: 10, amountFen: 500_000, helpType: 'cash', title: '临时救助' };

/** POST /perception/scans and wait for the scan to complete; returns its final answer. */
async function scan(): Promise<any> {
  const started = await waitFor(
    async () => {
      const response = await h.request('POST', '/perception/scans', { token: admin, body: {} });
      return response.status === 409 ? null : response;
    },
    { message: 'no other scan to be running', timeoutMs: 60_000, intervalMs: 250 },
  );
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return waitForScan(started.body.id);
}

async function waitForScan(scanId: string): Promise<any> {
  return waitFor(
    async () => {
      const response = await h.request('GET', `/perception/scans/${scanId}`, { token: admin });
      return ['completed', 'failed', 'skipped'].includes(response.body.status) ? response.body : null;
    },
    { message: `scan ${scanId} to finish`, timeoutMs: 150_000, intervalMs: 100 },
  );
}

async function leadOf(workerId: string, status = 'open') {
  return h.db
    .selectFrom('perception_lead')
    .selectAll()
    .where('worker_id', '=', workerId)
    .where('status', '=', status as never)
    .executeTakeFirst();
}

async function leadViewOf(workerId: string): Promise<any> {
  const lead = await leadOf(workerId);
  if (!lead) {
    return null;
  }
  const response = await h.request('GET', `/leads/${lead.id}`, { token: admin });
  expect(response.status).toBe(200);
  return response.body;
}

async function ruleByCode(code: string): Promise<any> {
  const response = await h.request('GET', '/rules', { token: admin });
  return response.body.items.find((r: { code: string }) => r.code === code);
}

beforeAll(async () => {
  releaseLock = await holdPerceptionLock();
  h = await createHarness({ env: { PERCEPTION_SCAN_CHUNK_SIZE: '7' } });
  api = createCaseApi(h);
  admin = await h.login('admin', ADMIN_PASSWORD);
  unitId = await api.unitOf('zhuji_t1_g1_caseworker');
  townshipSupervisor = await h.login('zhuji_t1_supervisor');
}, PERCEPTION_LOCK_WAIT_MS + 120_000);

afterAll(async () => {
  await h?.close();
  await releaseLock?.();
});

describe('perceptionScanWorkflow through POST /perception/scans', () => {
  let workers: Record<string, { id: string; idNumber: string }>;
  let first: any;

  beforeAll(async () => {
    workers = {
      discovered: await workerWith([MLA]),
      borderlineByScore: await workerWith([MEDICAL_30K]),
      borderlineByStatus: await workerWith([LOW_INCOME, HOUSING], { hardshipStatus: 'borderline' }),
      registered: await workerWith([MLA], { hardshipStatus: 'registered' }),
      belowFloor: await workerWith([HOUSING]),
      helped: await workerWith([MLA, HELP_5K]),
    };
    first = await scan();
  });

  test('completes every chunk and reports its counts', async () => {
    const progress = await h.client.workflow.getHandle(perceptionScanWorkflowId(first.id)).query(scanProgressQuery);

    expect(first).toMatchObject({ kind: 'scan', trigger: 'manual', status: 'completed', progress: 1 });
    expect(first.chunksDone).toBe(first.totalChunks);
    expect(first.totalChunks).toBeGreaterThan(5);
    expect(first.counts.workersScanned).toBeGreaterThanOrEqual(60 + 6);
    expect(first.counts.leadsCreated).toBeGreaterThanOrEqual(5);
    expect(progress).toMatchObject({ scanId: first.id, status: 'completed', chunksDone: first.totalChunks });
  });

  test('assigns registered, borderline and discovered groups by status and score', async () => {
    const view = async (name: string) => {
      const lead = await leadViewOf(workers[name]!.id);
      return lead && { group: lead.group, score: lead.score, rules: lead.reasons.map((r: any) => r.ruleCode).sort() };
    };

    expect(await view('discovered')).toEqual({ group: 'discovered', score: 60, rules: ['minimum_living_allowance'] });
    expect(await view('borderlineByScore')).toEqual({
      group: 'borderline',
      score: 40,
      rules: ['medical_out_of_pocket'],
    });
    expect(await view('borderlineByStatus')).toEqual({
      group: 'borderline',
      score: 50,
      rules: ['housing_hardship', 'low_income'],
    });
    expect(await view('registered')).toEqual({ group: 'registered', score: 60, rules: ['minimum_living_allowance'] });
    expect(await view('helped')).toEqual({
      group: 'borderline',
      score: 40,
      rules: ['department_help_received', 'minimum_living_allowance'],
    });
    expect(await view('belowFloor')).toBeNull();
  });

  test('gives each lead its reasons in Chinese with figures, the rule versions and the data date', async () => {
    const lead = await leadViewOf(workers.borderlineByScore!.id);
    const rule = await ruleByCode('medical_out_of_pocket');

    expect(lead.reasons).toEqual([
      expect.objectContaining({
        ruleCode: 'medical_out_of_pocket',
        ruleName: '大额医疗自付',
        ruleVersionId: rule.published.versionId,
        ruleVersion: 1,
        weight: 40,
        reason: '近12个月医疗费用个人自付 30,000.00 元（预警线 30,000.00 元）',
        figures: { months: 12, totalFen: 3_000_000, minFen: 3_000_000 },
        dataAsOf: daysAgo(15),
      }),
    ]);
    expect(lead).toMatchObject({ dataAsOf: daysAgo(15), raisedByScanId: first.id, settingVersion: 1 });
    expect(lead.worker.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
  });

  test('changes nothing when run again on the same data: no second lead, the same lead ids', async () => {
    const before = await leadOf(workers.discovered!.id);

    const again = await scan();

    const after = await h.db
      .selectFrom('perception_lead')
      .select(['id', 'status'])
      .where('worker_id', '=', workers.discovered!.id)
      .execute();
    expect(after).toEqual([{ id: before!.id, status: 'open' }]);
    expect((await leadOf(workers.discovered!.id))!.last_scan_id).toBe(before!.last_scan_id);
    expect(again.status).toBe('completed');
  });
});

describe('suppression', () => {
  test('does not flag a worker again after a dismissal until new data arrives', async () => {
    const worker = await workerWith([MEDICAL_30K]);
    await scan();
    const lead = await leadOf(worker.id);
    const dismissed = await h.request('POST', `/leads/${lead!.id}/dismiss`, {
      token: townshipSupervisor,
      body: { reason: '已核实：医疗费用已由商业保险报销' },
    });
    expect(dismissed.status).toBe(200);

    await scan();
    const whileQuiet = await leadOf(worker.id);
    await addFacts(worker.idNumber, [{ kind: 'serious_illness', days: 3, relation: 'self' }]);
    await scan();

    expect(whileQuiet).toBeUndefined();
    const fresh = await leadViewOf(worker.id);
    expect(fresh.id).not.toBe(lead!.id);
    expect(fresh.reasons.map((r: any) => r.ruleCode).sort()).toEqual(['medical_out_of_pocket', 'serious_illness']);
  });

  test('does not flag a worker with an open case, and lapses an open lead once a case is opened', async () => {
    const withCase = await workerWith([MLA]);
    await api.open('zhuji_t1_caseworker', { workerId: withCase.id, category: 'living', urgency: 'normal' });
    const withLead = await workerWith([MLA]);
    await scan();
    expect(await leadOf(withCase.id)).toBeUndefined();
    const lead = await leadOf(withLead.id);
    await api.open('zhuji_t1_caseworker', { workerId: withLead.id, category: 'living', urgency: 'normal' });

    await scan();

    expect(await leadOf(withLead.id)).toBeUndefined();
    const lapsed = await h.db
      .selectFrom('perception_lead')
      .selectAll()
      .where('id', '=', lead!.id)
      .executeTakeFirstOrThrow();
    expect(lapsed).toMatchObject({ status: 'lapsed', lapsed_reason: 'case_open' });
  });
});

describe('lead review', () => {
  let worker: { id: string; idNumber: string };
  let lead: any;
  let outside: { id: string };

  beforeAll(async () => {
    worker = await workerWith([MLA, HOUSING]);
    outside = await workerWith([MLA], { at: await api.unitOf('xinchang_t2_g1_caseworker') });
    await scan();
    lead = await leadViewOf(worker.id);
  });

  test("lists the subtree's leads by group, rule, score and unit, and hides others' leads", async () => {
    const rule = await ruleByCode('minimum_living_allowance');
    const query = `/leads?group=discovered&ruleId=${rule.id}&minScore=80&unitId=${unitId}&limit=500`;

    const mine = await h.request('GET', query, { token: townshipSupervisor });
    const foreign = await h.request('GET', `/leads/${(await leadOf(outside.id))!.id}`, { token: townshipSupervisor });
    const asCaseworker = await h.request('GET', '/leads', { token: await api.token('zhuji_t1_caseworker') });

    expect(mine.status).toBe(200);
    expect(mine.body.items.map((l: any) => l.id)).toContain(lead.id);
    for (const item of mine.body.items) {
      expect(item).toMatchObject({ group: 'discovered', unitId, status: 'open' });
      expect(item.score).toBeGreaterThanOrEqual(80);
      expect(item.reasons.map((r: any) => r.ruleId)).toContain(rule.id);
    }
    expect(mine.body.items.map((l: any) => l.workerId)).not.toContain(outside.id);
    expectError(foreign, 404, 'LEAD_NOT_FOUND');
    expectError(asCaseworker, 403, 'ROLE_NOT_ALLOWED');
  });

  test('refuses a dismissal without a reason and changes nothing', async () => {
    const response = await h.request('POST', `/leads/${lead.id}/dismiss`, { token: townshipSupervisor, body: {} });

    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.details).toEqual([{ field: 'reason', reason: '必填' }]);
    expect((await leadOf(worker.id))?.status).toBe('open');
  });

  test("confirms a lead into one perception case routed to the worker's union, however often confirm is sent", async () => {
    const recordBefore = (await ruleByCode('minimum_living_allowance')).record;

    const [a, b] = await Promise.all([
      h.request('POST', `/leads/${lead.id}/confirm`, { token: townshipSupervisor, body: {} }),
      h.request('POST', `/leads/${lead.id}/confirm`, { token: townshipSupervisor }),
    ]);
    const dismissLater = await h.request('POST', `/leads/${lead.id}/dismiss`, {
      token: townshipSupervisor,
      body: { reason: '重复' },
    });

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.caseId).toBe(b.body.caseId);
    expect(a.body.lead).toMatchObject({ status: 'confirmed', caseId: a.body.caseId });
    const opened = await api.get('zhuji_t1_caseworker', a.body.caseId);
    expect(opened).toMatchObject({
      workerId: worker.id,
      source: 'perception',
      category: 'living',
      status: 'open',
      step: 'dispatch',
      holderUnitId: unitId,
      openedUnitId: unitId,
    });
    expect((opened as any).fund).toBe('perception_special');
    const cases = await h.db.selectFrom('assistance_case').select('id').where('worker_id', '=', worker.id).execute();
    expect(cases).toHaveLength(1);
    expectError(dismissLater, 409, 'LEAD_NOT_OPEN');
    const recordAfter = (await ruleByCode('minimum_living_allowance')).record;
    expect(recordAfter.confirmed).toBe(recordBefore.confirmed + 1);
    expect(recordAfter.open).toBe(recordBefore.open - 1);
  });

  test("shows each rule's record of confirmed and dismissed leads beside it", async () => {
    const other = await workerWith([MLA]);
    await scan();
    const target = await leadOf(other.id);
    const before = (await ruleByCode('minimum_living_allowance')).record;

    await h.request('POST', `/leads/${target!.id}/dismiss`, { token: townshipSupervisor, body: { reason: '已就业' } });

    const after = (await ruleByCode('minimum_living_allowance')).record;
    expect(after).toMatchObject({ dismissed: before.dismissed + 1, confirmed: before.confirmed });
    expect(after.confirmRate).toBe(Math.round((after.confirmed / (after.confirmed + after.dismissed)) * 1000) / 1000);
  });
});

describe('rule versions, dry run and publication', () => {
  let rule: any;
  let newcomer: { id: string };
  let partial: { id: string };

  beforeAll(async () => {
    rule = await ruleByCode('child_tuition');
    newcomer = await workerWith([{ kind: 'child_tuition', days: 20, amountFen: 1_200_000, stage: 'university' }]);
    partial = await workerWith([
      { kind: 'child_tuition', days: 20, amountFen: 1_200_000, stage: 'senior' },
      { kind: 'housing_hardship', days: 30, situation: 'overcrowded' },
    ]);
    await scan();
  });

  test('refuses bad thresholds and weights naming the field, creating no version', async () => {
    const count = async () =>
      (await h.db.selectFrom('perception_rule_version').select('id').where('rule_id', '=', rule.id).execute()).length;
    const before = await count();

    const unknownKey = await h.request('PUT', `/rules/${rule.id}`, {
      token: admin,
      body: { thresholds: { months: 12, minFen: 1000, maxAge: 3 }, weight: 20 },
    });
    const outOfRange = await h.request('PUT', `/rules/${rule.id}`, {
      token: admin,
      body: { thresholds: { months: 0, minFen: '1000' }, weight: 20 },
    });
    const heavy = await h.request('PUT', `/rules/${rule.id}`, {
      token: admin,
      body: { thresholds: { months: 12, minFen: 1000 }, weight: 101 },
    });
    const byDistrict = await h.request('PUT', `/rules/${rule.id}`, {
      token: await h.login('zhuji_admin'),
      body: { thresholds: { months: 12, minFen: 1000 }, weight: 20 },
    });

    expectError(unknownKey, 422, 'RULE_THRESHOLDS_INVALID');
    expect(unknownKey.body.error.details).toEqual([{ field: 'thresholds.maxAge', reason: '该规则没有这个阈值' }]);
    expect(outOfRange.body.error.details).toEqual([
      { field: 'thresholds.months', reason: '须在 1 到 120 之间' },
      { field: 'thresholds.minFen', reason: '须为整数' },
    ]);
    expectError(heavy, 400, 'VALIDATION_FAILED');
    expectError(byDistrict, 403, 'ROLE_NOT_ALLOWED');
    expect(await count()).toBe(before);
  });

  test('a change creates a draft version that a dry run compares, per unit, without writing leads', async () => {
    const put = await h.request('PUT', `/rules/${rule.id}`, {
      token: admin,
      body: { thresholds: { months: 12, minFen: 1_000_000 }, weight: 40, note: '教育负担提高权重' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.published.version).toBe(1);
    expect(put.body.drafts.map((d: any) => d.version)).toEqual([2]);
    const publishEarly = await h.request('POST', `/rules/${rule.id}/versions/2/publish`, { token: admin });
    expectError(publishEarly, 409, 'DRY_RUN_REQUIRED');

    const started = await h.request('POST', `/rules/${rule.id}/versions/2/dry-run`, { token: admin });
    expect(started.status).toBe(202);
    const done = await waitForScan(started.body.id);

    expect(done).toMatchObject({ kind: 'dry_run', status: 'completed' });
    expect(done.dryRun).toMatchObject({ ruleId: rule.id, version: 2, dropped: 0 });
    const unit = done.dryRun.byUnit.find((u: any) => u.unitId === unitId);
    expect(unit.addedWorkerIds).toEqual(expect.arrayContaining([newcomer.id]));
    expect(unit.addedWorkerIds).not.toContain(partial.id);
    expect(await leadOf(newcomer.id)).toBeUndefined();
  });

  test('publishing is a separate, audited act, and later leads cite the new version', async () => {
    const published = await h.request('POST', `/rules/${rule.id}/versions/2/publish`, { token: admin });
    await scan();

    expect(published.status).toBe(200);
    expect(published.body.published).toMatchObject({ version: 2, weight: 40 });
    expect(published.body.versions.map((v: any) => [v.version, v.status])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ]);
    const audit = await h.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'details'])
      .where('action', '=', 'rule.publish')
      .where('target_id', '=', rule.id)
      .execute();
    expect(audit).toEqual([
      { action: 'rule.publish', outcome: 'ok', details: expect.objectContaining({ version: 2, previousVersion: 1 }) },
    ]);
    const lead = await leadViewOf(newcomer.id);
    expect(lead.reasons).toEqual([
      expect.objectContaining({
        ruleCode: 'child_tuition',
        ruleVersion: 2,
        ruleVersionId: published.body.published.versionId,
      }),
    ]);
    const updated = await leadViewOf(partial.id);
    expect(updated.score).toBe(60);
    expect(updated.reasons.find((r: any) => r.ruleCode === 'child_tuition').ruleVersion).toBe(2);
  });

  test('a dry run of a lighter rule names, per unit, the workers who would drop out, and writes no lead', async () => {
    const housing = await ruleByCode('housing_hardship');
    const dropping = await workerWith([LOW_INCOME, HOUSING]);
    const staying = await workerWith([MLA, HOUSING]);
    await scan();
    const leadBefore = await leadOf(dropping.id);
    const put = await h.request('PUT', `/rules/${housing.id}`, {
      token: admin,
      body: { thresholds: { months: 24 }, weight: 5, note: '住房困难降低权重（试算）' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const draft = put.body.drafts.at(-1);

    const started = await h.request('POST', `/rules/${housing.id}/versions/${draft.version}/dry-run`, { token: admin });
    expect(started.status).toBe(202);
    const done = await waitForScan(started.body.id);

    expect(done).toMatchObject({ kind: 'dry_run', status: 'completed' });
    expect(done.dryRun).toMatchObject({
      ruleId: housing.id,
      ruleCode: 'housing_hardship',
      version: draft.version,
      versionId: draft.versionId,
      added: 0,
    });
    expect(done.dryRun.dropped).toBeGreaterThan(0);
    expect(done.dryRun.dropped).toBe(done.dryRun.byUnit.reduce((sum: number, u: any) => sum + u.dropped, 0));
    const unit = done.dryRun.byUnit.find((u: any) => u.unitId === unitId);
    expect(unit).toMatchObject({ added: 0, addedWorkerIds: [] });
    expect(unit.droppedWorkerIds).toContain(dropping.id);
    expect(unit.droppedWorkerIds).not.toContain(staying.id);
    expect(unit.dropped).toBe(unit.droppedWorkerIds.length);
    const change = await h.db
      .selectFrom('perception_dry_run_change')
      .select(['change', 'score_before', 'score_after'])
      .where('scan_id', '=', done.id)
      .where('worker_id', '=', dropping.id)
      .executeTakeFirstOrThrow();
    expect(change).toEqual({ change: 'dropped', score_before: 50, score_after: 35 });
    const written = (lead: Awaited<ReturnType<typeof leadOf>>) =>
      lead && { id: lead.id, status: lead.status, score: lead.score, lastScanId: lead.last_scan_id };
    expect(written(await leadOf(dropping.id))).toEqual(written(leadBefore));
    expect(leadBefore).toMatchObject({ status: 'open', score: 50 });
    const touched = await h.db.selectFrom('perception_lead').select('id').where('last_scan_id', '=', done.id).execute();
    expect(touched).toEqual([]);
    expect((await ruleByCode('housing_hardship')).published.version).toBe(housing.published.version);
  });
});

describe('PUT /perception/settings', () => {
  test('a wider borderline margin flags a worker below the old floor; narrowing it again lapses the lead', async () => {
    const before = (await h.request('GET', '/perception/settings', { token: admin })).body;
    const put = (margin: number) =>
      h.request('PUT', '/perception/settings', {
        token: admin,
        body: { line: before.line, margin, suppressDays: before.suppressDays, reviewLimit: before.reviewLimit },
      });
    onTestFinished(async () => {
      const current = (await h.request('GET', '/perception/settings', { token: admin })).body;
      if (current.margin !== before.margin) {
        await put(before.margin);
      }
    });
    const worker = await workerWith([HOUSING]);
    await scan();
    const atDefault = await leadOf(worker.id);

    const widened = await put(45);
    await scan();
    const wide = await leadViewOf(worker.id);
    const narrowed = await put(before.margin);
    await scan();

    expect(before).toMatchObject({ line: 60, margin: 20, borderlineFrom: 40 });
    expect(atDefault).toBeUndefined();
    expect(widened.status).toBe(200);
    expect(widened.body).toMatchObject({ version: before.version + 1, line: 60, margin: 45, borderlineFrom: 15 });
    expect(wide).toMatchObject({ group: 'borderline', score: 20, settingVersion: widened.body.version });
    expect(wide.reasons.map((r: any) => r.ruleCode)).toEqual(['housing_hardship']);
    expect(narrowed.body).toMatchObject({ version: before.version + 2, margin: 20, borderlineFrom: 40 });
    expect(await leadOf(worker.id)).toBeUndefined();
    const lapsed = await h.db
      .selectFrom('perception_lead')
      .select(['status', 'lapsed_reason'])
      .where('id', '=', wide.id)
      .executeTakeFirstOrThrow();
    expect(lapsed).toEqual({ status: 'lapsed', lapsed_reason: 'no_longer_flagged' });
  });

  test('refuses bad settings naming the field and code, creating no version', async () => {
    const before = (await h.request('GET', '/perception/settings', { token: admin })).body;
    const body = { line: 60, margin: 20, suppressDays: 90, reviewLimit: { duration: 'P5D', calendar: 'working' } };

    const marginAtLine = await h.request('PUT', '/perception/settings', {
      token: admin,
      body: { ...body, margin: 60 },
    });
    const noLine = await h.request('PUT', '/perception/settings', { token: admin, body: { ...body, line: 0 } });
    const badDuration = await h.request('PUT', '/perception/settings', {
      token: admin,
      body: { ...body, reviewLimit: { duration: '五天', calendar: 'working' } },
    });
    const byDistrict = await h.request('PUT', '/perception/settings', { token: await h.login('zhuji_admin'), body });

    expectError(marginAtLine, 422, 'SETTING_INVALID');
    expect(marginAtLine.body.error.details).toEqual([{ field: 'margin', reason: '临界区间须小于预警线 60' }]);
    expectError(noLine, 400, 'VALIDATION_FAILED');
    expect(noLine.body.error.details).toEqual([{ field: 'line', reason: '不能小于 1' }]);
    expectError(badDuration, 422, 'SETTING_INVALID');
    expect(badDuration.body.error.details).toEqual([
      { field: 'reviewLimit.duration', reason: '须为 ISO-8601 时长，如 P5D、PT4H' },
    ]);
    expectError(byDistrict, 403, 'ROLE_NOT_ALLOWED');
    expect((await h.request('GET', '/perception/settings', { token: admin })).body).toEqual(before);
  });
});

describe('a scan interrupted by a worker restart', () => {
  const PATTERNS: Fact[][] = [
    [MLA],
    [MEDICAL_30K],
    [LOW_INCOME, HOUSING],
    [MLA, HELP_5K],
    [HOUSING],
    [{ kind: 'disaster_accident', days: 12, amountFen: 2_500_000, type: 'typhoon' }],
  ];

  const snapshot = async (ids: string[]) =>
    Promise.all(
      ids.map(async (id) => {
        const lead = await leadViewOf(id);
        return (
          lead && {
            group: lead.group,
            score: lead.score,
            reasons: lead.reasons.map((r: any) => [r.ruleVersionId, r.reason]),
          }
        );
      }),
    );

  test('completes with the same leads as an uninterrupted scan, each chunk counted once', async () => {
    const firstSet = [];
    for (const facts of PATTERNS) {
      firstSet.push((await workerWith(facts)).id);
    }
    await scan();
    const uninterrupted = await snapshot(firstSet);
    const secondSet = [];
    for (const facts of PATTERNS) {
      secondSet.push((await workerWith(facts)).id);
    }

    const started = await h.request('POST', '/perception/scans', { token: admin, body: {} });
    expect(started.status).toBe(202);
    const scanId = started.body.id;
    await waitFor(
      async () =>
        (
          await h.db
            .selectFrom('perception_scan')
            .select('chunks_done')
            .where('id', '=', scanId)
            .executeTakeFirstOrThrow()
        ).chunks_done >= 2,
      { message: 'two chunks done', intervalMs: 5 },
    );
    await h.stopWorker();
    const atStop = await h.db
      .selectFrom('perception_scan')
      .selectAll()
      .where('id', '=', scanId)
      .executeTakeFirstOrThrow();
    const whileStopped = await h.request('POST', '/perception/scans', { token: admin, body: {} });
    await delay(500);
    await h.startWorker();
    const done = await waitForScan(scanId);

    expect(atStop.status).toBe('running');
    expect(atStop.chunks_done).toBeLessThan(atStop.total_chunks);
    expectError(whileStopped, 409, 'SCAN_ALREADY_RUNNING');
    expect(whileStopped.body.error.details).toEqual({ runningScanId: scanId });
    expect(done.status).toBe('completed');
    expect(await snapshot(secondSet)).toEqual(uninterrupted);
    const marks = await h.db
      .selectFrom('perception_scan_chunk')
      .select(['chunk_no', 'workers', 'leads_created'])
      .where('scan_id', '=', scanId)
      .orderBy('chunk_no')
      .execute();
    expect(marks.map((m) => m.chunk_no)).toEqual(Array.from({ length: done.totalChunks }, (_, i) => i + 1));
    expect(done.counts.workersScanned).toBe(marks.reduce((sum, m) => sum + m.workers, 0));
    expect(done.counts.leadsCreated).toBe(marks.reduce((sum, m) => sum + m.leads_created, 0));
    for (const id of secondSet) {
      const leads = await h.db.selectFrom('perception_lead').select('id').where('worker_id', '=', id).execute();
      expect(leads.length).toBeLessThanOrEqual(1);
    }
  }, 180_000);
});

describe('long scans and the nightly schedule', () => {
  test('continues as new after a few chunks and still finishes every chunk', async () => {
    const scanId = randomUUID();
    const workflowId = perceptionScanWorkflowId(scanId);
    await waitFor(
      async () =>
        !(await h.db
          .selectFrom('perception_scan')
          .select('id')
          .where('status', '=', 'running')
          .where('kind', '=', 'scan')
          .executeTakeFirst()),
      { message: 'no running scan', timeoutMs: 60_000 },
    );

    const handle = await h.client.workflow.start(perceptionScanWorkflow, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ scanId, kind: 'scan', trigger: 'manual', chunkSize: 7, chunksPerRun: 3 }],
    });
    const done = await waitForScan(scanId);

    expect(done.status).toBe('completed');
    expect(done.chunksDone).toBe(done.totalChunks);
    expect((await h.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe()).status.name).toBe(
      'CONTINUED_AS_NEW',
    );
  }, 180_000);

  test('the nightly schedule runs a scan to completion, and fires at 02:30 Shanghai time', async () => {
    const [nightly] = platformSchedules(h.taskQueue, { perceptionScanChunkSize: 50 });
    const definition = {
      ...nightly!,
      scheduleId: `test-perception-nightly-${randomUUID()}`,
      workflowId: `test-nightly-${randomUUID()}`,
    };
    await waitFor(
      async () =>
        !(await h.db
          .selectFrom('perception_scan')
          .select('id')
          .where('status', '=', 'running')
          .where('kind', '=', 'scan')
          .executeTakeFirst()),
      { message: 'no running scan', timeoutMs: 60_000 },
    );
    const since = new Date();
    await ensureSchedules(h.client, h.taskQueue, [definition]);
    const schedule = h.client.schedule.getHandle(definition.scheduleId);
    onTestFinished(() => schedule.delete());

    await schedule.trigger();
    const row = await waitFor(
      async () =>
        h.db
          .selectFrom('perception_scan')
          .selectAll()
          .where('trigger', '=', 'schedule')
          .where('started_at', '>=', since)
          .executeTakeFirst(),
      { message: 'the scheduled scan to be planned', timeoutMs: 30_000 },
    );
    const done = await waitForScan(row.id);
    const described = await schedule.describe();

    expect(nightly!.scheduleId).toBe('perception-nightly-scan');
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    const next = described.info.nextActionTimes[0]!.getTime() + 8 * 3_600_000;
    expect(new Date(next).toISOString().slice(11, 19)).toBe('02:30:00');
    expect(described.info.recentActions.map((a) => a.action.workflow.workflowId)).toContain(row.workflow_id);
    expect(row.workflow_id.startsWith(definition.workflowId)).toBe(true);
    expect(done).toMatchObject({ trigger: 'schedule', kind: 'scan', status: 'completed', chunkSize: 50 });
    expect(done.chunksDone).toBe(done.totalChunks);
    expect(done.totalChunks).toBeGreaterThan(1);
    expect(done.counts.workersScanned).toBeGreaterThan(50);
    const marks = await h.db
      .selectFrom('perception_scan_chunk')
      .select('workers')
      .where('scan_id', '=', row.id)
      .execute();
    expect(marks).toHaveLength(done.totalChunks);
    expect(marks.reduce((sum, m) => sum + m.workers, 0)).toBe(done.counts.workersScanned);
  });
});

describe('seeds/demo-perception.ts', () => {
  test("runs a scan through the API that leaves the seeded workers' leads to review, once a day", async () => {
    const request: DemoRequest = (method, url, options) => h.request(method, url, options);

    const first = await runPerceptionDemo(request, { adminPassword: ADMIN_PASSWORD });
    const again = await runPerceptionDemo(request, { adminPassword: ADMIN_PASSWORD });

    expect(first.status).toBe('completed');
    expect(Object.values(first.openLeads).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(5);
    expect(first.openLeads.discovered).toBeGreaterThan(0);
    expect(again.scanId).toBe(first.scanId);
  });
});

describe('unreviewed leads', () => {
  test('escalate like a late step: overdue to the reviewing unit, then one level up, then the city', async () => {
    const setting = await h.request('PUT', '/perception/settings', {
      token: admin,
      body: { line: 60, margin: 20, suppressDays: 90, reviewLimit: { duration: 'PT6S', calendar: 'natural' } },
    });
    expect(setting.status).toBe(200);
    const districtUnit = await api.unitOf('shengzhou_t2_g2_caseworker');
    const late = await workerWith([MLA], { at: districtUnit });
    const reviewed = await workerWith([MLA], { at: districtUnit });
    const scanned = await scan();
    const reviewer = await h.login('shengzhou_t2_supervisor');
    const noticesOf = async (username: string) => {
      const response = await h.request('GET', '/notifications?limit=100', { token: await h.login(username) });
      return response.body.items.filter((n: any) => n.data?.scanId === scanned.id);
    };
    // The review plan tells the township of both new leads; one is then confirmed before its deadline.
    await waitFor(async () => (await noticesOf('shengzhou_t2_supervisor')).some((n: any) => n.kind === 'lead_new'), {
      message: 'the township supervisor to be told of the new leads',
    });
    await h.request('POST', `/leads/${(await leadOf(reviewed.id))!.id}/confirm`, { token: reviewer, body: {} });

    const district = await waitFor(
      async () => {
        const notices = await noticesOf('shengzhou_supervisor');
        return notices.some((n: any) => n.data.level === 1) && notices;
      },
      {
        message: 'the district supervisor to be told',
        timeoutMs: 20_000,
      },
    );
    const city = await waitFor(
      async () => {
        const notices = await noticesOf('city_supervisor');
        return notices.some((n: any) => n.data.level === 2) && notices;
      },
      {
        message: 'the city supervisor to be told',
        timeoutMs: 20_000,
      },
    );
    const township = await noticesOf('shengzhou_t2_supervisor');

    const reviewUnitId = (await leadOf(late.id))!.review_unit_id;
    const about = (notices: any[]) => notices.filter((n) => n.data.reviewUnitId === reviewUnitId);
    const raisedHere = await h.db
      .selectFrom('perception_lead')
      .select('id')
      .where('raised_scan_id', '=', scanned.id)
      .where('review_unit_id', '=', reviewUnitId)
      .execute();
    expect(raisedHere.length).toBeGreaterThanOrEqual(2);
    expect(township.map((n: any) => n.kind).sort()).toEqual(['lead_new', 'lead_overdue']);
    expect(township.find((n: any) => n.kind === 'lead_new').data.leads).toBe(raisedHere.length);
    expect(township.find((n: any) => n.kind === 'lead_overdue').data.leads).toBe(raisedHere.length - 1);
    expect(about(district).map((n: any) => [n.kind, n.data.level, n.data.leads])).toEqual([
      ['lead_escalation', 1, raisedHere.length - 1],
    ]);
    expect(about(city).map((n: any) => [n.kind, n.data.level, n.data.leads])).toEqual([
      ['lead_escalation', 2, raisedHere.length - 1],
    ]);
    expect((await leadOf(late.id))!.escalation_level).toBe(2);
    const restored = await h.request('PUT', '/perception/settings', {
      token: admin,
      body: { line: 60, margin: 20, suppressDays: 90, reviewLimit: { duration: 'P5D', calendar: 'working' } },
    });
    expect(restored.body.version).toBe(setting.body.version + 1);
  }, 90_000);
});
