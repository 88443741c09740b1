import { randomBytes, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../db/database.js';
import { withCheckDigit } from '../../db/personal-data.js';
import type { Harness, HarnessResponse } from './harness.js';

/** Password of every seeded account except `admin`. */
export const DEMO_PASSWORD = 'Demo@2026';
export const ADMIN_PASSWORD = 'Admin@2026';

/** At least one CJK character: error messages are written for caseworkers, in Chinese. */
export const CHINESE = /[\u4e00-\u9fff]/;

/** A short random suffix of lower-case hex, for names and keys that must not collide across runs and files. */
export const uniqueSuffix = (bytes = 4): string => randomBytes(bytes).toString('hex');

/** A fictional, valid 18-character ID-card number of the region, born 1970-1999, with a random order code. */
export function randomIdNumber(regionCode = '330602'): string {
  const birth = new Date(Date.UTC(1970, 0, 1) + randomInt(0, 30 * 365) * 86_400_000);
  const order = String(randomInt(0, 1000)).padStart(3, '0');
  return withCheckDigit(`${regionCode}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${order}`);
}

export const randomPhone = (): string => `139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

export interface Me {
  id: string;
  username: string;
  role: string;
  unitId: string;
  unitLevel: string;
}

export interface Session extends Me {
  token: string;
}

/** Logs in and reads GET /me: the token with the user's id and unit. */
export async function signIn(h: Harness, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const token = await h.login(username, password);
  const me = await h.request<Me>('GET', '/me', { token });
  expect(me.status).toBe(200);
  return { ...me.body, token };
}

/** Creates a staff account through POST /users (as an admin above the unit) and signs it in. */
export async function createStaff(
  h: Harness,
  adminToken: string,
  { unitId, role = 'caseworker', prefix = 't' }: { unitId: string; role?: string; prefix?: string },
): Promise<Session> {
  const username = `${prefix}_${uniqueSuffix()}`;
  const password = `Pw-${uniqueSuffix()}`;
  const created = await h.request('POST', '/users', {
    token: adminToken,
    body: { username, password, name: '测试员工', role, unitId },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return signIn(h, username, password);
}

export interface WorkerView {
  id: string;
  name: string;
  idNumber: string;
  unitId: string;
  householdId: string;
}

/** Registers a worker through POST /workers and returns the answer (ID number masked). */
export async function registerWorker(
  h: Harness,
  token: string,
  { unitId, name = '测试职工', idNumber = randomIdNumber() }: { unitId: string; name?: string; idNumber?: string },
): Promise<WorkerView> {
  const response = await h.request<WorkerView>('POST', '/workers', {
    token,
    body: { name, idNumber, phone: randomPhone(), unitId, hardshipStatus: 'borderline' },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export interface CaseView {
  id: string;
  workerId: string;
  status: string;
  step: string;
  holderUnitId: string;
  summary: string;
  [field: string]: unknown;
}

export const newCaseBody = (workerId: string, summary = `助学困难，需要帮扶 ${uniqueSuffix()}`) => ({
  workerId,
  category: 'education',
  urgency: 'normal',
  summary,
  source: 'staff',
});

/** Opens an education case through POST /cases and returns the 201 answer. */
export async function openCase(h: Harness, token: string, workerId: string, summary?: string): Promise<CaseView> {
  const response = await h.request<CaseView>('POST', '/cases', { token, body: newCaseBody(workerId, summary) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** Runs one action that must succeed (200) and returns the updated case. */
export async function act(
  h: Harness,
  token: string,
  caseId: string,
  action: string,
  body: Record<string, unknown> = {},
): Promise<CaseView> {
  const response = await h.request<CaseView>('POST', `/cases/${caseId}/actions/${action}`, { token, body });
  expect(response.status, `${action}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

/** Expects the contract's error shape with this status and code, a Chinese message and nothing else. */
export function expectError(response: HarnessResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  expect(response.body.error.message).toMatch(CHINESE);
  expect(Object.keys(response.body)).toEqual(['error']);
}

/** The field names in `details` of an error answer, sorted and without repeats. */
export const detailFields = (response: HarnessResponse): string[] =>
  [...new Set(((response.body?.error?.details ?? []) as { field: string }[]).map((d) => d.field))].sort();

/** Number of events in a case workflow's history. */
export async function historyLength(h: Harness, caseId: string): Promise<number> {
  const history = await h.client.workflow.getHandle(`case-${caseId}`).fetchHistory();
  return history.events?.length ?? 0;
}

export interface StoreSnapshot {
  cases: number;
  caseChecksum: string | null;
  events: number;
  workers: number;
  households: number;
  users: number;
  notifications: number;
}

/**
 * Row counts and a checksum of what a request by these users could have written (RELIABILITY I5). Scoped to the
 * users' own rows, the cases they opened (with their events and notifications) and orphaned households, because
 * other test files write to the same database at the same time; a request that wrongly stored something would
 * do so as one of these users.
 */
export async function snapshotStore(db: Db, userIds: readonly string[]): Promise<StoreSnapshot> {
  const users = sql`(${sql.join(userIds.map((id) => sql`${id}::uuid`))})`;
  const cases = sql`(select id from assistance_case where opened_by_user_id in ${users})`;
  const { rows } = await sql<StoreSnapshot>`
    select
      (select count(*)::int from assistance_case where opened_by_user_id in ${users}) as cases,
      (select md5(string_agg(id::text || ':' || last_seq || ':' || step || ':' || status || ':' || holder_unit_id,
        ',' order by id)) from assistance_case where opened_by_user_id in ${users}) as "caseChecksum",
      (select count(*)::int from case_event where case_id in ${cases} or actor_user_id in ${users}) as events,
      (select count(*)::int from worker where created_by in ${users}) as workers,
      (select count(*)::int from household h
        where not exists (select 1 from worker w where w.household_id = h.id)
           or h.id in (select household_id from worker where created_by in ${users})) as households,
      (select count(*)::int from app_user where created_by in ${users} or id in ${users}) as users,
      (select count(*)::int from notification where case_id in ${cases}) as notifications
  `.execute(db);
  return rows[0]!;
}
