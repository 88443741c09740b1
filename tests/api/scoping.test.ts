import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, onTestFinished, test } from 'vitest';
import { buildApp } from '../../api/app.js';
import { readApiConfig } from '../../api/config.js';
import {
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  expectError,
  historyLength,
  newCaseBody,
  openCase,
  randomIdNumber,
  randomPhone,
  registerWorker,
  signIn,
  uniqueSuffix,
  type CaseView,
  type Session,
  type WorkerView,
} from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';

/**
 * RELIABILITY S1, S3, S4, S6-S7 and invariant I6: staff see and act on their own subtree only, roles are enforced,
 * reads and denials are audited, and password guessing is throttled. District A is 越城区, district B 柯桥区.
 */

interface OrgUnit {
  id: string;
  parentId: string | null;
  level: string;
  path: string;
}

let h: Harness;
let admin: Session;
const a = {} as Record<'admin' | 'supervisor' | 'caseworker' | 'grassroots' | 'township2', Session>;
const b = {} as Record<'admin' | 'caseworker' | 'grassroots', Session>;
let trainer: Session;
let inspector: Session;
let cityTree: OrgUnit[];
/** Ids of every unit in district A's subtree, as the city admin's tree has them. */
let subtreeA: Set<string>;
let districtB: OrgUnit;
let workerA: WorkerView;
let workerB: WorkerView;
let caseA: CaseView;
let caseB: CaseView;

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every item of a list, following `nextCursor`. */
async function allItems<T>(token: string, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url = `${path}${separator}limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const page: HarnessResponse<Page<T>> = await h.request<Page<T>>('GET', url, { token });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/** Unit of each worker or user id, from the database. */
async function unitsOf(table: 'worker' | 'app_user', ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) {
    return new Map();
  }
  const rows = await h.db.selectFrom(table).select(['id', 'unit_id']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.unit_id]));
}

const newUserBody = (unitId: string, username = `sc_${uniqueSuffix()}`) => ({
  username,
  password: `Pw-${uniqueSuffix()}`,
  name: '新同事',
  role: 'caseworker',
  unitId,
});

beforeAll(async () => {
  h = await createHarness();
  admin = await signIn(h, 'admin', ADMIN_PASSWORD);
  const usernames = [
    'yuecheng_admin',
    'yuecheng_supervisor',
    'yuecheng_caseworker',
    'yuecheng_t1_g1_caseworker',
    'yuecheng_t2_caseworker',
    'keqiao_admin',
    'keqiao_caseworker',
    'keqiao_t1_g1_caseworker',
    'trainer',
    'inspector',
  ];
  const sessions = new Map(
    await Promise.all(usernames.map(async (username) => [username, await signIn(h, username)] as const)),
  );
  const session = (username: string) => sessions.get(username)!;
  Object.assign(a, {
    admin: session('yuecheng_admin'),
    supervisor: session('yuecheng_supervisor'),
    caseworker: session('yuecheng_caseworker'),
    grassroots: session('yuecheng_t1_g1_caseworker'),
    township2: session('yuecheng_t2_caseworker'),
  });
  Object.assign(b, {
    admin: session('keqiao_admin'),
    caseworker: session('keqiao_caseworker'),
    grassroots: session('keqiao_t1_g1_caseworker'),
  });
  trainer = session('trainer');
  inspector = session('inspector');

  cityTree = (await h.request<{ items: OrgUnit[] }>('GET', '/org-units?limit=500', { token: admin.token })).body.items;
  const districtA = cityTree.find((unit) => unit.id === a.admin.unitId)!;
  subtreeA = new Set(cityTree.filter((unit) => unit.path.startsWith(districtA.path)).map((unit) => unit.id));
  districtB = cityTree.find((unit) => unit.id === b.admin.unitId)!;

  [workerA, workerB] = await Promise.all([
    registerWorker(h, a.grassroots.token, { unitId: a.grassroots.unitId, name: '越城职工' }),
    registerWorker(h, b.grassroots.token, { unitId: b.grassroots.unitId, name: '柯桥职工' }),
  ]);
  [caseA, caseB] = await Promise.all([
    openCase(h, a.caseworker.token, workerA.id, '越城区的助学工单'),
    openCase(h, b.caseworker.token, workerB.id, '柯桥区的就业帮扶工单，内含他区信息'),
  ]);
});

afterAll(async () => {
  await h?.close();
});

describe('reading a record of another district by id', () => {
  test.each(['admin', 'supervisor', 'caseworker'] as const)(
    'GET /cases/:id of a district B case answers 404 CASE_NOT_FOUND to the district A %s, with nothing of the case',
    async (role) => {
      const response = await h.request('GET', `/cases/${caseB.id}`, { token: a[role].token });

      expectError(response, 404, 'CASE_NOT_FOUND');
      expect(Object.keys(response.body.error).sort()).toEqual(['code', 'message']);
      const text = JSON.stringify(response.body);
      for (const foreign of [caseB.id, workerB.id, caseB.holderUnitId, caseB.summary, '柯桥']) {
        expect(text).not.toContain(foreign);
      }
    },
  );

  test.each(['admin', 'supervisor', 'caseworker'] as const)(
    'GET /workers/:id of a district B worker answers 404 WORKER_NOT_FOUND to the district A %s, with nothing of the worker',
    async (role) => {
      const response = await h.request('GET', `/workers/${workerB.id}`, { token: a[role].token });

      expectError(response, 404, 'WORKER_NOT_FOUND');
      expect(Object.keys(response.body.error).sort()).toEqual(['code', 'message']);
      const text = JSON.stringify(response.body);
      for (const foreign of [workerB.id, workerB.name, workerB.idNumber, workerB.unitId]) {
        expect(text).not.toContain(foreign);
      }
    },
  );
});

describe('lists of district A staff', () => {
  test('GET /cases holds only cases held in district A or about one of its workers', async () => {
    const items = await allItems<CaseView>(a.supervisor.token, '/cases');
    const workerUnits = await unitsOf('worker', [...new Set(items.map((item) => item.workerId))]);

    const outside = items.filter(
      (item) => !subtreeA.has(item.holderUnitId) && !subtreeA.has(workerUnits.get(item.workerId)!),
    );
    expect(outside).toEqual([]);
    expect(items.map((item) => item.id)).toContain(caseA.id);
    expect(items.map((item) => item.id)).not.toContain(caseB.id);
  });

  test('GET /workers holds only workers of district A units', async () => {
    const items = await allItems<WorkerView>(a.supervisor.token, '/workers');

    expect(items.filter((item) => !subtreeA.has(item.unitId))).toEqual([]);
    expect(items.map((item) => item.id)).toContain(workerA.id);
  });

  test("GET /org-units is exactly district A's subtree of the city tree", async () => {
    const items = await allItems<OrgUnit>(a.caseworker.token, '/org-units');

    expect(new Set(items.map((item) => item.id))).toEqual(subtreeA);
  });

  test('GET /users holds only accounts of district A units', async () => {
    const items = await allItems<{ username: string; unitId: string }>(a.admin.token, '/users');

    expect(items.filter((item) => !subtreeA.has(item.unitId))).toEqual([]);
    expect(items.map((item) => item.username)).toContain('yuecheng_t1_g1_caseworker');
  });

  test('GET /supervision/overdue holds only overdue cases and unit counts of district A', async () => {
    // Both cases are made late in the read model for the length of this test, so the board has something to hide.
    const ids = [caseA.id, caseB.id];
    const past = new Date(Date.now() - 3_600_000);
    const saved = await h.db.selectFrom('assistance_case').select(['id', 'due_at']).where('id', 'in', ids).execute();
    await h.db.updateTable('assistance_case').set({ due_at: past }).where('id', 'in', ids).execute();
    onTestFinished(async () => {
      for (const row of saved) {
        await h.db.updateTable('assistance_case').set({ due_at: row.due_at }).where('id', '=', row.id).execute();
      }
    });

    const board = await h.request<{
      items: { caseId: string; holderUnitId: string }[];
      byUnit: { unitId: string }[];
    }>('GET', '/supervision/overdue?limit=500', { token: a.supervisor.token });

    expect(board.status).toBe(200);
    expect(board.body.items.filter((item) => !subtreeA.has(item.holderUnitId))).toEqual([]);
    expect(board.body.byUnit.filter((unit) => !subtreeA.has(unit.unitId))).toEqual([]);
    expect(board.body.items.map((item) => item.caseId)).toContain(caseA.id);
    expect(board.body.items.map((item) => item.caseId)).not.toContain(caseB.id);
  });

  test('GET /audit holds only entries by staff, or workers in the portal, of district A units', async () => {
    const items = await allItems<{ actorUserId: string | null; actorWorkerId: string | null }>(
      a.supervisor.token,
      '/audit',
    );
    const ids = (key: 'actorUserId' | 'actorWorkerId') => [...new Set(items.flatMap((item) => item[key] ?? []))];
    const staffUnits = await unitsOf('app_user', ids('actorUserId'));
    const workerUnits = await unitsOf('worker', ids('actorWorkerId'));
    const actorUnit = (item: (typeof items)[number]) =>
      item.actorUserId ? staffUnits.get(item.actorUserId) : workerUnits.get(item.actorWorkerId ?? '');

    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((item) => !subtreeA.has(actorUnit(item)!))).toEqual([]);
  });

  test.each(['/cases', '/workers', '/supervision/overdue'])(
    'GET %s?unitId=<a district B unit> answers 404 UNIT_NOT_FOUND',
    async (path) => {
      const response = await h.request('GET', `${path}?unitId=${districtB.id}`, { token: a.supervisor.token });

      expectError(response, 404, 'UNIT_NOT_FOUND');
    },
  );
  test('GET /users?unitId=<a district B unit> answers 404 UNIT_NOT_FOUND', async () => {
    const response = await h.request('GET', `/users?unitId=${districtB.id}`, { token: a.admin.token });

    expectError(response, 404, 'UNIT_NOT_FOUND');
  });
});

describe('acting outside the subtree', () => {
  test.each([
    ['accept', () => ({})],
    ['dispatch', () => ({ toUnitId: b.grassroots.unitId })],
    ['withdraw', () => ({ reason: '他区撤销' })],
  ] as const)(
    '%s by a district B caseworker on a district A case answers 404 CASE_NOT_FOUND and adds nothing to history',
    async (action, body) => {
      const length = await historyLength(h, caseA.id);

      const response = await h.request('POST', `/cases/${caseA.id}/actions/${action}`, {
        token: b.caseworker.token,
        body: body(),
      });

      expectError(response, 404, 'CASE_NOT_FOUND');
      expect(await historyLength(h, caseA.id)).toBe(length);
    },
  );

  test('opening a case for a district B worker answers 422 WORKER_NOT_FOUND and opens nothing', async () => {
    const summary = `他区职工开单 ${uniqueSuffix()}`;

    const response = await h.request('POST', '/cases', {
      token: a.caseworker.token,
      body: newCaseBody(workerB.id, summary),
    });

    expectError(response, 422, 'WORKER_NOT_FOUND');
    expect(await h.db.selectFrom('assistance_case').select('id').where('summary', '=', summary).execute()).toEqual([]);
  });

  test('registering a worker at a district B unit answers 404 UNIT_NOT_FOUND', async () => {
    const response = await h.request('POST', '/workers', {
      token: a.caseworker.token,
      body: {
        name: '王芳',
        idNumber: randomIdNumber(),
        phone: randomPhone(),
        unitId: b.grassroots.unitId,
        hardshipStatus: 'none',
      },
    });

    expectError(response, 404, 'UNIT_NOT_FOUND');
  });

  test('dispatch to a unit of another district answers 422 DISPATCH_TARGET_INVALID naming toUnitId', async () => {
    const length = await historyLength(h, caseA.id);

    const response = await h.request('POST', `/cases/${caseA.id}/actions/dispatch`, {
      token: a.caseworker.token,
      body: { toUnitId: b.grassroots.unitId },
    });

    expectError(response, 422, 'DISPATCH_TARGET_INVALID');
    expect(response.body.error.details).toEqual([{ field: 'toUnitId', reason: expect.any(String) }]);
    expect(await historyLength(h, caseA.id)).toBe(length);
  });

  test('dispatch by the holder to its own unit answers 422 DISPATCH_TARGET_INVALID', async () => {
    const length = await historyLength(h, caseA.id);

    const response = await h.request('POST', `/cases/${caseA.id}/actions/dispatch`, {
      token: a.caseworker.token,
      body: { toUnitId: a.caseworker.unitId },
    });

    expectError(response, 422, 'DISPATCH_TARGET_INVALID');
    expect(await historyLength(h, caseA.id)).toBe(length);
  });
});

describe('roles', () => {
  test.each(['trainer', 'inspector'] as const)('a %s opening a case answers 403 ROLE_NOT_ALLOWED', async (role) => {
    const summary = `无权开单 ${uniqueSuffix()}`;

    const response = await h.request('POST', '/cases', {
      token: (role === 'trainer' ? trainer : inspector).token,
      body: newCaseBody(workerA.id, summary),
    });

    expectError(response, 403, 'ROLE_NOT_ALLOWED');
    expect(await h.db.selectFrom('assistance_case').select('id').where('summary', '=', summary).execute()).toEqual([]);
  });

  test.each([
    ['trainer', 'accept', {}],
    ['inspector', 'withdraw', { reason: '检查员撤销' }],
  ] as const)(
    'a %s sending %s answers 403 ROLE_NOT_ALLOWED and adds nothing to history',
    async (role, action, body) => {
      const length = await historyLength(h, caseA.id);

      const response = await h.request('POST', `/cases/${caseA.id}/actions/${action}`, {
        token: (role === 'trainer' ? trainer : inspector).token,
        body,
      });

      expectError(response, 403, 'ROLE_NOT_ALLOWED');
      expect(await historyLength(h, caseA.id)).toBe(length);
    },
  );

  test('an inspector registering a worker answers 403 ROLE_NOT_ALLOWED', async () => {
    const response = await h.request('POST', '/workers', {
      token: inspector.token,
      body: {
        name: '王芳',
        idNumber: randomIdNumber(),
        phone: randomPhone(),
        unitId: a.grassroots.unitId,
        hardshipStatus: 'none',
      },
    });

    expectError(response, 403, 'ROLE_NOT_ALLOWED');
  });

  test('a caseworker reading GET /audit answers 403 ROLE_NOT_ALLOWED', async () => {
    const response = await h.request('GET', '/audit', { token: a.caseworker.token });

    expectError(response, 403, 'ROLE_NOT_ALLOWED');
  });

  test.each(['supervisor', 'caseworker'] as const)(
    'a %s creating a user answers 403 ROLE_NOT_ALLOWED',
    async (role) => {
      const body = newUserBody(a.grassroots.unitId);

      const response = await h.request('POST', '/users', { token: a[role].token, body });

      expectError(response, 403, 'ROLE_NOT_ALLOWED');
      expect(await h.db.selectFrom('app_user').select('id').where('username', '=', body.username).execute()).toEqual(
        [],
      );
    },
  );

  test('a district admin creates a user in its own subtree (201), who can then log in', async () => {
    const body = newUserBody(a.township2.unitId);

    const response = await h.request('POST', '/users', { token: a.admin.token, body });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ username: body.username, role: 'caseworker', unitId: a.township2.unitId });
    expect((await signIn(h, body.username, body.password)).unitId).toBe(a.township2.unitId);
  });

  test('a district admin creating a user in another district answers 404 UNIT_NOT_FOUND', async () => {
    const body = newUserBody(b.grassroots.unitId);

    const response = await h.request('POST', '/users', { token: a.admin.token, body });

    expectError(response, 404, 'UNIT_NOT_FOUND');
    expect(await h.db.selectFrom('app_user').select('id').where('username', '=', body.username).execute()).toEqual([]);
  });

  test('a username already taken answers 409 USERNAME_TAKEN', async () => {
    const response = await h.request('POST', '/users', {
      token: a.admin.token,
      body: newUserBody(a.grassroots.unitId, 'yuecheng_t1_g1_caseworker'),
    });

    expectError(response, 409, 'USERNAME_TAKEN');
  });

  test('PUT /calendar/2031 by a district admin answers 403 ROLE_NOT_ALLOWED', async () => {
    const response = await h.request('PUT', '/calendar/2031', {
      token: a.admin.token,
      body: { holidays: ['2031-10-01'], workdays: [] },
    });

    expectError(response, 403, 'ROLE_NOT_ALLOWED');
  });
});

describe('audit of reads (I6)', () => {
  interface AuditRow {
    actorUserId: string;
    action: string;
    targetType: string;
    targetId: string;
    outcome: string;
    statusCode: number;
    ip: string;
  }

  const readsOf = async (token: string, targetId: string) =>
    (await allItems<AuditRow>(token, `/audit?targetId=${targetId}&action=worker.read`)).map(
      ({ actorUserId, action, targetType, targetId: id, outcome, statusCode, ip }) => ({
        actorUserId,
        action,
        targetType,
        targetId: id,
        outcome,
        statusCode,
        ip,
      }),
    );

  test('a read and a denied read of a worker are each one audit row the district supervisor sees', async () => {
    const worker = await registerWorker(h, a.grassroots.token, { unitId: a.grassroots.unitId });
    const allowed = await h.request('GET', `/workers/${worker.id}`, { token: a.grassroots.token });
    const denied = await h.request('GET', `/workers/${worker.id}`, { token: a.township2.token });

    expect([allowed.status, denied.status]).toEqual([200, 404]);
    const rows = await readsOf(a.supervisor.token, worker.id);
    const row = { action: 'worker.read', targetType: 'worker', targetId: worker.id, ip: '127.0.0.1' };
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        { ...row, actorUserId: a.grassroots.id, outcome: 'ok', statusCode: 200 },
        { ...row, actorUserId: a.township2.id, outcome: 'denied', statusCode: 404 },
      ]),
    );
  });

  test('a denied read from another district is in the audit log the city supervisor reads', async () => {
    const worker = await registerWorker(h, a.grassroots.token, { unitId: a.grassroots.unitId });
    const citySupervisor = await signIn(h, 'city_supervisor', DEMO_PASSWORD);

    const denied = await h.request('GET', `/workers/${worker.id}`, { token: b.caseworker.token });

    expect(denied.status).toBe(404);
    expect(await readsOf(citySupervisor.token, worker.id)).toEqual([
      {
        actorUserId: b.caseworker.id,
        action: 'worker.read',
        targetType: 'worker',
        targetId: worker.id,
        outcome: 'denied',
        statusCode: 404,
        ip: '127.0.0.1',
      },
    ]);
  });
});

describe('POST /auth/login throttling (S7)', () => {
  let throttled: FastifyInstance;

  beforeAll(async () => {
    const config = readApiConfig({
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_ATTEMPTS_PER_MINUTE: '5',
    });
    throttled = await buildApp({
      config,
      db: h.db,
      temporal: { client: h.client, taskQueue: h.taskQueue },
      logger: pino({ level: 'silent' }),
    });
    await throttled.ready();
  });

  afterAll(async () => {
    await throttled?.close();
  });

  const login = (username: string, password: string, remoteAddress: string) =>
    throttled.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, remoteAddress });
  const codeOf = (response: { json(): unknown }) => (response.json() as { error?: { code: string } }).error?.code;

  test('the sixth bad password for one username within a minute answers 429 TOO_MANY_LOGIN_ATTEMPTS', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await login('yuecheng_t2_supervisor', 'wrong-password', '203.0.113.7'));
    }
    const thenRight = await login('yuecheng_t2_supervisor', DEMO_PASSWORD, '203.0.113.8');

    expect(answers.map((r) => [r.statusCode, codeOf(r)])).toEqual([
      ...Array.from({ length: 5 }, () => [401, 'INVALID_CREDENTIALS']),
      [429, 'TOO_MANY_LOGIN_ATTEMPTS'],
    ]);
    expect([thenRight.statusCode, codeOf(thenRight)]).toEqual([429, 'TOO_MANY_LOGIN_ATTEMPTS']);
  });

  test('another username still logs in from another address while one account is throttled', async () => {
    for (let i = 0; i < 6; i++) {
      await login('keqiao_t2_supervisor', 'wrong-password', '203.0.113.20');
    }

    const other = await login('keqiao_t1_supervisor', DEMO_PASSWORD, '198.51.100.20');

    expect(other.statusCode).toBe(200);
  });

  test('another username still logs in from the same address while one account is throttled', async () => {
    for (let i = 0; i < 6; i++) {
      await login('shangyu_t2_supervisor', 'wrong-password', '203.0.113.30');
    }

    const other = await login('shangyu_t1_supervisor', DEMO_PASSWORD, '203.0.113.30');

    expect(other.statusCode).toBe(200);
  });
  test('a throttled login answers with a Retry-After header', async () => {
    let last = await login('zhuji_t2_supervisor', 'wrong-password', '203.0.113.40');
    for (let i = 0; i < 5; i++) {
      last = await login('zhuji_t2_supervisor', 'wrong-password', '203.0.113.40');
    }

    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
