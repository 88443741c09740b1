import { randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  act,
  newCaseBody,
  openCase,
  randomIdNumber,
  randomPhone,
  registerWorker,
  signIn,
  type CaseView,
  type Session,
  type WorkerView,
} from '../support/api-fixtures.js';
import { createHarness, type Harness, type HarnessResponse } from '../support/harness.js';

/**
 * RELIABILITY P1 and P2: personal data given to the API (a worker's name and ID-card number, a case summary,
 * home-visit findings, reasons) reaches neither Temporal history in the clear, nor workflow ids or search
 * attributes, nor the logs, nor error messages; answers show the ID number masked. Each value is a canary: a
 * string unique to this run, searched for verbatim.
 */

const digits = String(randomInt(10_000_000, 100_000_000));
const canary = {
  name: `金丝雀${digits}`,
  idNumber: randomIdNumber('330602'),
  summary: `SUMMARY-CANARY-${digits} 金丝雀摘要：子女学费无着`,
  returnReason: `RETURN-CANARY-${digits} 金丝雀退回：地址不符`,
  findings: `FINDINGS-CANARY-${digits} 金丝雀核实：家中两名子女在读`,
  planNote: `NOTE-CANARY-${digits} 金丝雀方案备注`,
  rejectReason: `REJECT-CANARY-${digits} 金丝雀驳回：金额偏高`,
};
const CANARIES = Object.values(canary);
/** Any 18-character ID-card number standing on its own. */
const FULL_ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])/;

const logChunks: string[] = [];
const logDestination = new Writable({
  write(chunk: Buffer | string, _encoding, callback) {
    logChunks.push(chunk.toString());
    callback();
  },
});

let h: Harness;
let township: Session;
let grassroots: Session;
let district: Session;
let worker: WorkerView;
let opened: CaseView;
const errorAnswers: HarnessResponse[] = [];

/**
 * JSON of a proto message with every byte field shown as UTF-8 text, so a payload in the clear would be readable.
 * The message is walked by hand: protobufjs's own toJSON would turn bytes into base64 and hide any plain text.
 */
function readable(message: unknown): string {
  const plain = (value: unknown): unknown => {
    if (value instanceof Uint8Array) {
      return Buffer.from(value).toString('utf8');
    }
    if (Array.isArray(value)) {
      return value.map(plain);
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
    }
    return value;
  };
  return JSON.stringify(plain(message));
}

const found = (text: string) => CANARIES.filter((value) => text.includes(value));

/** Decodes payloads the way the API's client does: the codec first, then the JSON payload converter. */
async function decodePayloads(payloads: Payload[]): Promise<unknown[]> {
  const { payloadCodecs, payloadConverter } = h.client.options.loadedDataConverter;
  let decoded = payloads;
  for (const codec of [...payloadCodecs].reverse()) {
    decoded = await codec.decode(decoded);
  }
  return decoded.map((payload) => payloadConverter.fromPayload(payload));
}

beforeAll(async () => {
  h = await createHarness({ logDestination });
  [township, grassroots, district] = await Promise.all([
    signIn(h, 'yuecheng_t1_caseworker'),
    signIn(h, 'yuecheng_t1_g1_caseworker'),
    signIn(h, 'yuecheng_caseworker'),
  ]);
  worker = await registerWorker(h, township.token, {
    unitId: grassroots.unitId,
    name: canary.name,
    idNumber: canary.idNumber,
  });
  opened = await openCase(h, township.token, worker.id, canary.summary);
  await act(h, township.token, opened.id, 'dispatch', { toUnitId: grassroots.unitId });
  await act(h, grassroots.token, opened.id, 'return', { reason: canary.returnReason });
  await act(h, township.token, opened.id, 'dispatch', { toUnitId: grassroots.unitId });
  await act(h, grassroots.token, opened.id, 'accept');
  await act(h, grassroots.token, opened.id, 'verify', { eligible: true, findings: canary.findings });
  const planned = await act(h, grassroots.token, opened.id, 'plan', {
    items: [{ kind: '助学金', amountFen: 50_000, note: canary.planNote }],
  });
  // The approving unit follows the approval thresholds in force; whoever holds the step rejects.
  const approver = [township, district].find((session) => session.unitId === planned.holderUnitId)!;
  await act(h, approver.token, opened.id, 'reject', { reason: canary.rejectReason });

  // Refused requests that carry the canaries, for P2: their answers and logs must not echo them.
  const wrongCheckDigit = canary.idNumber.slice(0, 17) + (canary.idNumber.endsWith('0') ? '1' : '0');
  errorAnswers.push(
    await h.request('POST', '/workers', {
      token: township.token,
      body: {
        name: canary.name,
        idNumber: wrongCheckDigit,
        phone: randomPhone(),
        unitId: grassroots.unitId,
        hardshipStatus: 'none',
      },
    }),
    await h.request('POST', '/workers', {
      token: township.token,
      body: {
        name: canary.name,
        idNumber: canary.idNumber,
        phone: randomPhone(),
        unitId: grassroots.unitId,
        hardshipStatus: 'none',
      },
    }),
    await h.request('POST', '/cases', {
      token: township.token,
      body: { ...newCaseBody(worker.id, canary.summary), urgency: canary.name, paidFen: 1 },
    }),
    await h.request('POST', `/cases/${opened.id}/actions/verify`, {
      token: grassroots.token,
      body: { eligible: false, findings: canary.findings },
    }),
    await h.request('POST', `/cases/${opened.id}/actions/return`, {
      token: township.token,
      body: { reason: canary.returnReason },
    }),
  );
});

