import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { withCreditCheck } from '../../api/routes/training/credit-code.js';
import { randomIdNumber, randomPhone, uniqueSuffix } from './api-fixtures.js';
import type { Harness, HarnessResponse } from './harness.js';
import { waitFor } from './wait.js';

/** The parts of a pipeline answer (GET /pipelines/:id, enrolments and actions) that tests read. */
export interface PipelineBody {
  id: string;
  courseId: string;
  workerId: string;
  status: string;
  step: string;
  seat: string | null;
  certified: boolean;
  fairId: string | null;
  currentOfferId: string | null;
  placedOpeningId: string | null;
  dueAt: string | null;
  opensAt: string | null;
  overdue: boolean;
  stalled: boolean;
  escalatedUnitId: string | null;
  offers: { id: string; openingId: string; status: string }[];
  examResults: { sitting: number; passed: boolean }[];
  certificate: { code: string } | null;
  pushedOpenings: { openingId: string; rank: number; score: number; reason: string }[];
  profilesSentToEnterprises: number;
  timeline: { seq: number; kind: string; description: string; fromStep: string; toStep: string; data: any }[];
}

/** Short limits for tests: seconds where a test waits on them, long where it must not fire. */
export const quickLimits = (overrides: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries({
      confirm: 'PT1H',
      courseEndGrace: 'PT1H',
      exam: 'PT1H',
      retake: 'PT1H',
      invitation: 'PT1H',
      placement: 'PT1H',
      offerAnswer: 'PT1H',
      followUp1: 'PT1H',
      followUp3: 'PT2H',
      followUpWithin: 'PT1H',
      ...overrides,
    }).map(([name, duration]) => [name, { duration, calendar: 'natural' }]),
  );

/**
 * Drives the training capability through the API as seeded demo accounts (`trainer`, `<district>_employment_officer`,
 * `admin`...). Every write asserts its success status, so a test reads as the sequence of steps it takes. Skills are
 * created per test with unique codes, so that seeded openings and other files' data never rank among a test's own.
 */
