import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { STAFF_ROLES } from '../../../workflows/shared/case-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { hashPassword, verifyPassword } from '../../auth/password.js';
import { ApiError, conflict, notFound } from '../../errors.js';
import { loadStaff, requireRole, staffOf } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { NO_NUL, ListQuery, Text, Uuid, errorResponses, strictObject } from '../../schemas.js';
import { unitInScope, withinSubtree } from '../../scope.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';
import { FailureLimiter } from './login-limiter.js';

const LoginBody = strictObject({
  username: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }),
  password: Type.String({ minLength: 1, maxLength: 256, pattern: NO_NUL }),
});

const NewUserBody = strictObject({
  username: Type.String({ pattern: '^[a-z0-9_.-]{3,32}$' }),
  password: Type.String({ minLength: 8, maxLength: 128, pattern: NO_NUL }),
  name: Text(50),
  role: Type.Union(STAFF_ROLES.map((role) => Type.Literal(role))),
  unitId: Uuid,
});

const userView = (staff: Staff) => ({
  id: staff.id,
  username: staff.username,
  name: staff.name,
  role: staff.role,
  unitId: staff.unitId,
  unitName: staff.unitName,
  unitLevel: staff.unitLevel,
});

/**
 * Platform routes: health and readiness, staff login, the caller, the org tree of the caller's subtree, staff
 * accounts (admins, own subtree), notifications and the audit log.
 */
