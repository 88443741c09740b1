import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/database.js';
import type { StaffRole } from '../../workflows/shared/case-vocabulary.js';
import { ApiError, forbidden } from '../errors.js';
import type { Staff } from '../staff.js';
import { hasWorkerToken } from './worker-auth.js';

export interface AuthOptions {
  db: Db;
  secret: string;
  tokenTtlSeconds: number;
}

const UNAUTHORIZED = () => new ApiError(401, 'NOT_AUTHENTICATED', '请先登录，或登录已过期');

/**
 * Staff authentication: HS256 bearer tokens whose subject is the user id. Every request that is not marked
 * public (or `worker`, for the portal's own authentication) must carry a valid token of an enabled account; the
 * account and its unit are loaded per request. A worker's portal token answers 403 STAFF_ONLY here.
 */
export const authPlugin = fp(async (app: FastifyInstance, options: AuthOptions) => {
  await app.register(fastifyJwt, {
    secret: options.secret,
    sign: { algorithm: 'HS256', expiresIn: options.tokenTtlSeconds },
    verify: { algorithms: ['HS256'] },
  });
  app.decorateRequest('staff', null);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const url = request.routeOptions.url;
    const routeConfig = request.routeOptions.config;
    if (routeConfig?.public || routeConfig?.worker || !url || url === '/docs' || url.startsWith('/docs/')) {
      return;
    }
    let subject: string;
    try {
      const payload = await request.jwtVerify<{ sub: string }>();
      subject = payload.sub;
    } catch {
      if (await hasWorkerToken(request)) {
        throw forbidden('STAFF_ONLY', '职工账号不能访问工作人员接口');
      }
      throw UNAUTHORIZED();
    }
    const staff = await loadStaff(options.db, subject);
    if (!staff) {
      throw UNAUTHORIZED();
    }
    request.staff = staff;
  });
});

export async function loadStaff(db: Db, userId: string): Promise<Staff | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) {
    return null;
  }
  const row = await db
    .selectFrom('app_user as u')
    .innerJoin('org_unit as o', 'o.id', 'u.unit_id')
    .select(['u.id', 'u.username', 'u.name', 'u.role', 'u.unit_id', 'o.path', 'o.level', 'o.name as unit_name'])
    .where('u.id', '=', userId)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        username: row.username,
        name: row.name,
        role: row.role,
        unitId: row.unit_id,
        unitPath: row.path,
        unitLevel: row.level,
        unitName: row.unit_name,
      }
    : null;
}

/** The caller, who must be signed-in staff. */
export function staffOf(request: FastifyRequest): Staff {
  if (!request.staff) {
    throw UNAUTHORIZED();
  }
  return request.staff;
}

/** The caller, who must hold one of the roles. */
export function requireRole(request: FastifyRequest, roles: readonly StaffRole[]): Staff {
  const staff = staffOf(request);
  if (!roles.includes(staff.role)) {
    throw forbidden('ROLE_NOT_ALLOWED', '您的角色无权进行此操作');
  }
  return staff;
}
