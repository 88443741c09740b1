import { createHash, createHmac } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/database.js';
import { ApiError, forbidden } from '../errors.js';

/** A worker signed in to the portal, loaded fresh on every request. */
export interface PortalWorker {
  id: string;
  unitId: string;
  unitPath: string;
  householdId: string;
}

interface WorkerClaims {
  sub: string;
  kind: 'worker';
  /** Ties the token to the phone it was issued for: a changed phone number ends every earlier session. */
  ps: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    worker: PortalWorker | null;
    workerJwtVerify<T extends object>(): Promise<T>;
  }
  interface FastifyReply {
    workerJwtSign(payload: WorkerClaims): Promise<string>;
  }
  interface FastifyContextConfig {
    /** Routes for a signed-in worker (the portal). Staff tokens are refused on them, and worker tokens elsewhere. */
    worker?: boolean;
  }
}

const AUDIENCE = 'yue-warmth-portal';

/**
 * Worker tokens are signed with their own key, derived from JWT_SECRET, so a staff token never verifies as a
 * worker token or the other way round, whatever their claims say.
 */
export const portalTokenSecret = (jwtSecret: string): string =>
  createHmac('sha256', jwtSecret).update('yue-warmth portal worker tokens v1').digest('base64url');

const phoneStamp = (phoneHash: string): string =>
  createHash('sha256').update(phoneHash).digest('base64url').slice(0, 16);

const NOT_SIGNED_IN = () => new ApiError(401, 'NOT_AUTHENTICATED', '请先用手机号和验证码登录，或登录已过期');

export interface WorkerAuthOptions {
  db: Db;
  jwtSecret: string;
  tokenTtlSeconds: number;
}

/**
 * Worker authentication for routes marked `config: { worker: true }`: a bearer token issued by POST
 * /portal/auth/login whose subject is the worker id. The worker is loaded per request; a token of a worker whose
 * phone has changed since is refused. A valid staff token on these routes answers 403 WORKER_ONLY.
 *
 * Known limit: a worker token cannot be revoked before it expires (PORTAL_TOKEN_TTL_SECONDS) other than by a
 * change of the worker's phone; there is no sign-out route yet.
 */
export const workerAuthPlugin = fp(async (app: FastifyInstance, options: WorkerAuthOptions) => {
  await app.register(fastifyJwt, {
    secret: portalTokenSecret(options.jwtSecret),
    namespace: 'worker',
    jwtVerify: 'workerJwtVerify',
    jwtSign: 'workerJwtSign',
    jwtDecode: 'workerJwtDecode',
    sign: { algorithm: 'HS256', expiresIn: options.tokenTtlSeconds, aud: AUDIENCE },
    verify: { algorithms: ['HS256'], allowedAud: AUDIENCE },
  });
  app.decorateRequest('worker', null);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.routeOptions.config?.worker) {
      return;
    }
    let claims: WorkerClaims;
    try {
      claims = await request.workerJwtVerify<WorkerClaims>();
    } catch {
      const staffToken = await request.jwtVerify().then(
        () => true,
        () => false,
      );
      if (staffToken) {
        throw forbidden('WORKER_ONLY', '工作人员账号不能使用职工服务，请用职工本人手机号登录');
      }
      throw NOT_SIGNED_IN();
    }
    const worker = claims.kind === 'worker' ? await loadWorker(options.db, claims.sub) : null;
    if (!worker || phoneStamp(worker.phoneHash) !== claims.ps) {
      throw NOT_SIGNED_IN();
    }
    request.worker = {
      id: worker.id,
      unitId: worker.unitId,
      unitPath: worker.unitPath,
      householdId: worker.householdId,
    };
  });
});

async function loadWorker(db: Db, workerId: unknown) {
  if (typeof workerId !== 'string' || !/^[0-9a-f-]{36}$/i.test(workerId)) {
    return null;
  }
  const row = await db
    .selectFrom('worker as w')
    .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
    .select(['w.id', 'w.unit_id', 'w.household_id', 'w.phone_hash', 'o.path'])
    .where('w.id', '=', workerId)
    .executeTakeFirst();
  return row
    ? { id: row.id, unitId: row.unit_id, householdId: row.household_id, phoneHash: row.phone_hash, unitPath: row.path }
    : null;
}

/** Issues a worker token (in the answer to a successful sign-in). */
export function signWorkerToken(reply: FastifyReply, worker: { id: string; phoneHash: string }): Promise<string> {
  return reply.workerJwtSign({ sub: worker.id, kind: 'worker', ps: phoneStamp(worker.phoneHash) });
}

/** Whether the request carries a valid worker token: staff routes answer such a request 403, not 401. */
export function hasWorkerToken(request: FastifyRequest): Promise<boolean> {
  return typeof request.workerJwtVerify === 'function'
    ? request.workerJwtVerify().then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);
}

/** The caller, who must be a signed-in worker (on routes marked `worker: true` the hook made sure of it). */
export function workerOf(request: FastifyRequest): PortalWorker {
  if (!request.worker) {
    throw NOT_SIGNED_IN();
  }
  return request.worker;
}