export async function platformRoutes(app: FastifyInstance, { db, temporal, config }: AppDeps) {
  const loginFailures = new FailureLimiter(60_000);
  const perUser = config.loginAttemptsPerMinute;
  const perAddress = config.loginAttemptsPerMinute * 5;

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const checks = await Promise.allSettled([
      sql`select 1`.execute(db),
      temporal.client.withDeadline(Date.now() + 2000, () => temporal.client.workflowService.getSystemInfo({})),
    ]);
    const [postgres, temporalCheck] = checks.map((c) => c.status === 'fulfilled');
    const ready = postgres && temporalCheck;
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', postgres, temporal: temporalCheck });
  });

  app.post(
    '/auth/login',
    {
      config: { public: true, idempotency: false },
      schema: { tags: ['platform'], summary: '员工登录', security: [], body: LoginBody, response: errorResponses },
    },
    async (request: FastifyRequest<{ Body: Static<typeof LoginBody> }>, reply) => {
      const username = request.body.username.trim().toLowerCase();
      const userKey = `user:${username}`;
      const addressKey = `ip:${request.ip}`;
      const retryAfter = loginFailures.retryAfter(userKey, perUser) ?? loginFailures.retryAfter(addressKey, perAddress);
      if (retryAfter !== null) {
        reply.header('retry-after', String(retryAfter));
        throw new ApiError(429, 'TOO_MANY_LOGIN_ATTEMPTS', `登录尝试过于频繁，请在 ${retryAfter} 秒后重试`);
      }
      const user = await db
        .selectFrom('app_user')
        .select(['id', 'password_hash', 'disabled_at'])
        .where('username', '=', username)
        .executeTakeFirst();
      const ok = await verifyPassword(request.body.password, user?.password_hash ?? null);
      const staff = ok && user && !user.disabled_at ? await loadStaff(db, user.id) : null;
      request.audit = { action: 'auth.login', targetType: 'user', targetId: user?.id ?? username };
      if (!staff) {
        loginFailures.recordFailure(userKey);
        loginFailures.recordFailure(addressKey);
        throw new ApiError(401, 'INVALID_CREDENTIALS', '用户名或密码错误');
      }
      request.staff = staff;
      const token = app.jwt.sign({ sub: staff.id });
      return { token, user: userView(staff) };
    },
  );

  app.get('/me', { schema: { tags: ['platform'], summary: '当前用户' } }, async (request) =>
    userView(staffOf(request)),
  );

  app.get(
    '/org-units',
    {
      schema: {
        tags: ['platform'],
        summary: '本单位及下级单位',
        querystring: Type.Object({ ...ListQuery, level: Type.Optional(Type.String()) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; level?: string } }>) => {
      const staff = staffOf(request);
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['path']);
      let query = db
        .selectFrom('org_unit')
        .select(['id', 'parent_id', 'level', 'name', 'path'])
        .where(({ ref }) => withinSubtree(ref('path'), staff.unitPath))
        .orderBy('path')
        .limit(limit + 1);
      if (request.query.level) {
        query = query.where('level', '=', request.query.level as never);
      }
      if (after) {
        query = query.where('path', '>', String(after[0]));
      }
      return toPage(
        await query.execute(),
        limit,
        (row) => [row.path],
        (row) => ({ id: row.id, parentId: row.parent_id, level: row.level, name: row.name, path: row.path }),
      );
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['platform'],
        summary: '创建员工账号（管理员，本辖区）',
        body: NewUserBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof NewUserBody> }>, reply) => {
      const staff = requireRole(request, ['admin']);
      const body = request.body;
      const unit = await unitInScope(db, staff, body.unitId);
      const passwordHash = await hashPassword(body.password);
      const created = await db
        .insertInto('app_user')
        .values({
          username: body.username,
          password_hash: passwordHash,
          name: body.name.trim(),
          role: body.role,
          unit_id: unit.id,
          created_by: staff.id,
        })
        .onConflict((oc) => oc.column('username').doNothing())
        .returning(['id'])
        .executeTakeFirst();
      if (!created) {
        throw conflict('USERNAME_TAKEN', `用户名 ${body.username} 已被使用`);
      }
      request.audit = { action: 'user.create', targetType: 'user', targetId: created.id, details: { role: body.role } };
      const user = await loadStaff(db, created.id);
      return reply.status(201).send(userView(user!));
    },
  );

  app.get(
    '/users',
    {
      schema: {
        tags: ['platform'],
        summary: '员工账号列表（管理员，本辖区）',
        querystring: Type.Object({ ...ListQuery, unitId: Type.Optional(Uuid) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; unitId?: string } }>) => {
      const staff = requireRole(request, ['admin', 'supervisor']);
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['text']);
      let query = db
        .selectFrom('app_user as u')
        .innerJoin('org_unit as o', 'o.id', 'u.unit_id')
        .select([
          'u.id',
          'u.username',
          'u.name',
          'u.role',
          'u.unit_id',
          'o.name as unit_name',
          'o.level',
          'u.disabled_at',
        ])
        .where(({ ref }) => withinSubtree(ref('o.path'), staff.unitPath))
        .orderBy('u.username')
        .limit(limit + 1);
      if (request.query.unitId) {
        query = query.where('u.unit_id', '=', (await unitInScope(db, staff, request.query.unitId)).id);
      }
      if (after) {
        query = query.where('u.username', '>', String(after[0]));
      }
      return toPage(
        await query.execute(),
        limit,
        (row) => [row.username],
        (row) => ({
          id: row.id,
          username: row.username,
          name: row.name,
          role: row.role,
          unitId: row.unit_id,
          unitName: row.unit_name,
          unitLevel: row.level,
          disabled: row.disabled_at !== null,
        }),
      );
    },
  );

  app.get(
    '/notifications',
    {
      schema: {
        tags: ['platform'],
        summary: '我的提醒、超时与督办通知、新工单',
        querystring: Type.Object({ ...ListQuery, unread: Type.Optional(Type.Boolean()) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; unread?: boolean } }>) => {
      const staff = staffOf(request);
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['instant', 'uuid']);
      let query = db
        .selectFrom('notification')
        .selectAll()
        .where('user_id', '=', staff.id)
        .where('deliver_at', '<=', sql<Date>`now()`)
        .orderBy('deliver_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (request.query.unread) {
        query = query.where('read_at', 'is', null);
      }
      if (after) {
        query = query.where(({ eb, refTuple, tuple }) =>
          eb(refTuple('deliver_at', 'id'), '<', tuple(new Date(String(after[0])) as never, String(after[1]))),
        );
      }
      return toPage(
        await query.execute(),
        limit,
        (row) => [row.deliver_at.toISOString(), row.id],
        (row) => ({
          id: row.id,
          kind: row.kind,
          title: row.title,
          caseId: row.case_id,
          unitId: row.unit_id,
          data: row.data,
          deliveredAt: toShanghaiIso(row.deliver_at),
          readAt: toShanghaiIso(row.read_at),
        }),
      );
    },
  );

  app.post(
    '/notifications/:id/read',
    { schema: { tags: ['platform'], summary: '标记通知已读', params: Type.Object({ id: Uuid }) } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = staffOf(request);
      const row = await db
        .updateTable('notification')
        .set({ read_at: sql`coalesce(read_at, now())`, updated_at: sql`now()` })
        .where('id', '=', request.params.id)
        .where('user_id', '=', staff.id)
        .returning(['id', 'read_at'])
        .executeTakeFirst();
      if (!row) {
        throw notFound('NOTIFICATION_NOT_FOUND', '通知不存在');
      }
      request.audit = { action: 'notification.read', targetType: 'notification', targetId: row.id };
      return { id: row.id, readAt: toShanghaiIso(row.read_at) };
    },
  );

  app.get(
    '/audit',
    {
      schema: {
        tags: ['platform'],
        summary: '审计日志（主管与管理员，本辖区）',
        querystring: Type.Object({
          ...ListQuery,
          actorUserId: Type.Optional(Uuid),
          targetType: Type.Optional(Type.String({ maxLength: 50, pattern: NO_NUL })),
          targetId: Type.Optional(Type.String({ maxLength: 100, pattern: NO_NUL })),
          action: Type.Optional(Type.String({ maxLength: 100, pattern: NO_NUL })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: {
          limit: number;
          cursor?: string;
          actorUserId?: string;
          targetType?: string;
          targetId?: string;
          action?: string;
          from?: string;
          to?: string;
        };
      }>,
    ) => {
      const staff = requireRole(request, ['admin', 'supervisor']);
      const q = request.query;
      const after = decodeCursor(q.cursor, ['instant', 'uuid']);
      let query = db
        .selectFrom('audit_log')
        .selectAll()
        .where(({ ref }) => withinSubtree(ref('actor_unit_path'), staff.unitPath))
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (q.actorUserId) {
        query = query.where('actor_user_id', '=', q.actorUserId);
      }
      if (q.targetType) {
        query = query.where('target_type', '=', q.targetType);
      }
      if (q.targetId) {
        query = query.where('target_id', '=', q.targetId);
      }
      if (q.action) {
        query = query.where('action', '=', q.action);
      }
      if (q.from) {
        query = query.where('occurred_at', '>=', new Date(q.from));
      }
      if (q.to) {
        query = query.where('occurred_at', '<', new Date(q.to));
      }
      if (after) {
        query = query.where(({ eb, refTuple, tuple }) =>
          eb(refTuple('occurred_at', 'id'), '<', tuple(new Date(String(after[0])) as never, String(after[1]))),
        );
      }
      return toPage(
        await query.execute(),
        q.limit,
        (row) => [row.occurred_at.toISOString(), row.id],
        (row) => ({
          id: row.id,
          occurredAt: toShanghaiIso(row.occurred_at),
          actorKind: row.actor_kind,
          actorUserId: row.actor_user_id,
          actorWorkerId: row.actor_worker_id,
          action: row.action,
          targetType: row.target_type,
          targetId: row.target_id,
          outcome: row.outcome,
          statusCode: row.status_code,
          ip: row.ip,
          details: row.details,
        }),
      );
    },
  );
}
