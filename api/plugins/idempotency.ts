import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { recordId: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /** `false`: the header is ignored and no answer is stored, for answers that hold a secret (a sign-in token). */
    idempotency?: false;
  }
}

const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function stable(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stable).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const isStream = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';

/** Derives a UUID from an idempotency key, so a repeated create reaches the same workflow id. */
export function uuidFromKey(owner: string, key: string): string {
  const hex = createHash('sha256').update(`${owner}\u0000${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `Idempotency-Key` on writes: the first answer is stored per (caller, key) and a repeat gets it back without
 * acting again. The same key with another body is refused; keys are per caller, so nobody can read another
 * user's answer through one. A 5xx answer is not kept, so the client may retry with the same key.
 */
export const idempotencyPlugin = fp(async (app: FastifyInstance, options: { db: Db }) => {
  const { db } = options;
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    // A streamed body (a feed upload) cannot be hashed before it is read; such routes are idempotent by content.
    if (
      key === undefined ||
      !WRITE_METHODS.has(request.method) ||
      request.routeOptions.config?.idempotency === false ||
      isStream(request.body)
    ) {
      return;
    }
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new ApiError(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key 须为 1 到 128 个字母、数字或 ._:- 字符', [
        { field: 'Idempotency-Key', reason: '格式不正确' },
      ]);
    }
    const owner = request.staff
      ? `staff:${request.staff.id}`
      : request.worker
        ? `worker:${request.worker.id}`
        : `ip:${request.ip}`;
    const path = request.url.split('?')[0]!;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${path}\n${stable(request.body ?? null)}`)
      .digest('hex');
    const inserted = await db
      .insertInto('idempotency_record')
      .values({ owner, key, method: request.method, path, request_hash: requestHash, state: 'in_progress' })
      .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      request.idempotency = { recordId: inserted.id, key };
      return;
    }
    const existing = await db
      .selectFrom('idempotency_record')
      .selectAll()
      .where('owner', '=', owner)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (existing.request_hash !== requestHash) {
      throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', '该 Idempotency-Key 已用于另一个请求，请换一个新的键');
    }
    if (existing.state !== 'done') {
      throw new ApiError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS', '相同的请求正在处理中，请稍后查看结果');
    }
    reply.header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8');
    await reply.status(existing.response_status ?? 200).send(existing.response_body);
    return reply;
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const record = request.idempotency;
    if (!record) {
      return payload;
    }
    request.idempotency = null;
    try {
      if (reply.statusCode >= 500) {
        await db.deleteFrom('idempotency_record').where('id', '=', record.recordId).execute();
      } else {
        const body = typeof payload === 'string' && payload.length > 0 ? payload : null;
        await db
          .updateTable('idempotency_record')
          .set({ state: 'done', response_status: reply.statusCode, response_body: body, updated_at: sql`now()` })
          .where('id', '=', record.recordId)
          .execute();
      }
    } catch (error) {
      // Known limit: a repeat of this key now answers "in progress"; such a record is not cleared automatically.
      request.log.error({ err: error }, 'Idempotency record not completed');
    }
    return payload;
  });
});
