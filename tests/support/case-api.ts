import { expect } from 'vitest';
import type { Harness, HarnessResponse } from './harness.js';

/** The parts of a case answer (GET /cases/:id and every action) that tests read. */
export interface CaseBody {
  id: string;
  number: number;
  workerId: string;
  category: string;
  urgency: string;
  source: string;
  status: string;
  step: string;
  holderUnitId: string;
  assigneeUnitId: string;
  openedUnitId: string;
  openedAt: string;
  stepStartedAt: string;
  closedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  lateBySeconds: number;
  escalationLevel: number;
  suspendedUntil: string | null;
  policyVersion: number;
  timeline: TimelineEntry[];
}

export interface TimelineEntry {
  seq: number;
  kind: string;
  fromStep: string;
  toStep: string;
  actorUserId: string | null;
  actorUnitId: string | null;
  holderUnitId: string | null;
  occurredAt: string;
  data: Record<string, any>;
}

export interface NewCase {
  workerId: string;
  category: string;
  urgency: string;
  summary?: string;
  source?: string;
}

/**
 * Drives cases through the API as the seeded demo accounts (password Demo@2026, `admin` Admin@2026). Tokens and
 * unit ids are looked up once and cached; every write asserts its success status, so a test reads as the
 * sequence of steps it takes.
 */
export interface CaseApi {
  token(username: string): Promise<string>;
  /** The org unit of a seeded account, from GET /users as the city admin. */
  unitOf(username: string): Promise<string>;
  /** The first seeded worker registered at a unit, from GET /workers?unitId=. */
  workerAt(unitId: string): Promise<string>;
  open(username: string, body: NewCase): Promise<CaseBody>;
  /** POST /cases/:id/actions/:action, expecting 200. */
  act(username: string, caseId: string, action: string, body?: Record<string, unknown>): Promise<CaseBody>;
  /** POST /cases/:id/actions/:action, whatever the answer. */
  tryAct(username: string, caseId: string, action: string, body?: Record<string, unknown>): Promise<HarnessResponse>;
  get(username: string, caseId: string): Promise<CaseBody>;
  /** PUT /policies/time-limits/:category/:urgency as the city admin, expecting 200. */
  putPolicy(category: string, urgency: string, body: Record<string, unknown>): Promise<{ version: number }>;
}

export function createCaseApi(harness: Harness): CaseApi {
  const tokens = new Map<string, Promise<string>>();
  let units: Promise<Map<string, string>> | undefined;

  const token = (username: string): Promise<string> => {
    let cached = tokens.get(username);
    if (!cached) {
      cached = username === 'admin' ? harness.login('admin', 'Admin@2026') : harness.login(username);
      tokens.set(username, cached);
    }
    return cached;
  };

  const loadUnits = async (): Promise<Map<string, string>> => {
    const response = await harness.request('GET', '/users?limit=500', { token: await token('admin') });
    expect(response.status).toBe(200);
    return new Map(
      (response.body.items as { username: string; unitId: string }[]).map((user) => [user.username, user.unitId]),
    );
  };

  const unitOf = async (username: string): Promise<string> => {
    units ??= loadUnits();
    const unitId = (await units).get(username);
    if (!unitId) {
      throw new Error(`No seeded account named ${username}`);
    }
    return unitId;
  };

  const workerAt = async (unitId: string): Promise<string> => {
    const response = await harness.request('GET', `/workers?unitId=${unitId}&limit=1`, { token: await token('admin') });
    expect(response.status).toBe(200);
    const worker = response.body.items[0] as { id: string } | undefined;
    if (!worker) {
      throw new Error(`No seeded worker at unit ${unitId}`);
    }
    return worker.id;
  };

  const expectStatus = (response: HarnessResponse, status: number, what: string): void => {
    if (response.status !== status) {
      throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
  };

  const open = async (username: string, body: NewCase): Promise<CaseBody> => {
    const response = await harness.request('POST', '/cases', {
      token: await token(username),
      body: { summary: '职工家庭遭遇困难，申请帮扶', source: 'staff', ...body },
    });
    expectStatus(response, 201, `POST /cases by ${username}`);
    return response.body as CaseBody;
  };

  const tryAct = async (
    username: string,
    caseId: string,
    action: string,
    body: Record<string, unknown> = {},
  ): Promise<HarnessResponse> =>
    harness.request('POST', `/cases/${caseId}/actions/${action}`, { token: await token(username), body });

  const act = async (
    username: string,
    caseId: string,
    action: string,
    body: Record<string, unknown> = {},
  ): Promise<CaseBody> => {
    const response = await tryAct(username, caseId, action, body);
    expectStatus(response, 200, `${action} by ${username}`);
    return response.body as CaseBody;
  };

  const get = async (username: string, caseId: string): Promise<CaseBody> => {
    const response = await harness.request('GET', `/cases/${caseId}`, { token: await token(username) });
    expectStatus(response, 200, `GET /cases/${caseId} as ${username}`);
    return response.body as CaseBody;
  };

  const putPolicy = async (category: string, urgency: string, body: Record<string, unknown>) => {
    const response = await harness.request('PUT', `/policies/time-limits/${category}/${urgency}`, {
      token: await token('admin'),
      body,
    });
    expectStatus(response, 200, `PUT /policies/time-limits/${category}/${urgency}`);
    return response.body as { version: number };
  };

  return { token, unitOf, workerAt, open, act, tryAct, get, putPolicy };
}
