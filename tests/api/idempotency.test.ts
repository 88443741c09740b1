import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, onTestFinished, test } from 'vitest';
import {
  act,
  expectError,
  newCaseBody,
  openCase,
  registerWorker,
  signIn,
  uniqueSuffix,
  type CaseView,
  type Session,
  type WorkerView,
} from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

/** RELIABILITY I-1, I-2, I-3 and I-5 through the API's `Idempotency-Key` header; invariant I3. */

let h: Harness;
let grassroots: Session;
let township: Session;
let otherDistrict: Session;
let worker: WorkerView;

const key = () => `key-${randomUUID()}`;

function postCase(session: Session, idempotencyKey: string, summary: string): Promise<HarnessResponse<CaseView>> {
  return h.request<CaseView>('POST', '/cases', {
    token: session.token,
    body: newCaseBody(worker.id, summary),
    headers: { 'idempotency-key': idempotencyKey },
  });
}

async function casesWithSummary(summary: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select count(*)::int as count from assistance_case where summary = ${summary}
  `.execute(h.db);
  return rows[0]!.count;
}

/** Executions of the case's workflow id, as visibility counts them once it has caught up. */
async function workflowCount(caseId: string): Promise<number> {
  const query = `WorkflowId = "case-${caseId}"`;
  await waitFor(async () => (await h.client.workflow.count(query)).count > 0, { message: `workflow of ${caseId}` });
  return (await h.client.workflow.count(query)).count;
}

/** How many `act` updates the workflow's history accepted and completed. */
async function actUpdatesInHistory(caseId: string): Promise<{ accepted: number; completed: number }> {
  const events = (await h.client.workflow.getHandle(`case-${caseId}`).fetchHistory()).events ?? [];
  const acceptedIds = new Set(
    events
      .filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'act')
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.meta!.updateId),
  );
  return {
    accepted: acceptedIds.size,
    completed: events.filter(
      (e) =>
        e.workflowExecutionUpdateCompletedEventAttributes &&
        acceptedIds.has(e.workflowExecutionUpdateCompletedEventAttributes.meta?.updateId ?? ''),
    ).length,
  };
}

beforeAll(async () => {
  h = await createHarness();
  [grassroots, township, otherDistrict] = await Promise.all([
    signIn(h, 'yuecheng_t1_g1_caseworker'),
    signIn(h, 'yuecheng_t1_caseworker'),
    signIn(h, 'keqiao_t1_g1_caseworker'),
  ]);
  worker = await registerWorker(h, grassroots.token, { unitId: grassroots.unitId });
});

afterAll(async () => {
  await h?.close();
});

describe('POST /cases with an Idempotency-Key', () => {
  test('the same request sent twice gets the same answer, marked as replayed, and opens one case', async () => {
    const idempotencyKey = key();
    const summary = `重复提交的工单 ${uniqueSuffix()}`;

    const first = await postCase(grassroots, idempotencyKey, summary);
    const second = await postCase(grassroots, idempotencyKey, summary);

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await casesWithSummary(summary)).toBe(1);
    expect(await workflowCount(first.body.id)).toBe(1);
  });
  test('a replay returns byte for byte the body of the first answer', async () => {
    const idempotencyKey = key();
    const payload = newCaseBody(worker.id, `逐字节比较 ${uniqueSuffix()}`);
    const send = () =>
      h.app.inject({
        method: 'POST',
        url: '/cases',
        headers: { authorization: `Bearer ${grassroots.token}`, 'idempotency-key': idempotencyKey },
        payload,
      });

    const first = await send();
    const second = await send();

    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toBe(first.body);
  });

  test('20 parallel requests with one key open exactly one case; the others replay it or answer 409', async () => {
    const idempotencyKey = key();
    const summary = `并发提交的工单 ${uniqueSuffix()}`;

    const answers = await Promise.all(Array.from({ length: 20 }, () => postCase(grassroots, idempotencyKey, summary)));
    const stored = await postCase(grassroots, idempotencyKey, summary);

    expect(stored.status).toBe(201);
    expect(stored.headers['idempotent-replayed']).toBe('true');
    for (const answer of answers) {
      if (answer.status === 201) {
        expect(answer.body).toEqual(stored.body);
      } else {
        expectError(answer, 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
      }
    }
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    expect(await casesWithSummary(summary)).toBe(1);
    expect(await workflowCount(stored.body.id)).toBe(1);
  });

  test('the same key with a different body answers 422 IDEMPOTENCY_KEY_REUSED and opens nothing', async () => {
    const idempotencyKey = key();
    const firstSummary = `第一次提交 ${uniqueSuffix()}`;
    const otherSummary = `换了内容的第二次提交 ${uniqueSuffix()}`;
    await postCase(grassroots, idempotencyKey, firstSummary);

    const response = await postCase(grassroots, idempotencyKey, otherSummary);

    expectError(response, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await casesWithSummary(firstSummary)).toBe(1);
    expect(await casesWithSummary(otherSummary)).toBe(0);
  });

  test("the same key from another user is that user's own key: a new case, not the first answer", async () => {
    const idempotencyKey = key();
    const summary = `两位员工用了同一个键 ${uniqueSuffix()}`;
    const first = await postCase(grassroots, idempotencyKey, summary);

    const other = await postCase(township, idempotencyKey, summary);

    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.body.id).not.toBe(first.body.id);
    expect(await casesWithSummary(summary)).toBe(2);
  });

  test("the same key from a user of another district never returns the first user's answer", async () => {
    const idempotencyKey = key();
    const summary = `他区员工重放 ${uniqueSuffix()}`;
    const first = await postCase(grassroots, idempotencyKey, summary);

    const foreign = await postCase(otherDistrict, idempotencyKey, summary);

    expectError(foreign, 422, 'WORKER_NOT_FOUND');
    expect(foreign.headers['idempotent-replayed']).toBeUndefined();
    expect(JSON.stringify(foreign.body)).not.toContain(first.body.id);
    expect(await casesWithSummary(summary)).toBe(1);
  });

  test('a key that is not 1 to 128 letters, digits or ._:- answers 400 IDEMPOTENCY_KEY_INVALID', async () => {
    const summary = `无效的键 ${uniqueSuffix()}`;

    const response = await postCase(grassroots, 'x'.repeat(129), summary);

    expectError(response, 400, 'IDEMPOTENCY_KEY_INVALID');
    expect(await casesWithSummary(summary)).toBe(0);
  });
});

describe('POST /cases/:id/actions/:action with an Idempotency-Key', () => {
  let opened: CaseView;

  beforeAll(async () => {
    opened = await openCase(h, grassroots.token, worker.id);
  });

  test('accept sent twice with one key answers the first result again and reaches the workflow once', async () => {
    const idempotencyKey = key();
    const send = () =>
      h.request<CaseView>('POST', `/cases/${opened.id}/actions/accept`, {
        token: grassroots.token,
        body: {},
        headers: { 'idempotency-key': idempotencyKey },
      });

    const first = await send();
    const second = await send();

    expect(first.status).toBe(200);
    expect(first.body.step).toBe('verify');
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await actUpdatesInHistory(opened.id)).toEqual({ accepted: 1, completed: 1 });
  });

  test('a key replayed after the case has moved on answers the first result, not 409', async () => {
    const atDispatch = await openCase(h, grassroots.token, worker.id);
    const idempotencyKey = key();
    const accept = () =>
      h.request<CaseView>('POST', `/cases/${atDispatch.id}/actions/accept`, {
        token: grassroots.token,
        body: {},
        headers: { 'idempotency-key': idempotencyKey },
      });
    const accepted = await accept();
    await act(h, grassroots.token, atDispatch.id, 'verify', { eligible: true, findings: '子女就读大学，学费困难' });

    const replayed = await accept();

    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual(accepted.body);
    expect(await actUpdatesInHistory(atDispatch.id)).toEqual({ accepted: 2, completed: 2 });
  });
});

describe('an action the workflow cannot answer in time', () => {
  let first: HarnessResponse<CaseView>;
  let retried: HarnessResponse<CaseView>;
  let opened: CaseView;

  beforeAll(async () => {
    opened = await openCase(h, grassroots.token, worker.id);
    const idempotencyKey = key();
    const accept = () =>
      h.request<CaseView>('POST', `/cases/${opened.id}/actions/accept`, {
        token: grassroots.token,
        body: {},
        headers: { 'idempotency-key': idempotencyKey },
      });

    await h.stopWorker();
    try {
      first = await accept();
    } finally {
      await h.startWorker();
    }
    retried = await accept();
  }, 60_000);

  test('a retry with the same key once the worker is back answers 200, and the workflow accepted the action once', async () => {
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(retried.status).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.body.step).toBe('verify');
    expect(await actUpdatesInHistory(opened.id)).toEqual({ accepted: 1, completed: 1 });
  });
  test('the attempt the workflow could not answer in time answers 503 WORKFLOW_SERVICE_UNAVAILABLE', () => {
    expectError(first, 503, 'WORKFLOW_SERVICE_UNAVAILABLE');
  });
});

describe('cases opened at the same moment', () => {
  test('as many openings as the pool has connections are each recorded on the first activity attempt', async () => {
    // A second connection watches: pg_stat_activity read inside the locking transaction would be a frozen snapshot.
    const [lock, watch] = [inject('databaseUrl'), inject('databaseUrl')].map(
      (connectionString) => new pg.Client({ connectionString }),
    ) as [pg.Client, pg.Client];
    await Promise.all([lock.connect(), watch.connect()]);
    onTestFinished(async () => {
      await Promise.all([lock.end(), watch.end()]);
    });
    const poolSize = h.config.databasePoolSize;
    // Holding the worker row makes each opening wait inside its transaction, so they all hold a connection at once.
    await lock.query('begin');
    await lock.query('select id from worker where id = $1 for update', [worker.id]);

    const answers = Promise.all(
      Array.from({ length: poolSize + 1 }, (_, i) =>
        h.request<CaseView>('POST', '/cases', {
          token: grassroots.token,
          body: newCaseBody(worker.id, `同时开单 ${i} ${uniqueSuffix()}`),
        }),
      ),
    );
    await waitFor(
      async () => {
        const { rows } = await watch.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "assistance_case"%'`,
        );
        return rows[0]!.waiting >= poolSize;
      },
      { message: 'every pooled connection waits inside an opening transaction' },
    );
    await lock.query('commit');
    const opened = await answers;

    expect(opened.map((answer) => answer.status)).toEqual(opened.map(() => 201));
    const attempts: (number | null | undefined)[] = [];
    for (const answer of opened) {
      const events = (await h.client.workflow.getHandle(`case-${answer.body.id}`).fetchHistory()).events ?? [];
      attempts.push(
        ...events.flatMap((e) =>
          e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
        ),
      );
    }
    expect(attempts.length).toBeGreaterThanOrEqual(opened.length);
    expect(attempts).toEqual(attempts.map(() => 1));
  });
});

describe('POST /auth/login with an Idempotency-Key', () => {
  test('signs in each time and keeps no copy of the token as a stored answer', async () => {
    const idempotencyKey = key();
    const login = () =>
      h.request('POST', '/auth/login', {
        body: { username: 'yuecheng_t1_g1_caseworker', password: 'Demo@2026' },
        headers: { 'idempotency-key': idempotencyKey },
      });

    const first = await login();
    const second = await login();

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    const stored = await h.db.selectFrom('idempotency_record').select('id').where('key', '=', idempotencyKey).execute();
    expect(stored).toEqual([]);
  });
});
