import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fundYear } from '../../activities/fund-rules.js';
import { CHINESE, detailFields, expectError, randomIdNumber, randomPhone } from '../support/api-fixtures.js';
import { createCaseApi, type CaseApi, type CaseBody } from '../support/case-api.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';

/*
 * The warmth fund through the API. Isolation: this file works only in the zhuji district (zhuji, zhuji_t1, zhuji_t2
 * and their grassroots unions) and the current year's `warmth` budgets there, which no other file touches; it sets
 * the assistance standard of 'legal' only, and opens 'living' and 'legal' cases with urgency 'normal'. Tests run in
 * order and some build on the balances left by earlier ones, so each reads the balances it compares against.
 * Approval thresholds are the defaults: up to 2,000 yuan the township, up to 10,000 yuan the district, else the city.
 */

const YEAR = fundYear(Date.now());

interface BudgetBody {
  id: string;
  unitId: string;
  year: number;
  fund: string;
  allocatedFen: number;
  allocatedOutFen: number;
  reservedFen: number;
  paidFen: number;
  availableFen: number;
}

interface PaymentBody {
  id: string;
  caseId: string;
  planVersion: number;
  itemIndex: number;
  kind: string;
  amountFen: number;
  method: string;
  reference: string;
  fund: string;
  budgetId: string;
  paidAt: string;
  reversedAt: string | null;
  reversalReason: string | null;
}

interface LedgerRow {
  transactionId: string;
  kind: string;
  account: string;
  amountFen: number;
  budgetId: string;
  unitId: string;
  caseId: string | null;
}

type FundedCase = CaseBody & { fundingBlockedReason: string | null; householdId: string };

/** The zhuji units this file works in, by their seed handle. */
const HANDLES = ['zhuji', 'zhuji_t1', 'zhuji_t1_g1', 'zhuji_t1_g2', 'zhuji_t2', 'zhuji_t2_g1', 'zhuji_t2_g2'] as const;
type Handle = (typeof HANDLES)[number];

const items = (amountFen: number, kind = '生活补助') => [{ kind, amountFen }];
const VERIFIED = { eligible: true, findings: '入户核实：家庭主要劳动力患病，收入骤减' };

