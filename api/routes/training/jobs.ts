import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import { relatedTo } from '../../../db/repositories/training.repository.js';
import { isWithin } from '../../../workflows/shared/org-path.js';
import { JOB_ROLES, TRAINING_READ_ROLES } from '../../../workflows/shared/training-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, errorResponses } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import { toShanghaiIso } from '../../time.js';
import { creditCodeProblem } from './credit-code.js';
import { NewEnterpriseBody, NewFairBody, NewOpeningBody, OpeningListQuery } from './schemas.js';
import { checkDuration, courseHasEnded, idFor, loadLabels, requireKnownCodes, visibleCourse } from './support.js';
import { fairSummaryView, openingView } from './views.js';

const enterpriseView = (row: {
  id: string;
  name: string;
  credit_code: string;
  unit_id: string;
  industry: string | null;
  created_at: Date;
}) => ({
  id: row.id,
  name: row.name,
  creditCode: row.credit_code,
  unitId: row.unit_id,
  industry: row.industry,
  createdAt: toShanghaiIso(row.created_at),
});

/**
 * The job side (就业服务): enterprises, their job openings and hiring fairs, run by employment officers. Each
 * belongs to an owning unit and is visible in that unit's subtree and from the units below it; an opening's
 * `placedCount` never passes its headcount (a CHECK in the database, and the offer and placement writes).
 */