export function createTrainingApi(h: Harness) {
  const tokens = new Map<string, Promise<string>>();
  const token = (username: string): Promise<string> => {
    let cached = tokens.get(username);
    if (!cached) {
      cached = username === 'admin' ? h.login('admin', 'Admin@2026') : h.login(username);
      tokens.set(username, cached);
    }
    return cached;
  };
  let unitIds: Promise<Map<string, string>> | undefined;
  const ownUnits = new Map<string, string>();
  /** Lets a test act as an account it created (tests/support/api-fixtures.ts createStaff). */
  const useSession = (session: { username: string; token: string; unitId: string }) => {
    tokens.set(session.username, Promise.resolve(session.token));
    ownUnits.set(session.username, session.unitId);
  };
  const unitOf = async (username: string): Promise<string> => {
    const own = ownUnits.get(username);
    if (own) {
      return own;
    }
    unitIds ??= (async () => {
      const response = await h.request('GET', '/users?limit=500', { token: await token('admin') });
      expect(response.status).toBe(200);
      return new Map(
        (response.body.items as { username: string; unitId: string }[]).map((u) => [u.username, u.unitId]),
      );
    })();
    const unitId = (await unitIds).get(username);
    if (!unitId) {
      throw new Error(`No seeded account named ${username}`);
    }
    return unitId;
  };

  const send = async (username: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    h.request(method, url, { token: await token(username), ...(body === undefined ? {} : { body }) });

  const expectOk = (response: HarnessResponse, status: number, what: string) => {
    if (response.status !== status) {
      throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  };

  const ok = async (username: string, method: 'GET' | 'POST', url: string, body?: unknown, status = 200) =>
    expectOk(await send(username, method, url, body), status, `${method} ${url} by ${username}`);

  /** Creates skills (and a certificate) under unique codes: `{ a, b, c, cert }` with Chinese labels. */
  const vocabulary = async () => {
    const tag = uniqueSuffix(3);
    const codes = { tag, a: `t${tag}_weld`, b: `t${tag}_drone`, c: `t${tag}_cook`, cert: `t${tag}_licence` };
    await ok('admin', 'POST', '/skills', { code: codes.a, label: `焊接${tag}` }, 201);
    await ok('admin', 'POST', '/skills', { code: codes.b, label: `无人机${tag}` }, 201);
    await ok('admin', 'POST', '/skills', { code: codes.c, label: `烹饪${tag}` }, 201);
    await ok('admin', 'POST', '/certificates', { code: codes.cert, label: `执照${tag}` }, 201);
    return codes;
  };

  /** Registers a fresh worker at the unit of `caseworker` (a seeded grassroots caseworker). */
  const newWorker = async (caseworker = 'yuecheng_t1_g1_caseworker') => {
    const body = await ok(
      caseworker,
      'POST',
      '/workers',
      {
        name: '测试学员',
        idNumber: randomIdNumber(),
        phone: randomPhone(),
        unitId: await unitOf(caseworker),
        hardshipStatus: 'none',
      },
      201,
    );
    return body.id as string;
  };

  const survey = (username: string, body: Record<string, unknown>) => ok(username, 'POST', '/surveys', body, 201);

  const enterprise = async (username: string, unitUsername = username) => {
    const code = withCreditCheck(
      `91330602MA${Array.from({ length: 7 }, () => '0123456789ABCDEFGHJKLMNPQRTUWXY'[randomInt(31)]).join('')}`,
    );
    const body = await ok(
      username,
      'POST',
      '/enterprises',
      { name: `测试企业${uniqueSuffix(2)}有限公司`, creditCode: code, unitId: await unitOf(unitUsername) },
      201,
    );
    return body.id as string;
  };

  const opening = async (username: string, body: Record<string, unknown>) =>
    (await ok(username, 'POST', '/openings', { title: '测试岗位', hours: 'full_time', headcount: 1, ...body }, 201))
      .id as string;

  const course = async (username: string, body: Record<string, unknown>) =>
    ok(
      username,
      'POST',
      '/courses',
      {
        title: `测试培训班${uniqueSuffix(2)}`,
        capacity: 5,
        sessions: 2,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        ...body,
      },
      201,
    );

  const enrol = async (username: string, courseId: string, workerId: string): Promise<PipelineBody> =>
    ok(username, 'POST', `/courses/${courseId}/enrolments`, { workerId }, 201);

  const tryAct = (username: string, pipelineId: string, action: string, body: Record<string, unknown> = {}) =>
    send(username, 'POST', `/pipelines/${pipelineId}/actions/${action}`, body);

  const act = async (username: string, pipelineId: string, action: string, body: Record<string, unknown> = {}) =>
    expectOk(await tryAct(username, pipelineId, action, body), 200, `${action} by ${username}`) as PipelineBody;

  const pipeline = async (username: string, pipelineId: string): Promise<PipelineBody> =>
    ok(username, 'GET', `/pipelines/${pipelineId}`);

  /** Polls GET /pipelines/:id until `until` holds, and returns that answer. */
  const waitForPipeline = (
    username: string,
    pipelineId: string,
    until: (body: PipelineBody) => boolean,
    message: string,
    timeoutMs = 30_000,
  ) =>
    waitFor(
      async () => {
        const body = await pipeline(username, pipelineId);
        return until(body) ? body : null;
      },
      { message, timeoutMs, intervalMs: 200 },
    );

  const attend = (
    username: string,
    courseId: string,
    session: number,
    records: { workerId: string; present: boolean }[],
  ) => ok(username, 'POST', `/courses/${courseId}/attendance`, { session, records });

  return {
    token,
    useSession,
    unitOf,
    send,
    ok,
    vocabulary,
    newWorker,
    survey,
    enterprise,
    opening,
    course,
    enrol,
    act,
    tryAct,
    pipeline,
    waitForPipeline,
    attend,
  };
}

export type TrainingApi = ReturnType<typeof createTrainingApi>;
