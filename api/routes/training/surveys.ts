import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import { SURVEY_ROLES, TRAINING_READ_ROLES } from '../../../workflows/shared/training-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { conflict, forbidden, invalid } from '../../errors.js';
import { requireRole, staffOf } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { errorResponses } from '../../schemas.js';
import { unitInScope, withinSubtree } from '../../scope.js';
import { NewSurveyBody, SurveyListQuery, VocabularyBody } from './schemas.js';
import { loadLabels, requireKnownCodes, workerInScope } from './support.js';
import { surveyView } from './views.js';

/**
 * Needs surveys (需求摸排) of union members and the vocabularies they use. A survey records skills held, skills and
 * jobs wished for, and constraints (hours, districts, pay); the newest one counts for enrolment and matching.
 * Surveys are personal data: scoped to the worker's unit, reads audited.
 */
export async function surveyRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get('/skills', { schema: { tags: ['training'], summary: '技能目录' } }, async (request) => {
    staffOf(request);
    const rows = await db.selectFrom('skill').select(['code', 'label']).orderBy('code').execute();
    return { items: rows, nextCursor: null };
  });

  app.get('/certificates', { schema: { tags: ['training'], summary: '证书目录' } }, async (request) => {
    staffOf(request);
    const rows = await db.selectFrom('certificate_type').select(['code', 'label']).orderBy('code').execute();
    return { items: rows, nextCursor: null };
  });

  for (const [path, table, what] of [
    ['/skills', 'skill', '技能'],
    ['/certificates', 'certificate_type', '证书'],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          tags: ['training'],
          summary: `新增${what}（市总工会管理员）`,
          body: VocabularyBody,
          response: errorResponses,
        },
      },
      async (request: FastifyRequest<{ Body: Static<typeof VocabularyBody> }>, reply) => {
        const staff = requireRole(request, ['admin']);
        if (staff.unitLevel !== 'city') {
          throw forbidden('ROLE_NOT_ALLOWED', `${what}目录全市统一，只有市总工会管理员可以新增`);
        }
        const row = await db
          .insertInto(table)
          .values({ code: request.body.code, label: request.body.label.trim() })
          .onConflict((oc) => oc.column('code').doNothing())
          .returning(['code', 'label'])
          .executeTakeFirst();
        if (!row) {
          throw conflict('CODE_TAKEN', `${what}代码 ${request.body.code} 已存在`);
        }
        request.audit = { action: `${table}.create`, targetType: table, targetId: row.code };
        return reply.status(201).send(row);
      },
    );
  }

  app.post(
    '/surveys',
    { schema: { tags: ['training'], summary: '登记职工就业需求摸排', body: NewSurveyBody, response: errorResponses } },
    async (request: FastifyRequest<{ Body: Static<typeof NewSurveyBody> }>, reply) => {
      const staff = requireRole(request, SURVEY_ROLES);
      const body = request.body;
      const worker = await workerInScope(db, staff, body.workerId);
      await requireKnownCodes(db, 'skill', body.skills, 'skills');
      await requireKnownCodes(db, 'skill', body.wishedSkills ?? [], 'wishedSkills');
      const districtIds = body.districtIds ?? [];
      if (districtIds.length > 0) {
        const districts = await db
          .selectFrom('org_unit')
          .select('id')
          .where('id', 'in', districtIds)
          .where('level', '=', 'district')
          .execute();
        if (districts.length !== districtIds.length) {
          throw invalid('districtIds', '须为区、县（市）总工会的单位编号', 'DISTRICT_INVALID');
        }
      }
      if (body.skills.length === 0 && (body.wishedSkills ?? []).length === 0) {
        throw invalid('skills', '已有技能与求职意向至少填写一项');
      }
      const row = await db
        .insertInto('needs_survey')
        .values({
          worker_id: worker.id,
          worker_unit_path: worker.path,
          skills: body.skills,
          wished_skills: body.wishedSkills ?? [],
          hours: body.hours ?? ['full_time', 'part_time', 'shifts'],
          district_ids: districtIds,
          wished_pay_fen: body.wishedMonthlyPayFen ?? null,
          note: body.note?.trim() || null,
          surveyed_by: staff.id,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      request.audit = { action: 'survey.create', targetType: 'worker', targetId: worker.id };
      return reply.status(201).send(surveyView(row, await loadLabels(db), worker.name));
    },
  );

  app.get(
    '/surveys',
    {
      config: { audit: 'read' },
      schema: { tags: ['training'], summary: '需求摸排列表（本辖区），新的在前', querystring: SurveyListQuery },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof SurveyListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      const q = request.query;
      const scopePath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      let query = db
        .selectFrom('needs_survey as s')
        .innerJoin('worker as w', 'w.id', 's.worker_id')
        .selectAll('s')
        .select('w.name as worker_name')
        .where(({ ref }) => withinSubtree(ref('s.worker_unit_path'), scopePath))
        .orderBy('s.surveyed_at', 'desc')
        .orderBy('s.id', 'desc')
        .limit(q.limit + 1);
      if (q.workerId) {
        query = query.where('s.worker_id', '=', q.workerId);
      }
      const after = decodeCursor(q.cursor, ['instant', 'uuid']);
      if (after) {
        query = query.where(
          sql<SqlBool>`(s.surveyed_at, s.id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`,
        );
      }
      const labels = await loadLabels(db);
      const page = toPage(
        await query.execute(),
        q.limit,
        (row) => [row.surveyed_at.toISOString(), row.id],
        ({ worker_name, ...row }) => surveyView(row, labels, worker_name),
      );
      request.audit = { action: 'survey.list', targetType: 'worker', details: { count: page.items.length } };
      return page;
    },
  );
}