// Known limit: enterprises and openings cannot yet be edited or closed through the API (an opening's `closed`
// status exists for that); a filled opening stops taking offers by itself.
export async function jobRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.post(
    '/enterprises',
    { schema: { tags: ['training'], summary: '登记用人企业', body: NewEnterpriseBody, response: errorResponses } },
    async (request: FastifyRequest<{ Body: Static<typeof NewEnterpriseBody> }>, reply) => {
      const staff = requireRole(request, JOB_ROLES);
      const body = request.body;
      const creditCode = body.creditCode.trim().toUpperCase();
      const problem = creditCodeProblem(creditCode);
      if (problem) {
        throw invalid('creditCode', problem, 'CREDIT_CODE_INVALID');
      }
      const unit = await unitInScope(db, staff, body.unitId);
      const row = await db
        .insertInto('enterprise')
        .values({
          name: body.name.trim(),
          credit_code: creditCode,
          unit_id: unit.id,
          unit_path: unit.path,
          industry: body.industry?.trim() ?? null,
          created_by: staff.id,
        })
        .onConflict((oc) => oc.column('credit_code').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        throw conflict('ENTERPRISE_EXISTS', '该统一社会信用代码的企业已登记');
      }
      request.audit = { action: 'enterprise.create', targetType: 'enterprise', targetId: row.id };
      return reply.status(201).send(enterpriseView(row));
    },
  );

  app.get(
    '/enterprises',
    { schema: { tags: ['training'], summary: '用人企业列表', querystring: Type.Object(ListQuery) } },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      const { limit } = request.query;
      let query = db
        .selectFrom('enterprise')
        .selectAll()
        .where(({ ref }) => relatedTo(ref('unit_path'), staff.unitPath))
        .orderBy('id')
        .limit(limit + 1);
      const after = decodeCursor(request.query.cursor, ['uuid']);
      if (after) {
        query = query.where('id', '>', String(after[0]));
      }
      return toPage(await query.execute(), limit, (row) => [row.id], enterpriseView);
    },
  );

  app.post(
    '/openings',
    { schema: { tags: ['training'], summary: '发布企业招聘岗位', body: NewOpeningBody, response: errorResponses } },
    async (request: FastifyRequest<{ Body: Static<typeof NewOpeningBody> }>, reply) => {
      const staff = requireRole(request, JOB_ROLES);
      const body = request.body;
      const enterprise = await db
        .selectFrom('enterprise')
        .select(['id', 'name', 'unit_id', 'unit_path'])
        .where('id', '=', body.enterpriseId)
        .where(({ ref }) => relatedTo(ref('unit_path'), staff.unitPath))
        .executeTakeFirst();
      if (!enterprise) {
        throw invalid('enterpriseId', '企业不存在或不在您的管辖范围内', 'ENTERPRISE_NOT_FOUND');
      }
      if (!isWithin(enterprise.unit_path, staff.unitPath)) {
        throw forbidden('NOT_ENTERPRISE_OWNER', '该企业由上级工会登记管理，请由其发布岗位');
      }
      const district = await db
        .selectFrom('org_unit')
        .select('id')
        .where('id', '=', body.districtId)
        .where('level', '=', 'district')
        .executeTakeFirst();
      if (!district) {
        throw invalid('districtId', '须为区、县（市）总工会的单位编号', 'DISTRICT_INVALID');
      }
      await requireKnownCodes(db, 'skill', body.skills, 'skills');
      if (body.certificate) {
        await requireKnownCodes(db, 'certificate_type', [body.certificate], 'certificate');
      }
      const row = await db
        .insertInto('job_opening')
        .values({
          enterprise_id: enterprise.id,
          owner_unit_id: enterprise.unit_id,
          owner_unit_path: enterprise.unit_path,
          title: body.title.trim(),
          skills: body.skills,
          certificate_code: body.certificate ?? null,
          district_id: district.id,
          monthly_pay_fen: body.monthlyPayFen,
          headcount: body.headcount,
          hours: body.hours,
          created_by: staff.id,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      request.audit = { action: 'opening.create', targetType: 'opening', targetId: row.id };
      return reply.status(201).send(openingView({ ...row, enterprise_name: enterprise.name }, await loadLabels(db)));
    },
  );

  app.get(
    '/openings',
    { schema: { tags: ['training'], summary: '招聘岗位列表', querystring: OpeningListQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof OpeningListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      const q = request.query;
      let query = db
        .selectFrom('job_opening as o')
        .innerJoin('enterprise as e', 'e.id', 'o.enterprise_id')
        .selectAll('o')
        .select('e.name as enterprise_name')
        .where(({ ref }) => relatedTo(ref('o.owner_unit_path'), staff.unitPath))
        .orderBy('o.created_at', 'desc')
        .orderBy('o.id', 'desc')
        .limit(q.limit + 1);
      if (q.enterpriseId) {
        query = query.where('o.enterprise_id', '=', q.enterpriseId);
      }
      if (q.districtId) {
        query = query.where('o.district_id', '=', q.districtId);
      }
      if (q.skill) {
        query = query.where(sql<SqlBool>`${q.skill} = any(o.skills)`);
      }
      if (q.status === 'closed') {
        query = query.where('o.status', '=', 'closed');
      } else if (q.status) {
        query = query
          .where('o.status', '=', 'open')
          .where(sql<SqlBool>`o.placed_count ${sql.raw(q.status === 'filled' ? '>=' : '<')} o.headcount`);
      }
      const after = decodeCursor(q.cursor, ['instant', 'uuid']);
      if (after) {
        query = query.where(
          sql<SqlBool>`(o.created_at, o.id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`,
        );
      }
      const labels = await loadLabels(db);
      return toPage(
        await query.execute(),
        q.limit,
        (row) => [row.created_at.toISOString(), row.id],
        (row) => openingView(row, labels),
      );
    },
  );

  app.post(
    '/fairs',
    { schema: { tags: ['training'], summary: '安排招聘会', body: NewFairBody, response: errorResponses } },
    async (request: FastifyRequest<{ Body: Static<typeof NewFairBody> }>, reply) => {
      const staff = requireRole(request, JOB_ROLES);
      const body = request.body;
      const heldAt = new Date(body.heldAt);
      if (heldAt.getTime() <= Date.now()) {
        throw invalid('heldAt', '招聘会时间须晚于当前时间', 'FAIR_IN_PAST');
      }
      const unit = await unitInScope(db, staff, body.unitId ?? staff.unitId);
      if (body.courseId) {
        const course = await visibleCourse(db, staff, body.courseId);
        const existing = await db
          .selectFrom('hiring_fair')
          .select('id')
          .where('course_id', '=', course.id)
          .executeTakeFirst();
        if (existing) {
          throw conflict('FAIR_EXISTS', '该课程的结业招聘会已经安排', { fairId: existing.id });
        }
        if (courseHasEnded(course)) {
          throw conflict('COURSE_ENDED', '课程已结束，其结业招聘会已自动安排');
        }
        const latest = course.ends_at.getTime() + checkDuration('fairWithin', course.fair_within, 60);
        if (heldAt < course.ends_at || heldAt.getTime() > latest) {
          throw invalid(
            'heldAt',
            `结业招聘会须在课程结束后 ${course.fair_within} 内举办（${toShanghaiIso(course.ends_at)} 至 ${toShanghaiIso(latest)}）`,
            'FAIR_OUTSIDE_WINDOW',
          );
        }
      }
      const openingIds = body.openingIds ?? [];
      const openings = openingIds.length
        ? await db
            .selectFrom('job_opening')
            .select(['id', 'enterprise_id'])
            .where('id', 'in', openingIds)
            .where('status', '=', 'open')
            .where(({ ref }) => relatedTo(ref('owner_unit_path'), staff.unitPath))
            .execute()
        : [];
      if (openings.length !== openingIds.length) {
        throw invalid('openingIds', '岗位不存在、已关闭或不在您的管辖范围内', 'OPENING_NOT_FOUND');
      }
      const fairId = idFor(request, staff, 'fair');
      const created = await db.transaction().execute(async (trx) => {
        const fair = await trx
          .insertInto('hiring_fair')
          .values({
            id: fairId,
            course_id: body.courseId ?? null,
            owner_unit_id: unit.id,
            owner_unit_path: unit.path,
            title: body.title.trim(),
            held_at: heldAt,
            created_by: staff.id,
          })
          .onConflict((oc) => oc.column('course_id').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (fair && openings.length > 0) {
          await trx
            .insertInto('fair_opening')
            .values(openings.map((o) => ({ fair_id: fair.id, opening_id: o.id, enterprise_id: o.enterprise_id })))
            .execute();
        }
        return fair;
      });
      if (!created) {
        throw conflict('FAIR_EXISTS', '该课程的结业招聘会刚刚已经安排');
      }
      request.audit = { action: 'fair.create', targetType: 'fair', targetId: created.id };
      return reply.status(201).send(await fairAnswer(created.id, staff.unitPath));
    },
  );

  app.get(
    '/fairs',
    { schema: { tags: ['training'], summary: '招聘会列表', querystring: Type.Object(ListQuery) } },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      const { limit } = request.query;
      let query = db
        .selectFrom('hiring_fair')
        .selectAll()
        .where(({ ref }) => relatedTo(ref('owner_unit_path'), staff.unitPath))
        .orderBy('held_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      const after = decodeCursor(request.query.cursor, ['instant', 'uuid']);
      if (after) {
        query = query.where(sql<SqlBool>`(held_at, id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`);
      }
      return toPage(await query.execute(), limit, (row) => [row.held_at.toISOString(), row.id], fairSummaryView);
    },
  );

  app.get(
    '/fairs/:id',
    { schema: { tags: ['training'], summary: '招聘会详情：参会企业、岗位与已推送的学员简历数', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      return fairAnswer(request.params.id, staff.unitPath);
    },
  );

  async function fairAnswer(fairId: string, unitPath: string) {
    const fair = await db
      .selectFrom('hiring_fair')
      .selectAll()
      .where('id', '=', fairId)
      .where(({ ref }) => relatedTo(ref('owner_unit_path'), unitPath))
      .executeTakeFirst();
    if (!fair) {
      throw notFound('FAIR_NOT_FOUND', '招聘会不存在或不在您的管辖范围内');
    }
    const [openings, pushes, invited, labels] = await Promise.all([
      db
        .selectFrom('fair_opening as f')
        .innerJoin('job_opening as o', 'o.id', 'f.opening_id')
        .innerJoin('enterprise as e', 'e.id', 'o.enterprise_id')
        .selectAll('o')
        .select('e.name as enterprise_name')
        .where('f.fair_id', '=', fair.id)
        .orderBy('e.name')
        .orderBy('o.id')
        .execute(),
      db
        .selectFrom('profile_push')
        .select(['enterprise_id', sql<number>`count(*)::int`.as('count')])
        .where('fair_id', '=', fair.id)
        .groupBy('enterprise_id')
        .execute(),
      db
        .selectFrom('trainee_pipeline')
        .select(sql<number>`count(*)::int`.as('count'))
        .where('fair_id', '=', fair.id)
        .executeTakeFirstOrThrow(),
      loadLabels(db),
    ]);
    const enterprises = [...new Map(openings.map((o) => [o.enterprise_id, o.enterprise_name])).entries()].map(
      ([id, name]) => ({
        id,
        name,
        openings: openings.filter((o) => o.enterprise_id === id).length,
        profilesReceived: pushes.find((p) => p.enterprise_id === id)?.count ?? 0,
      }),
    );
    return {
      ...fairSummaryView(fair),
      enterprises,
      openings: openings.map((row) => openingView(row, labels)),
      invitedTrainees: invited.count,
      profilesPushed: pushes.reduce((sum, p) => sum + p.count, 0),
    };
  }
}
