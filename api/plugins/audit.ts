import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/database.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function outcomeOf(status: number): 'ok' | 'denied' | 'rejected' | 'error' {
  if (status < 400) {
    return 'ok';
  }
  if (status === 401 || status === 403 || status === 404) {
    return 'denied';
  }
  return status >= 500 ? 'error' : 'rejected';
}

/**
 * The audit log: one row for every write and for every read of personal data (routes marked `audit: 'read'`),
 * whatever its outcome, with who (a staff account or, in the portal, a worker), what, when and from where.
 * Handlers name the target in `request.audit`; the row is written before the answer leaves, so a client that
 * reads the log next finds it.
 */
export const auditPlugin = fp(async (app: FastifyInstance, options: { db: Db }) => {
  app.decorateRequest('audit', null);

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const audited = WRITE_METHODS.has(request.method) || request.routeOptions.config?.audit === 'read';
    if (!audited || !request.routeOptions.url) {
      return payload;
    }
    try {
      await options.db.insertInto('audit_log').values(auditRow(request, reply)).execute();
    } catch (error) {
      request.log.error({ err: error, action: request.audit?.action }, 'Audit record not written');
    }
    return payload;
  });
});

function auditRow(request: FastifyRequest, reply: FastifyReply) {
  const entry = request.audit;
  const staff = request.staff;
  const worker = request.worker;
  const target = entry?.targetId ?? (request.params as Record<string, string> | undefined)?.id ?? null;
  return {
    actor_kind: staff ? ('staff' as const) : worker ? ('worker' as const) : ('anonymous' as const),
    actor_user_id: staff?.id ?? null,
    actor_worker_id: worker?.id ?? null,
    actor_unit_path: staff?.unitPath ?? worker?.unitPath ?? null,
    action: entry?.action ?? `${request.method} ${request.routeOptions.url}`,
    target_type: entry?.targetType ?? null,
    // Path ids reach here even when validation refused them: keep them printable and short.
    target_id: target === null ? null : target.replaceAll('\u0000', '').slice(0, 100),
    outcome: outcomeOf(reply.statusCode),
    status_code: reply.statusCode,
    ip: request.ip,
    request_id: request.id,
    details: JSON.stringify(entry?.details ?? {}),
  };
}
