import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { Db } from '../../db/database.js';
import { encrypt, maskIdNumber, normaliseIdNumber } from '../../db/personal-data.js';
import { shanghaiDate } from '../../workflows/shared/working-time.js';
import type { Harness, HarnessResponse } from './harness.js';

/** The keyed hash feed rows and workers share, as the API computes it. */
export const idHash = (h: Harness, idNumber: string): string =>
  createHmac('sha256', h.config.lookupHashKey).update(normaliseIdNumber(idNumber)).digest('base64url');

export const ndjson = (rows: readonly Record<string, unknown>[]): string =>
  rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

/** A date `days` before today in Asia/Shanghai, `YYYY-MM-DD`. */
export const daysAgo = (days: number): string => shanghaiDate(Date.now() - days * 86_400_000);

/** POST /feeds/:kind/batches with a body and content type. */
export async function upload(
  h: Harness,
  token: string,
  kind: string,
  body: string | Buffer | Readable,
  contentType = 'application/x-ndjson',
  headers: Record<string, string> = {},
): Promise<HarnessResponse> {
  return h.request('POST', `/feeds/${kind}/batches`, {
    token,
    body,
    headers: { 'content-type': contentType, ...headers },
  });
}

/** Uploads rows that must all be accepted and returns the batch answer. */
export async function uploadRows(
  h: Harness,
  token: string,
  kind: string,
  rows: readonly Record<string, unknown>[],
): Promise<{ batchId: string; accepted: number; stored: number }> {
  const response = await upload(h, token, kind, ndjson(rows));
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  expect(response.body.rejected, JSON.stringify(response.body.errors)).toBe(0);
  return response.body;
}

/** Feed rows stored for these ID numbers, with their batches and match state. */
export async function feedRowsOf(h: Harness, idNumbers: readonly string[]) {
  const hashes = idNumbers.map((id) => idHash(h, id));
  if (hashes.length === 0) {
    return [];
  }
  return h.db
    .selectFrom('feed_row')
    .select(['kind', 'worker_id', 'occurred_on', 'amount_fen', 'department', 'detail', 'batch_id', 'id_number_hash'])
    .where('id_number_hash', 'in', hashes)
    .orderBy('occurred_on')
    .orderBy('amount_fen')
    .execute();
}

export async function batchCount(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('feed_batch')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('uploaded_by_user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Sends an upload over a real loopback connection to the harness app (listening on a free port), piece by piece.
 * With `dropAfter`, the client hangs up after that many pieces, as a dropped connection does mid-upload, and the
 * answer is null; otherwise the server's answer, which may come before the whole body was sent.
 */
export async function httpUpload(
  h: Harness,
  token: string,
  kind: string,
  pieces: readonly string[],
  options: { dropAfter?: number } = {},
): Promise<{ status: number; body: any } | null> {
  if (!h.app.server.listening) {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
  }
  const { port } = h.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/feeds/${kind}/batches`,
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', connection: 'close' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }),
        );
      },
    );
    request.on('error', (error) => (options.dropAfter === undefined ? reject(error) : resolve(null)));
    let sent = 0;
    const sendNext = (): void => {
      if (options.dropAfter !== undefined && sent === options.dropAfter) {
        request.destroy();
        setTimeout(() => resolve(null), 300);
        return;
      }
      if (sent === pieces.length) {
        request.end();
        return;
      }
      request.write(pieces[sent++], () => setImmediate(sendNext));
    };
    sendNext();
  });
}

/** Registers a worker straight in the database (as seeds do), for tests that run without the API. */
export async function insertWorker(
  db: Db,
  keys: { dataEncryptionKey: Buffer; lookupHashKey: Buffer },
  { unitId, idNumber, hardshipStatus = 'none' }: { unitId: string; idNumber: string; hardshipStatus?: string },
): Promise<string> {
  const household = await db
    .insertInto('household')
    .values({ unit_id: unitId })
    .returning('id')
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('worker')
    .values({
      household_id: household.id,
      unit_id: unitId,
      name: '测试职工',
      id_number_enc: encrypt(idNumber, keys.dataEncryptionKey),
      id_number_hash: createHmac('sha256', keys.lookupHashKey).update(idNumber).digest('base64url'),
      id_number_masked: maskIdNumber(idNumber),
      phone_enc: encrypt('13900000000', keys.dataEncryptionKey),
      phone_hash: createHmac('sha256', keys.lookupHashKey).update(`phone:${idNumber}`).digest('base64url'),
      phone_masked: '139****0000',
      birth_date: `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`,
      gender: Number(idNumber[16]) % 2 === 1 ? 'male' : 'female',
      hardship_status: hardshipStatus as 'none',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