afterAll(async () => {
  await h?.close();
});

describe('Temporal history of a case (P1)', () => {
  test('fetched without the payload codec, the history holds none of the personal data given to the API', async () => {
    const rawClient = new Client({ connection: h.client.connection, namespace: 'default' });

    const history = readable(await rawClient.workflow.getHandle(`case-${opened.id}`).fetchHistory());

    expect(readable(defaultPayloadConverter.toPayload(canary.summary))).toContain(canary.summary);
    expect(history).toContain('binary/encrypted');
    expect(found(history)).toEqual([]);
    expect(history).not.toMatch(FULL_ID_NUMBER);
  });

  test('the workflow id and search attributes hold none of the personal data', async () => {
    const rawClient = new Client({ connection: h.client.connection, namespace: 'default' });

    const description = await rawClient.workflow.getHandle(`case-${opened.id}`).describe();

    expect(description.workflowId).toBe(`case-${opened.id}`);
    expect(found(readable(description.raw))).toEqual([]);
    expect(found(readable(description.typedSearchAttributes))).toEqual([]);
    expect(readable(description.raw)).not.toMatch(FULL_ID_NUMBER);
  });

  test('with the codec the history decodes: the summary is readable in the workflow input', async () => {
    const events = (await h.client.workflow.getHandle(`case-${opened.id}`).fetchHistory()).events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    const actInputs = events
      .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input)
      .filter((input) => input?.name === 'act');

    const [input] = (await decodePayloads(started!.input!.payloads!)) as [
      { kind: string; opening: { summary: string; workerId: string } },
    ];
    const actions = await Promise.all(actInputs.map(async (i) => (await decodePayloads(i!.args!.payloads!))[0]));

    expect(input.kind).toBe('open');
    expect(input.opening).toMatchObject({ summary: canary.summary, workerId: worker.id });
    expect(actions).toContainEqual(expect.objectContaining({ action: 'verify', findings: canary.findings }));
  });
});

describe('logs and error answers (P2)', () => {
  test('the API log holds none of the personal data and no full ID-card number', () => {
    const log = logChunks.join('');

    // The requests were logged (one line each, by route pattern), so the absence below means something.
    expect(log).toContain('"route":"/cases/:id/actions/plan"');
    expect(log).toContain('request answered');
    expect(found(log)).toEqual([]);
    expect(log).not.toMatch(FULL_ID_NUMBER);
  });

  test('answers to refused requests carrying personal data do not echo it', () => {
    expect(errorAnswers.map((answer) => answer.status)).toEqual([422, 409, 400, 409, 409]);
    for (const answer of errorAnswers) {
      expect(found(JSON.stringify(answer.body))).toEqual([]);
      expect(JSON.stringify(answer.body)).not.toMatch(FULL_ID_NUMBER);
    }
  });

  test('the audit log holds none of the personal data', async () => {
    const { rows } = await sql<{ row: string }>`
      select row_to_json(a)::text as row from audit_log a where a.target_id in (${opened.id}, ${worker.id})
    `.execute(h.db);

    expect(rows.length).toBeGreaterThan(0);
    expect(found(rows.map((r) => r.row).join('\n'))).toEqual([]);
  });
});

describe('ID-card numbers in answers and at rest', () => {
  const masked = () => `${canary.idNumber.slice(0, 6)}********${canary.idNumber.slice(-4)}`;

  test('GET /workers/:id shows the ID number masked, never in full', async () => {
    const response = await h.request('GET', `/workers/${worker.id}`, { token: grassroots.token });

    expect(response.status).toBe(200);
    expect(response.body.idNumber).toBe(masked());
    expect(response.body.idNumber).toMatch(/^330602\*{8}[\dX]{4}$/);
    expect(JSON.stringify(response.body)).not.toContain(canary.idNumber);
  });

  test('GET /cases/:id shows the worker ID number masked, never in full', async () => {
    const response = await h.request('GET', `/cases/${opened.id}`, { token: township.token });

    expect(response.status).toBe(200);
    expect(response.body.worker.idNumber).toBe(masked());
    expect(JSON.stringify(response.body)).not.toContain(canary.idNumber);
  });

  test('GET /workers and the registration answer show the ID number masked, never in full', async () => {
    const list = await h.request('GET', `/workers?unitId=${grassroots.unitId}&limit=500`, { token: township.token });

    expect(worker.idNumber).toBe(masked());
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: worker.id, idNumber: masked() }));
    expect(JSON.stringify(list.body)).not.toContain(canary.idNumber);
  });

  test('the worker row keeps the ID number only encrypted, hashed and masked', async () => {
    const { rows } = await sql<{ row: string }>`
      select row_to_json(w)::text as row from worker w where w.id = ${worker.id}
    `.execute(h.db);

    expect(rows).toHaveLength(1);
    expect(rows[0]!.row).toContain(masked());
    expect(rows[0]!.row).not.toContain(canary.idNumber);
  });
});