describe('warmth fund', () => {
  let h: Harness;
  let api: CaseApi;
  const units = {} as Record<Handle | 'city' | 'keqiao_t1', string>;

  beforeAll(async () => {
    h = await createHarness();
    api = createCaseApi(h);
    for (const handle of HANDLES) {
      units[handle] = await api.unitOf(handle === 'zhuji' ? 'zhuji_caseworker' : `${handle}_caseworker`);
    }
    units.city = await api.unitOf('admin');
    units.keqiao_t1 = await api.unitOf('keqiao_t1_caseworker');
  });

  afterAll(async () => {
    await h?.close();
  });

  async function budgetOf(unitId: string, fund = 'warmth'): Promise<BudgetBody> {
    const response = await h.request('GET', `/budgets?unitId=${unitId}&year=${YEAR}&fund=${fund}`, {
      token: await api.token('admin'),
    });
    expect(response.status).toBe(200);
    const budget = response.body.items[0] as BudgetBody | undefined;
    if (!budget) {
      throw new Error(`No ${fund} budget of ${YEAR} at unit ${unitId}`);
    }
    return budget;
  }

  /** Balances of every current-year budget in the zhuji subtree, and the ledger rows posted on them. */
  async function zhujiFunds() {
    const { rows } = await sql<{ budgets: number; balances: string | null; entries: number }>`
      select count(*)::int as budgets,
        md5(string_agg(concat_ws(':', id, allocated_fen, allocated_out_fen, reserved_fen, paid_fen), ',' order by id))
          as balances,
        (select count(*)::int from ledger_entry e join budget b on b.id = e.budget_id
          where b.unit_path like ${`%/${units.zhuji}/%`} and b.year = ${YEAR}) as entries
      from budget where unit_path like ${`%/${units.zhuji}/%`} and year = ${YEAR}
    `.execute(h.db);
    return rows[0]!;
  }

  async function newWorker(
    unit: Handle,
    { hardshipStatus = 'none', householdId }: { hardshipStatus?: string; householdId?: string } = {},
  ): Promise<{ id: string; householdId: string }> {
    const response = await h.request('POST', '/workers', {
      token: await api.token('zhuji_caseworker'),
      body: {
        name: '测试职工',
        idNumber: randomIdNumber('330681'),
        phone: randomPhone(),
        unitId: units[unit],
        hardshipStatus,
        ...(householdId ? { householdId } : {}),
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  }

  /** Opens a case at the township for a worker of one of its grassroots unions and brings it to the plan step there. */
  async function caseAtPlan(
    township: 'zhuji_t1' | 'zhuji_t2',
    grassroots: Handle,
    workerId: string,
    category: 'living' | 'legal' = 'living',
  ): Promise<string> {
    const { id } = await api.open(`${township}_caseworker`, { workerId, category, urgency: 'normal' });
    await api.act(`${township}_caseworker`, id, 'dispatch', { toUnitId: units[grassroots] });
    await api.act(`${grassroots}_caseworker`, id, 'accept');
    await api.act(`${grassroots}_caseworker`, id, 'verify', VERIFIED);
    return id;
  }

  async function caseAtApprove(
    township: 'zhuji_t1' | 'zhuji_t2',
    grassroots: Handle,
    workerId: string,
    amountFen: number,
    category: 'living' | 'legal' = 'living',
  ): Promise<FundedCase> {
    const id = await caseAtPlan(township, grassroots, workerId, category);
    return (await api.act(`${grassroots}_caseworker`, id, 'plan', { items: items(amountFen) })) as FundedCase;
  }

  async function getCase(username: string, id: string): Promise<FundedCase> {
    return (await api.get(username, id)) as FundedCase;
  }

  /** The budget unit the plan version's reservation was posted on, read from the ledger. */
  async function reservedOnUnit(caseId: string, planVersion = 1): Promise<string[]> {
    const rows = await h.db
      .selectFrom('ledger_transaction as t')
      .innerJoin('ledger_entry as e', 'e.transaction_id', 't.id')
      .innerJoin('budget as b', 'b.id', 'e.budget_id')
      .select(['b.unit_id', 'e.amount_fen'])
      .where('t.posting_key', '=', `reserve:${caseId}:${planVersion}`)
      .where('e.account', '=', 'reserved')
      .execute();
    return rows.map((row) => row.unit_id);
  }

  /** Every ledger row of a case under a unit's subtree, through GET /ledger page by page. */
  async function ledgerOfCase(unitId: string, caseId: string, from: string): Promise<LedgerRow[]> {
    const rows: LedgerRow[] = [];
    let cursor: string | null = null;
    do {
      const query = `/ledger?unitId=${unitId}&fund=warmth&from=${encodeURIComponent(from)}&limit=500${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      }`;
      const response: HarnessResponse = await h.request('GET', query, { token: await api.token('zhuji_admin') });
      expect(response.status).toBe(200);
      rows.push(...(response.body.items as LedgerRow[]).filter((row) => row.caseId === caseId));
      cursor = response.body.nextCursor;
    } while (cursor);
    return rows;
  }

  const entriesOf = (rows: LedgerRow[]) =>
    rows
      .map((row) => ({ kind: row.kind, account: row.account, amountFen: row.amountFen, budgetId: row.budgetId }))
      .sort((a, b) =>
        `${a.kind}:${a.account}:${a.amountFen}`.localeCompare(`${b.kind}:${b.account}:${b.amountFen}`, 'en'),
      );

  describe('budgets and allocations', () => {
    test('GET /budgets shows the seeded zhuji budgets with allocated, reserved, paid and available amounts', async () => {
      const response = await h.request('GET', `/budgets?year=${YEAR}&limit=500`, {
        token: await api.token('zhuji_admin'),
      });

      expect(response.status).toBe(200);
      const byUnit = new Map((response.body.items as BudgetBody[]).map((b) => [`${b.unitId}:${b.fund}`, b]));
      expect(byUnit.get(`${units.zhuji}:warmth`)).toMatchObject({
        year: YEAR,
        fund: 'warmth',
        allocatedFen: 100_000_000,
        allocatedOutFen: 40_000_000,
        reservedFen: 0,
        paidFen: 0,
        availableFen: 60_000_000,
      });
      for (const township of [units.zhuji_t1, units.zhuji_t2]) {
        expect(byUnit.get(`${township}:warmth`)).toMatchObject({
          allocatedFen: 20_000_000,
          allocatedOutFen: 0,
          reservedFen: 0,
          paidFen: 0,
          availableFen: 20_000_000,
        });
      }
      const zhujiUnits = new Set(Object.entries(units).flatMap(([k, v]) => (k.startsWith('zhuji') ? [v] : [])));
      expect((response.body.items as BudgetBody[]).every((b) => zhujiUnits.has(b.unitId))).toBe(true);
    });

    test('POST /budgets by the district admin funds one of its townships and answers 201 with the new balance', async () => {
      const before = await budgetOf(units.zhuji_t1);

      const response = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_admin'),
        body: { unitId: units.zhuji_t1, year: YEAR, fund: 'warmth', amountFen: 1_000_000 },
      });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        id: before.id,
        unitId: units.zhuji_t1,
        allocatedFen: before.allocatedFen + 1_000_000,
        availableFen: before.availableFen + 1_000_000,
        reservedFen: before.reservedFen,
        paidFen: before.paidFen,
      });
      expect(await budgetOf(units.zhuji_t1)).toMatchObject({ availableFen: before.availableFen + 1_000_000 });
    });

    test('POST /budgets by a caseworker is refused with 403 and changes nothing', async () => {
      const before = await zhujiFunds();

      const response = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_caseworker'),
        body: { unitId: units.zhuji_t1, year: YEAR, fund: 'warmth', amountFen: 1_000_000 },
      });

      expectError(response, 403, 'ROLE_NOT_ALLOWED');
      expect(await zhujiFunds()).toEqual(before);
    });

    test('POST /budgets by the zhuji admin for a keqiao unit answers 404 as if the unit did not exist', async () => {
      const keqiaoBefore = await budgetOf(units.keqiao_t1);

      const response = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_admin'),
        body: { unitId: units.keqiao_t1, year: YEAR, fund: 'warmth', amountFen: 1_000_000 },
      });

      expectError(response, 404, 'UNIT_NOT_FOUND');
      expect(await budgetOf(units.keqiao_t1)).toEqual(keqiaoBefore);
    });

    test('POST /budgets with an unknown fund answers 400 naming fund and stores nothing', async () => {
      const before = await zhujiFunds();

      const response = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_admin'),
        body: { unitId: units.zhuji_t1, year: YEAR, fund: 'golden_handshake', amountFen: 1_000_000 },
      });

      expectError(response, 400, 'VALIDATION_FAILED');
      expect(detailFields(response)).toEqual(['fund']);
      expect(await zhujiFunds()).toEqual(before);
    });

    const badAmounts: [string, unknown][] = [
      ['negative', -1],
      ['zero', 0],
      ['fractional', 1.5],
      ['a numeric string', '100'],
      ['absurdly large (1e15)', 1e15],
      ['beyond exact integers (2^53 + 1)', 2 ** 53 + 1],
      ['null', null],
    ];

    test.each(badAmounts)('POST /budgets with an amount that is %s answers 400 naming amountFen', async (_, amount) => {
      const before = await zhujiFunds();

      const response = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_admin'),
        body: { unitId: units.zhuji_t1, year: YEAR, fund: 'warmth', amountFen: amount },
      });

      expectError(response, 400, 'VALIDATION_FAILED');
      expect(detailFields(response)).toEqual(['amountFen']);
      expect(await zhujiFunds()).toEqual(before);
    });

    test('POST /budgets without an amount answers 400 naming amountFen', async () => {
      const response = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_admin'),
        body: { unitId: units.zhuji_t1, year: YEAR, fund: 'warmth' },
      });

      expectError(response, 400, 'VALIDATION_FAILED');
      expect(detailFields(response)).toEqual(['amountFen']);
    });

    test.each(badAmounts)(
      'POST /budgets/:id/allocations with an amount that is %s answers 400 naming amountFen',
      async (_, amount) => {
        const from = await budgetOf(units.zhuji);
        const before = await zhujiFunds();

        const response = await h.request('POST', `/budgets/${from.id}/allocations`, {
          token: await api.token('zhuji_admin'),
          body: { toUnitId: units.zhuji_t1, amountFen: amount },
        });

        expectError(response, 400, 'VALIDATION_FAILED');
        expect(detailFields(response)).toEqual(['amountFen']);
        expect(await zhujiFunds()).toEqual(before);
      },
    );

    test('an allocation to a direct child unit answers 201 and moves the amount from one available balance to the other', async () => {
      const from = await budgetOf(units.zhuji);
      const to = await budgetOf(units.zhuji_t2);

      const response = await h.request('POST', `/budgets/${from.id}/allocations`, {
        token: await api.token('zhuji_admin'),
        body: { toUnitId: units.zhuji_t2, amountFen: 2_500_000 },
      });

      expect(response.status).toBe(201);
      expect(response.body.from).toMatchObject({
        id: from.id,
        allocatedFen: from.allocatedFen,
        allocatedOutFen: from.allocatedOutFen + 2_500_000,
        availableFen: from.availableFen - 2_500_000,
      });
      expect(response.body.to).toMatchObject({
        id: to.id,
        allocatedFen: to.allocatedFen + 2_500_000,
        allocatedOutFen: to.allocatedOutFen,
        availableFen: to.availableFen + 2_500_000,
      });
      expect(await budgetOf(units.zhuji)).toMatchObject({ availableFen: from.availableFen - 2_500_000 });
      expect(await budgetOf(units.zhuji_t2)).toMatchObject({ availableFen: to.availableFen + 2_500_000 });
    });

    test('an allocation to a grandchild unit answers 422 ALLOCATION_TARGET_INVALID and moves nothing', async () => {
      const from = await budgetOf(units.zhuji);
      const before = await zhujiFunds();

      const response = await h.request('POST', `/budgets/${from.id}/allocations`, {
        token: await api.token('zhuji_admin'),
        body: { toUnitId: units.zhuji_t1_g1, amountFen: 100_000 },
      });

      expectError(response, 422, 'ALLOCATION_TARGET_INVALID');
      expect(detailFields(response)).toEqual(['toUnitId']);
      expect(await zhujiFunds()).toEqual(before);
    });

    test('an allocation of more than the available balance answers 409 INSUFFICIENT_FUNDS and moves nothing', async () => {
      const from = await budgetOf(units.zhuji_t1);
      const ledgerBefore = await zhujiFunds();

      const response = await h.request('POST', `/budgets/${from.id}/allocations`, {
        token: await api.token('zhuji_admin'),
        body: { toUnitId: units.zhuji_t1_g1, amountFen: from.availableFen + 1 },
      });

      expectError(response, 409, 'INSUFFICIENT_FUNDS');
      expect(response.body.error.details).toEqual({ availableFen: from.availableFen });
      expect(await budgetOf(units.zhuji_t1)).toEqual(from);
      const after = await zhujiFunds();
      expect(after.entries).toBe(ledgerBefore.entries);
    });

    // RELIABILITY I5: the child's budget row is created inside the allocation's transaction, so a refusal leaves none.
    test('an allocation refused for want of funds creates no budget row for a child that had none', async () => {
      const from = await budgetOf(units.zhuji_t1);
      const childBudgets = () =>
        h.db
          .selectFrom('budget')
          .select('id')
          .where('unit_id', '=', units.zhuji_t1_g2)
          .where('year', '=', YEAR)
          .where('fund', '=', 'warmth')
          .execute();
      expect(await childBudgets()).toEqual([]);

      const response = await h.request('POST', `/budgets/${from.id}/allocations`, {
        token: await api.token('zhuji_admin'),
        body: { toUnitId: units.zhuji_t1_g2, amountFen: from.availableFen + 1 },
      });

      expectError(response, 409, 'INSUFFICIENT_FUNDS');
      expect(await childBudgets()).toEqual([]);
    });
  });

  describe('approval by amount thresholds', () => {
    test('a 1,000-yuan plan is approved by the township, and the district above it is not the step holder', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const before = await budgetOf(units.zhuji_t1);
      const thresholds = await h.request('GET', '/policies/approval-thresholds', {
        token: await api.token('zhuji_t1_caseworker'),
      });
      const planned = await caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 100_000);

      const byDistrict = await api.tryAct('zhuji_caseworker', planned.id, 'approve', { note: '同意' });
      const byGrassroots = await api.tryAct('zhuji_t1_g1_caseworker', planned.id, 'approve', { note: '同意' });
      const approved = await api.act('zhuji_t1_caseworker', planned.id, 'approve', { note: '同意' });

      expect([planned.step, planned.holderUnitId]).toEqual(['approve', units.zhuji_t1]);
      expect(planned.timeline.at(-1)!.data).toMatchObject({
        approverUnitId: units.zhuji_t1,
        thresholdVersion: thresholds.body.version,
        totalFen: 100_000,
      });
      expectError(byDistrict, 403, 'NOT_STEP_HOLDER');
      expectError(byGrassroots, 403, 'NOT_STEP_HOLDER');
      expect([approved.step, approved.holderUnitId]).toEqual(['deliver', units.zhuji_t1_g1]);
      expect(approved.timeline.find((e) => e.kind === 'approve')?.actorUnitId).toBe(units.zhuji_t1);
      expect(await reservedOnUnit(planned.id)).toEqual([units.zhuji_t1]);
      expect(await budgetOf(units.zhuji_t1)).toMatchObject({
        reservedFen: before.reservedFen + 100_000,
        availableFen: before.availableFen - 100_000,
      });
      await api.act('zhuji_t1_caseworker', planned.id, 'withdraw', { reason: '测试结束' });
    });

    test('a 5,000-yuan plan is approved by the district, and the township below it is not the step holder', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const before = await budgetOf(units.zhuji);
      const planned = await caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 500_000);

      const byTownship = await api.tryAct('zhuji_t1_caseworker', planned.id, 'approve', { note: '同意' });
      const approved = await api.act('zhuji_supervisor', planned.id, 'approve', { note: '同意' });

      expect([planned.step, planned.holderUnitId]).toEqual(['approve', units.zhuji]);
      expectError(byTownship, 403, 'NOT_STEP_HOLDER');
      expect(approved.step).toBe('deliver');
      expect(approved.timeline.find((e) => e.kind === 'approve')?.actorUnitId).toBe(units.zhuji);
      expect(await reservedOnUnit(planned.id)).toEqual([units.zhuji]);
      expect(await budgetOf(units.zhuji)).toMatchObject({ reservedFen: before.reservedFen + 500_000 });
      await api.act('zhuji_t1_caseworker', planned.id, 'withdraw', { reason: '测试结束' });
    });

    test('a 20,000-yuan plan is approved by the city, and the district is not the step holder', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const planned = await caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 2_000_000);

      const byDistrict = await api.tryAct('zhuji_supervisor', planned.id, 'approve', { note: '同意' });
      const approved = await api.act('city_supervisor', planned.id, 'approve', { note: '同意' });

      expect([planned.step, planned.holderUnitId]).toEqual(['approve', units.city]);
      expectError(byDistrict, 403, 'NOT_STEP_HOLDER');
      expect(approved.step).toBe('deliver');
      expect(approved.timeline.find((e) => e.kind === 'approve')?.actorUnitId).toBe(units.city);
      expect(await reservedOnUnit(planned.id)).toEqual([units.city]);
      await api.act('zhuji_t1_caseworker', planned.id, 'withdraw', { reason: '测试结束' });
    });

    test('a plan of exactly 2,000 yuan goes to the township and one of 2,000.01 yuan to the district', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const [atLimit, overLimit] = await Promise.all([
        caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 200_000),
        caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 200_001),
      ]);

      expect([atLimit.holderUnitId, overLimit.holderUnitId]).toEqual([units.zhuji_t1, units.zhuji]);
      await api.act('zhuji_t1_caseworker', atLimit.id, 'withdraw', { reason: '测试结束' });
      await api.act('zhuji_t1_caseworker', overLimit.id, 'withdraw', { reason: '测试结束' });
    });

    test('the planner may not approve their own plan: 403 SELF_APPROVAL, and another person of the unit approves', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g2);
      const { id } = await api.open('zhuji_caseworker', { workerId, category: 'living', urgency: 'normal' });
      await api.act('zhuji_caseworker', id, 'accept');
      await api.act('zhuji_caseworker', id, 'verify', VERIFIED);
      const planned = await api.act('zhuji_caseworker', id, 'plan', { items: items(500_000) });

      const own = await api.tryAct('zhuji_caseworker', id, 'approve', { note: '同意' });
      const afterOwn = await getCase('zhuji_caseworker', id);
      const approved = await api.act('zhuji_supervisor', id, 'approve', { note: '同意' });

      expect([planned.step, planned.holderUnitId]).toEqual(['approve', units.zhuji]);
      expectError(own, 403, 'SELF_APPROVAL');
      expect([afterOwn.step, afterOwn.timeline.length]).toEqual(['approve', planned.timeline.length]);
      expect(await reservedOnUnit(id)).toEqual([units.zhuji]);
      expect(approved.step).toBe('deliver');
      await api.act('zhuji_caseworker', id, 'withdraw', { reason: '测试结束' });
    });

    test('a rejection sends the plan back to the planner with the reason and reserves nothing', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const planned = await caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 150_000);
      const before = await budgetOf(units.zhuji_t1);

      const rejected = await api.act('zhuji_t1_caseworker', planned.id, 'reject', { reason: '金额偏高，请按标准测算' });

      expect([rejected.step, rejected.holderUnitId]).toEqual(['plan', units.zhuji_t1_g1]);
      expect(rejected.timeline.at(-1)).toMatchObject({ kind: 'reject', data: { reason: '金额偏高，请按标准测算' } });
      expect(await budgetOf(units.zhuji_t1)).toEqual(before);
      expect(await reservedOnUnit(planned.id)).toEqual([]);
      const replanned = await api.act('zhuji_t1_g1_caseworker', planned.id, 'plan', { items: items(120_000) });
      await api.act('zhuji_t1_caseworker', planned.id, 'approve');
      expect(replanned.timeline.at(-1)!.data).toMatchObject({ planVersion: 2, totalFen: 120_000 });
      expect(await reservedOnUnit(planned.id, 2)).toEqual([units.zhuji_t1]);
      await api.act('zhuji_t1_caseworker', planned.id, 'withdraw', { reason: '测试结束' });
    });
  });

  describe('assistance standards', () => {
    beforeAll(async () => {
      const response = await h.request('PUT', '/standards/legal', {
        token: await api.token('admin'),
        body: { maxPerCaseFen: 300_000, maxPerHouseholdYearFen: 500_000 },
      });
      expect(response.status).toBe(200);
    });

    test('PUT /standards/legal by the city admin stores the standard, and by a district admin answers 403', async () => {
      const byDistrict = await h.request('PUT', '/standards/legal', {
        token: await api.token('zhuji_admin'),
        body: { maxPerCaseFen: 1, maxPerHouseholdYearFen: 1 },
      });
      const list = await h.request('GET', '/standards', { token: await api.token('zhuji_caseworker') });

      expectError(byDistrict, 403, 'ROLE_NOT_ALLOWED');
      expect(list.status).toBe(200);
      expect(list.body.items.find((s: { category: string }) => s.category === 'legal')).toMatchObject({
        maxPerCaseFen: 300_000,
        maxPerHouseholdYearFen: 500_000,
      });
    });

    test('a plan above the per-case maximum is refused with 422 STANDARD_EXCEEDED naming the rule and the amount left', async () => {
      const worker = await newWorker('zhuji_t1_g1');
      const id = await caseAtPlan('zhuji_t1', 'zhuji_t1_g1', worker.id, 'legal');

      const refused = await api.tryAct('zhuji_t1_g1_caseworker', id, 'plan', { items: items(400_000, '法律援助') });

      expectError(refused, 422, 'STANDARD_EXCEEDED');
      expect(refused.body.error.details).toEqual({
        rule: 'max_per_case',
        limitFen: 300_000,
        usedFen: 0,
        leftFen: 300_000,
      });
      expect(refused.body.error.message).toBe(
        '方案合计 4000.00 元，超出单次帮扶上限 3000.00 元，尚可 3000.00 元；如确需超标准帮扶，请市总工会批准例外',
      );
      expect((await getCase('zhuji_t1_g1_caseworker', id)).step).toBe('plan');
      await api.act('zhuji_t1_caseworker', id, 'withdraw', { reason: '测试结束' });
    });

    test('after the city grants an exception with a reason, the same plan goes through and is approved', async () => {
      const worker = await newWorker('zhuji_t1_g1');
      const id = await caseAtPlan('zhuji_t1', 'zhuji_t1_g1', worker.id, 'legal');
      const refused = await api.tryAct('zhuji_t1_g1_caseworker', id, 'plan', { items: items(400_000, '法律援助') });

      const byDistrict = await h.request('POST', `/cases/${id}/standard-exceptions`, {
        token: await api.token('zhuji_admin'),
        body: { reason: '工伤诉讼费用高' },
      });
      const granted = await h.request('POST', `/cases/${id}/standard-exceptions`, {
        token: await api.token('admin'),
        body: { reason: '职工工伤维权诉讼费用高，经市总工会研究同意超标准帮扶' },
      });
      const planned = await api.act('zhuji_t1_g1_caseworker', id, 'plan', { items: items(400_000, '法律援助') });
      const approved = await api.act('zhuji_supervisor', id, 'approve', { note: '按例外批准' });

      expectError(refused, 422, 'STANDARD_EXCEEDED');
      expectError(byDistrict, 403, 'ROLE_NOT_ALLOWED');
      expect(granted.status).toBe(201);
      expect(granted.body).toMatchObject({ caseId: id, grantedBy: (await me('admin')).id });
      const recorded = await h.db
        .selectFrom('standard_exception')
        .select(['reason', 'granted_by'])
        .where('case_id', '=', id)
        .execute();
      expect(recorded).toEqual([
        { reason: '职工工伤维权诉讼费用高，经市总工会研究同意超标准帮扶', granted_by: (await me('admin')).id },
      ]);
      expect([planned.step, planned.holderUnitId]).toEqual(['approve', units.zhuji]);
      expect(approved.step).toBe('deliver');
      expect(await reservedOnUnit(id)).toEqual([units.zhuji]);
      await api.act('zhuji_t1_caseworker', id, 'withdraw', { reason: '测试结束' });
    });

    test('a second case of the same household over the yearly maximum is refused with max_per_household_year and the amount left', async () => {
      const worker = await newWorker('zhuji_t1_g2');
      const first = await caseAtApprove('zhuji_t1', 'zhuji_t1_g2', worker.id, 300_000, 'legal');
      await api.act('zhuji_supervisor', first.id, 'approve', { note: '同意' });
      const second = await caseAtPlan('zhuji_t1', 'zhuji_t1_g2', worker.id, 'legal');

      const refused = await api.tryAct('zhuji_t1_g2_caseworker', second, 'plan', { items: items(250_000, '法律援助') });
      const atLimit = await api.act('zhuji_t1_g2_caseworker', second, 'plan', { items: items(200_000, '法律援助') });

      expectError(refused, 422, 'STANDARD_EXCEEDED');
      expect(refused.body.error.details).toEqual({
        rule: 'max_per_household_year',
        limitFen: 500_000,
        usedFen: 300_000,
        leftFen: 200_000,
      });
      expect([atLimit.step, atLimit.holderUnitId]).toEqual(['approve', units.zhuji_t1]);
      await api.act('zhuji_t1_caseworker', first.id, 'withdraw', { reason: '测试结束' });
      await api.act('zhuji_t1_caseworker', second, 'withdraw', { reason: '测试结束' });
    });
    test('living aid a household received does not count towards the legal yearly maximum', async () => {
      const worker = await newWorker('zhuji_t1_g2');
      const living = await caseAtApprove('zhuji_t1', 'zhuji_t1_g2', worker.id, 450_000, 'living');
      await api.act('zhuji_supervisor', living.id, 'approve', { note: '同意' });
      const legal = await caseAtPlan('zhuji_t1', 'zhuji_t1_g2', worker.id, 'legal');

      const planned = await api.tryAct('zhuji_t1_g2_caseworker', legal, 'plan', { items: items(100_000, '法律援助') });

      await api.act('zhuji_t1_caseworker', living.id, 'withdraw', { reason: '测试结束' });
      await api.act('zhuji_t1_caseworker', legal, 'withdraw', { reason: '测试结束' });
      expect([planned.status, planned.body?.error?.details]).toEqual([200, undefined]);
    });

    test('two plans of one household that fit alone but not together: the second approval waits with the standard as the reason', async () => {
      const worker = await newWorker('zhuji_t1_g2');
      const [first, second] = await Promise.all([
        caseAtApprove('zhuji_t1', 'zhuji_t1_g2', worker.id, 300_000, 'legal'),
        caseAtApprove('zhuji_t1', 'zhuji_t1_g2', worker.id, 300_000, 'legal'),
      ]);
      const zhujiBefore = await budgetOf(units.zhuji);

      await api.act('zhuji_supervisor', first.id, 'approve', { note: '同意' });
      const refused = await api.tryAct('zhuji_supervisor', second.id, 'approve', { note: '同意' });

      expectError(refused, 409, 'FUNDS_UNAVAILABLE');
      expect(refused.body.error.message).toBe('暂不能审批：超出帮扶标准（家庭年度上限 5000.00 元，尚可 2000.00 元）');
      const waiting = await getCase('zhuji_supervisor', second.id);
      expect([waiting.step, waiting.fundingBlockedReason]).toEqual([
        'approve',
        '超出帮扶标准（家庭年度上限 5000.00 元，尚可 2000.00 元）',
      ]);
      expect(await reservedOnUnit(second.id)).toEqual([]);
      expect(await budgetOf(units.zhuji)).toMatchObject({ reservedFen: zhujiBefore.reservedFen + 300_000 });
      await api.act('zhuji_t1_caseworker', first.id, 'withdraw', { reason: '测试结束' });
      await api.act('zhuji_t1_caseworker', second.id, 'withdraw', { reason: '测试结束' });
    });
  });

  async function me(username: string): Promise<{ id: string }> {
    const response = await h.request('GET', '/me', { token: await api.token(username) });
    expect(response.status).toBe(200);
    return response.body;
  }

  describe('approval with a dry budget', () => {
    test('the plan waits at approve with the reason, the case is flagged and the supervisor told, until the budget is funded', async () => {
      const workerId = await api.workerAt(units.zhuji_t2_g1);
      const planned = await caseAtApprove('zhuji_t2', 'zhuji_t2_g1', workerId, 100_000);
      const township = await budgetOf(units.zhuji_t2);
      const drained = await h.request('POST', `/budgets/${township.id}/allocations`, {
        token: await api.token('zhuji_admin'),
        body: { toUnitId: units.zhuji_t2_g1, amountFen: township.availableFen },
      });
      expect(drained.status).toBe(201);
      expect(drained.body.from.availableFen).toBe(0);

      const refused = await api.tryAct('zhuji_t2_caseworker', planned.id, 'approve', { note: '同意' });
      const waiting = await getCase('zhuji_t2_caseworker', planned.id);
      const notices = await h.request('GET', '/notifications?limit=500', {
        token: await api.token('zhuji_t2_supervisor'),
      });

      const reason = '预算可用余额 0.00 元，不足以支付本方案 1000.00 元';
      expectError(refused, 409, 'FUNDS_UNAVAILABLE');
      expect(refused.body.error.message).toBe(`暂不能审批：${reason}`);
      expect(refused.body.error.message).toMatch(CHINESE);
      expect(waiting).toMatchObject({
        status: 'open',
        step: 'approve',
        holderUnitId: units.zhuji_t2,
        fundingBlockedReason: reason,
      });
      expect(waiting.timeline.filter((e) => e.kind === 'funding_blocked')).toEqual([
        expect.objectContaining({
          fromStep: 'approve',
          toStep: 'approve',
          holderUnitId: units.zhuji_t2,
          data: { reason: 'insufficient', message: reason, totalFen: 100_000, year: YEAR },
        }),
      ]);
      expect(notices.status).toBe(200);
      expect(
        (notices.body.items as { kind: string; caseId: string; title: string }[])
          .filter((n) => n.caseId === planned.id && n.kind === 'funding_blocked')
          .map((n) => n.title),
      ).toEqual([`工单待审批但资金不足：${reason}`]);
      expect(await budgetOf(units.zhuji_t2)).toMatchObject({ reservedFen: township.reservedFen, availableFen: 0 });

      const funded = await h.request('POST', '/budgets', {
        token: await api.token('zhuji_admin'),
        body: { unitId: units.zhuji_t2, year: YEAR, fund: 'warmth', amountFen: 100_000 },
      });
      const approved = (await api.act('zhuji_t2_caseworker', planned.id, 'approve', { note: '同意' })) as FundedCase;

      expect([funded.status, funded.body.availableFen]).toEqual([201, 100_000]);
      expect([approved.step, approved.fundingBlockedReason]).toEqual(['deliver', null]);
      expect(await budgetOf(units.zhuji_t2)).toMatchObject({
        reservedFen: township.reservedFen + 100_000,
        availableFen: 0,
      });
      await api.act('zhuji_t2_caseworker', planned.id, 'withdraw', { reason: '测试结束' });
      expect(await budgetOf(units.zhuji_t2)).toMatchObject({
        reservedFen: township.reservedFen,
        availableFen: 100_000,
      });
    });
  });

  describe('delivery, payments and reversals', () => {
    test('a withdrawal after approval releases the reservation back to available', async () => {
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const planned = await caseAtApprove('zhuji_t1', 'zhuji_t1_g1', workerId, 180_000);
      const before = await budgetOf(units.zhuji_t1);
      await api.act('zhuji_t1_caseworker', planned.id, 'approve');
      const approved = await budgetOf(units.zhuji_t1);

      const withdrawn = await api.act('zhuji_t1_caseworker', planned.id, 'withdraw', { reason: '职工已获其他救助' });

      expect(approved).toMatchObject({
        reservedFen: before.reservedFen + 180_000,
        availableFen: before.availableFen - 180_000,
      });
      expect(withdrawn.status).toBe('withdrawn');
      expect(await budgetOf(units.zhuji_t1)).toEqual({ ...before, updatedAt: expect.any(String) });
      const kinds = await h.db
        .selectFrom('ledger_transaction')
        .select(['kind', 'posting_key'])
        .where('case_id', '=', planned.id)
        .orderBy('posted_at')
        .execute();
      expect(kinds).toEqual([
        { kind: 'reserve', posting_key: `reserve:${planned.id}:1` },
        { kind: 'release', posting_key: `release:${planned.id}:1` },
      ]);
    });

    test('delivery pays each plan item once, refuses items that differ from the plan, and a reversal posts once', async () => {
      const startedAt = new Date().toISOString();
      const workerId = await api.workerAt(units.zhuji_t1_g1);
      const plan = [
        { kind: '生活补助', amountFen: 150_000 },
        { kind: '交通补助', amountFen: 30_000 },
      ];
      const id = await caseAtPlan('zhuji_t1', 'zhuji_t1_g1', workerId);
      await api.act('zhuji_t1_g1_caseworker', id, 'plan', { items: plan });
      await api.act('zhuji_t1_caseworker', id, 'approve');
      const approved = await budgetOf(units.zhuji_t1);
      const delivery = { method: 'bank_transfer', reference: 'ZJ-2026-0001' };

      const wrongAmount = await api.tryAct('zhuji_t1_g1_caseworker', id, 'deliver', {
        ...delivery,
        items: [plan[0], { ...plan[1], amountFen: 30_001 }],
      });
      const missingItem = await api.tryAct('zhuji_t1_g1_caseworker', id, 'deliver', { ...delivery, items: [plan[0]] });
      const delivered = await api.act('zhuji_t1_g1_caseworker', id, 'deliver', { ...delivery, items: plan });
      const paid = await budgetOf(units.zhuji_t1);
      const payments = await h.request('GET', `/cases/${id}/payments`, {
        token: await api.token('zhuji_t1_caseworker'),
      });

      expectError(wrongAmount, 422, 'INVALID_ACTION');
      expectError(missingItem, 422, 'INVALID_ACTION');
      expect(delivered.step).toBe('report');
      expect(paid).toMatchObject({
        reservedFen: approved.reservedFen - 180_000,
        paidFen: approved.paidFen + 180_000,
        availableFen: approved.availableFen,
      });
      expect(payments.status).toBe(200);
      const [first, second] = payments.body.items as PaymentBody[];
      expect(payments.body.items).toHaveLength(2);
      for (const [payment, index] of [
        [first, 0],
        [second, 1],
      ] as const) {
        expect(payment).toMatchObject({
          caseId: id,
          planVersion: 1,
          itemIndex: index,
          kind: plan[index]!.kind,
          amountFen: plan[index]!.amountFen,
          method: 'bank_transfer',
          reference: 'ZJ-2026-0001',
          fund: 'warmth',
          budgetId: approved.id,
          reversedAt: null,
          reversalReason: null,
        });
      }

      const byCaseworker = await h.request('POST', `/payments/${second!.id}/reversals`, {
        token: await api.token('zhuji_t1_caseworker'),
        body: { reason: '发放账号有误' },
      });
      const reversed = await h.request('POST', `/payments/${second!.id}/reversals`, {
        token: await api.token('zhuji_t1_supervisor'),
        body: { reason: '交通补助发放账号有误，款项退回' },
      });
      const afterReversal = await budgetOf(units.zhuji_t1);
      const again = await h.request('POST', `/payments/${second!.id}/reversals`, {
        token: await api.token('zhuji_admin'),
        body: { reason: '重复冲正' },
      });

      expectError(byCaseworker, 403, 'ROLE_NOT_ALLOWED');
      expect(reversed.status).toBe(201);
      expect(reversed.body).toMatchObject({
        id: second!.id,
        amountFen: 30_000,
        reversedAt: expect.any(String),
        reversalReason: '交通补助发放账号有误，款项退回',
      });
      expect(afterReversal).toMatchObject({
        reservedFen: paid.reservedFen,
        paidFen: paid.paidFen - 30_000,
        availableFen: paid.availableFen + 30_000,
      });
      expectError(again, 409, 'ALREADY_REVERSED');
      expect(await budgetOf(units.zhuji_t1)).toEqual(afterReversal);

      const ledger = await ledgerOfCase(units.zhuji_t1, id, startedAt);
      const budgetId = approved.id;
      expect(entriesOf(ledger)).toEqual(
        entriesOf(
          (
            [
              ['pay', 'paid', 150_000],
              ['pay', 'paid', 30_000],
              ['pay', 'reserved', -150_000],
              ['pay', 'reserved', -30_000],
              ['reserve', 'available', -180_000],
              ['reserve', 'reserved', 180_000],
              ['reverse', 'available', 30_000],
              ['reverse', 'paid', -30_000],
            ] as const
          ).map(([kind, account, amountFen]) => ({
            transactionId: '',
            kind,
            account,
            amountFen,
            budgetId,
            unitId: units.zhuji_t1,
            caseId: id,
          })),
        ),
      );
      const byTransaction = new Map<string, number>();
      for (const row of ledger) {
        byTransaction.set(row.transactionId, (byTransaction.get(row.transactionId) ?? 0) + row.amountFen);
      }
      expect([...byTransaction.values()]).toEqual([0, 0, 0, 0]);
      const listed = await h.request('GET', `/cases/${id}/payments`, { token: await api.token('zhuji_t1_caseworker') });
      expect((listed.body.items as PaymentBody[]).map((p) => p.reversedAt !== null)).toEqual([false, true]);
    });
  });

  describe('payments recorded or reversed twice at once', () => {
    async function approvedCase(amountFen: number): Promise<string> {
      const planned = await caseAtApprove('zhuji_t1', 'zhuji_t1_g1', await api.workerAt(units.zhuji_t1_g1), amountFen);
      await api.act('zhuji_t1_caseworker', planned.id, 'approve');
      return planned.id;
    }

    test('two deliveries of one plan at once: one 200, one 409 STEP_MISMATCH, and the plan is paid once', async () => {
      const id = await approvedCase(60_000);
      const before = await budgetOf(units.zhuji_t1);
      const body = { items: items(60_000), method: 'cash', reference: 'ZJ-DUP-1' };

      const answers = await Promise.all([
        api.tryAct('zhuji_t1_g1_caseworker', id, 'deliver', body),
        api.tryAct('zhuji_t1_g1_caseworker', id, 'deliver', body),
      ]);

      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expectError(
        answers.find((a) => a.status === 409)!,
        409,
        'STEP_MISMATCH',
      );
      const payments = await h.request('GET', `/cases/${id}/payments`, {
        token: await api.token('zhuji_t1_caseworker'),
      });
      expect((payments.body.items as PaymentBody[]).map((p) => p.amountFen)).toEqual([60_000]);
      expect(await budgetOf(units.zhuji_t1)).toMatchObject({
        reservedFen: before.reservedFen - 60_000,
        paidFen: before.paidFen + 60_000,
      });
    });
    test('concurrent reversals of the same payments answer one 201 each and 409 ALREADY_REVERSED, never 5xx', async () => {
      const plan = Array.from({ length: 10 }, (_, n) => ({ kind: `补助${n + 1}`, amountFen: 1_000 + n }));
      const planned = await caseAtPlan('zhuji_t1', 'zhuji_t1_g1', await api.workerAt(units.zhuji_t1_g1));
      await api.act('zhuji_t1_g1_caseworker', planned, 'plan', { items: plan });
      await api.act('zhuji_t1_caseworker', planned, 'approve');
      await api.act('zhuji_t1_g1_caseworker', planned, 'deliver', {
        items: plan,
        method: 'cash',
        reference: 'ZJ-DUP-2',
      });
      const payments = await h.request('GET', `/cases/${planned}/payments`, {
        token: await api.token('zhuji_t1_caseworker'),
      });
      const before = await budgetOf(units.zhuji_t1);
      const tokens = [await api.token('zhuji_t1_supervisor'), await api.token('zhuji_admin')];

      const answers = await Promise.all(
        (payments.body.items as PaymentBody[]).map((payment) =>
          Promise.all(
            [0, 1, 0].map((n) =>
              h.request('POST', `/payments/${payment.id}/reversals`, {
                token: tokens[n],
                body: { reason: '款项退回' },
              }),
            ),
          ),
        ),
      );

      const total = plan.reduce((sum, item) => sum + item.amountFen, 0);
      expect(await budgetOf(units.zhuji_t1)).toMatchObject({ paidFen: before.paidFen - total });
      expect(answers.map((perPayment) => perPayment.map((a) => a.status).sort())).toEqual(
        plan.map(() => [201, 409, 409]),
      );
    });
  });

  describe('GET /reports/funds', () => {
    test('totals money, households, person-times and registered households of a township against hand-computed figures', async () => {
      const from = new Date().toISOString();
      // Household 1: a registered worker and a second member; household 2: a registered worker; household 3:
      // a worker whose payment is reversed, so it counts nowhere.
      const a = await newWorker('zhuji_t1_g1', { hardshipStatus: 'registered' });
      const b = await newWorker('zhuji_t1_g1', { householdId: a.householdId });
      const c = await newWorker('zhuji_t1_g2', { hardshipStatus: 'registered' });
      const d = await newWorker('zhuji_t1_g2');
      const cases = [
        { worker: a, grassroots: 'zhuji_t1_g1', category: 'living', amountFen: 100_000 },
        { worker: b, grassroots: 'zhuji_t1_g1', category: 'living', amountFen: 50_000 },
        { worker: c, grassroots: 'zhuji_t1_g2', category: 'legal', amountFen: 80_000 },
        { worker: d, grassroots: 'zhuji_t1_g2', category: 'living', amountFen: 30_000 },
      ] as const;
      const ids = await Promise.all(
        cases.map(async (spec, n) => {
          const planned = await caseAtApprove(
            'zhuji_t1',
            spec.grassroots,
            spec.worker.id,
            spec.amountFen,
            spec.category,
          );
          await api.act('zhuji_t1_caseworker', planned.id, 'approve');
          await api.act(`${spec.grassroots}_caseworker`, planned.id, 'deliver', {
            items: items(spec.amountFen),
            method: 'cash',
            reference: `ZJ-RPT-${n}`,
          });
          return planned.id;
        }),
      );
      const payments = await h.request('GET', `/cases/${ids[3]}/payments`, {
        token: await api.token('zhuji_t1_supervisor'),
      });
      const reversal = await h.request('POST', `/payments/${payments.body.items[0].id}/reversals`, {
        token: await api.token('zhuji_t1_supervisor'),
        body: { reason: '重复申领，款项追回' },
      });
      expect(reversal.status).toBe(201);
      const to = new Date(Date.now() + 1000).toISOString();

      const report = await h.request(
        'GET',
        `/reports/funds?unitId=${units.zhuji_t1}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        { token: await api.token('zhuji_admin') },
      );

      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({
        unitId: units.zhuji_t1,
        totals: { amountFen: 230_000, households: 2, personTimes: 3, registeredHouseholds: 2 },
        byCategory: [
          { category: 'legal', fund: 'warmth', amountFen: 80_000, households: 1, personTimes: 1 },
          { category: 'living', fund: 'warmth', amountFen: 150_000, households: 1, personTimes: 2 },
        ],
        previousYear: { amountFen: 0, households: 0, personTimes: 0, registeredHouseholds: 0 },
        changePercent: { amount: null, households: null, personTimes: null, registeredHouseholds: null },
      });
    });

    test('a report for a unit outside the caller’s subtree answers 404', async () => {
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date().toISOString();

      const response = await h.request(
        'GET',
        `/reports/funds?unitId=${units.keqiao_t1}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        { token: await api.token('zhuji_admin') },
      );

      expectError(response, 404, 'UNIT_NOT_FOUND');
    });
  });
});
