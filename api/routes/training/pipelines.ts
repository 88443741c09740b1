import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import { explainMatch, rankOpenings } from '../../../activities/training-matching.js';
import {
  candidateOpenings,
  findVisiblePipeline,
  loadTraineeProfile,
  matchLabels,
  relatedTo,
} from '../../../db/repositories/training.repository.js';
import {
  ACTION_ROLES,
  PIPELINE_ACTIONS,
  PIPELINE_ACTION_LABELS,
  TRAINING_READ_ROLES,
  type PipelineAction,
} from '../../../workflows/shared/training-vocabulary.js';
import { traineePipelineWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import { pipelineActUpdate } from '../../../workflows/trainee-pipeline/trainee-pipeline.messages.js';
import type { PipelineActionRequest } from '../../../workflows/trainee-pipeline/trainee-pipeline.state.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, invalid, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, errorResponses } from '../../schemas.js';
import { unitInScope, withinSubtree } from '../../scope.js';
import { pipelineAnswer } from './pipeline-answer.js';
import { MatchQuery, PIPELINE_ACTION_BODIES, PipelineListQuery } from './schemas.js';
import { actorOf, idFor, temporalCall } from './support.js';
import { pipelineSummaryView } from './views.js';

const MATCH_ROLES = ['admin', 'supervisor', 'employment_officer', 'trainer'] as const;

/**
 * Trainees' pipelines (培训就业全链条): the list an employment officer works from (who is stuck: `stalled=true`,
 * `overdue=true`), one pipeline with its timeline, the actions on it (Temporal updates, answered after the read
 * model is written), and matching (`GET /matches`): a trainee's openings ranked, with the reasons for each. Pipelines
 * are scoped by the trainee's union: staff see the trainees of their subtree only.
 */
export async function pipelineRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, temporal } = deps;
  const call = temporalCall(deps);

  app.get(
    '/pipelines',
    { schema: { tags: ['training'], summary: '学员培训就业流程列表（本辖区）', querystring: PipelineListQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof PipelineListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      const q = request.query;
      const scopePath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      let query = db
        .selectFrom('trainee_pipeline as p')
        .leftJoin('course_enrolment as e', 'e.id', 'p.id')
        .selectAll('p')
        .select('e.status as seat')
        .where(({ ref }) => withinSubtree(ref('p.worker_unit_path'), scopePath))
        .orderBy('p.opened_at', 'desc')
        .orderBy('p.id', 'desc')
        .limit(q.limit + 1);
      if (q.courseId) {
        query = query.where('p.course_id', '=', q.courseId);
      }
      if (q.workerId) {
        query = query.where('p.worker_id', '=', q.workerId);
      }
      if (q.status) {
        query = query.where('p.status', '=', q.status);
      }
      if (q.step) {
        query = query.where('p.step', '=', q.step);
      }
      if (q.stalled !== undefined) {
        const stalled = sql<SqlBool>`(p.status = 'open' and p.escalated_at is not null)`;
        query = query.where(q.stalled ? stalled : sql<SqlBool>`not ${stalled}`);
      }
      if (q.overdue !== undefined) {
        const overdue = sql<SqlBool>`(p.status = 'open' and p.due_action = 'escalate' and p.due_at < now())`;
        query = query.where(q.overdue ? overdue : sql<SqlBool>`not coalesce(${overdue}, false)`);
      }
      const after = decodeCursor(q.cursor, ['instant', 'uuid']);
      if (after) {
        query = query.where(
          sql<SqlBool>`(p.opened_at, p.id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`,
        );
      }
      const now = Date.now();
      return toPage(
        await query.execute(),
        q.limit,
        (row) => [row.opened_at.toISOString(), row.id],
        (row) => pipelineSummaryView(row, now),
      );
    },
  );

  app.get(
    '/pipelines/:id',
    {
      config: { audit: 'read' },
      schema: { tags: ['training'], summary: '学员培训就业流程详情与时间线', params: IdParams },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      request.audit = { action: 'pipeline.read', targetType: 'pipeline', targetId: request.params.id };
      const answer = await pipelineAnswer(db, request.params.id, staff);
      const worker = await db
        .selectFrom('worker')
        .select(['id', 'name', 'unit_id'])
        .where('id', '=', answer.workerId)
        .executeTakeFirstOrThrow();
      return { ...answer, worker: { id: worker.id, name: worker.name, unitId: worker.unit_id } };
    },
  );

  for (const action of PIPELINE_ACTIONS) {
    app.post(
      `/pipelines/:id/actions/${action}`,
      {
        schema: {
          tags: ['training'],
          summary: `学员流程操作：${PIPELINE_ACTION_LABELS[action]}`,
          params: IdParams,
          body: PIPELINE_ACTION_BODIES[action],
          response: errorResponses,
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request: FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> }>) => {
        const staff = requireRole(request, ACTION_ROLES[action]);
        const pipelineId = request.params.id;
        request.audit = { action: `pipeline.${action}`, targetType: 'pipeline', targetId: pipelineId };
        const row = await findVisiblePipeline(db, pipelineId, staff.unitPath);
        if (!row) {
          throw notFound('PIPELINE_NOT_FOUND', '学员流程不存在或不在您的管辖范围内');
        }
        if (row.status !== 'open') {
          throw conflict('PIPELINE_NOT_OPEN', '该学员的培训就业流程已结束，不能再办理');
        }
        if (action === 'record-offer') {
          await checkOffer(String(request.body.openingId), staff.unitPath);
        }
        const actionRequest = toActionRequest(action, request.body, actorOf(staff));
        await call(() =>
          temporal.client.workflow
            .getHandle(traineePipelineWorkflowId(row.course_id, row.worker_id))
            .executeUpdate(pipelineActUpdate, {
              args: [actionRequest],
              updateId: idFor(request, staff, 'pipeline-update'),
            }),
        );
        return pipelineAnswer(db, pipelineId, null);
      },
    );
  }

  /** An offer needs an opening the caller can see that still has a free place; the workflow checks again. */
  async function checkOffer(openingId: string, unitPath: string): Promise<void> {
    const opening = await db
      .selectFrom('job_opening')
      .select(['status', 'headcount', 'placed_count'])
      .where('id', '=', openingId)
      .where(({ ref }) => relatedTo(ref('owner_unit_path'), unitPath))
      .executeTakeFirst();
    if (!opening) {
      throw invalid('openingId', '岗位不存在或不在您的管辖范围内', 'OPENING_NOT_FOUND');
    }
    if (opening.status !== 'open' || opening.placed_count >= opening.headcount) {
      throw conflict(
        'OPENING_FILLED',
        `该岗位已招满或已关闭（已录用 ${opening.placed_count}/${opening.headcount} 人），不能再登记录用`,
      );
    }
  }

  app.get(
    '/matches',
    {
      config: { audit: 'read' },
      schema: {
        tags: ['training'],
        summary: '为学员匹配岗位：按匹配度排序，并说明每个岗位的理由',
        querystring: MatchQuery,
      },
    },
    async (request: FastifyRequest<{ Querystring: { traineeId: string; limit: number; cursor?: string } }>) => {
      const staff = requireRole(request, MATCH_ROLES);
      const { traineeId, limit } = request.query;
      request.audit = { action: 'match.read', targetType: 'worker', targetId: traineeId };
      const worker = await db
        .selectFrom('worker as w')
        .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
        .select('w.id')
        .where('w.id', '=', traineeId)
        .where(({ ref }) => withinSubtree(ref('o.path'), staff.unitPath))
        .executeTakeFirst();
      if (!worker) {
        throw notFound('TRAINEE_NOT_FOUND', '学员不存在或不在您的管辖范围内');
      }
      const profile = await loadTraineeProfile(db, worker.id);
      if (!profile) {
        throw invalid('traineeId', '该职工尚未做就业需求摸排，无法匹配岗位', 'SURVEY_REQUIRED');
      }
      const offset = Number(decodeCursor(request.query.cursor, ['number'])?.[0] ?? 0);
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new ApiError(400, 'CURSOR_INVALID', 'cursor：无效的翻页游标');
      }
      // Known limit: every candidate (open openings sharing a skill) is scored in memory and a page is an offset
      // into the ranking computed again; with tens of thousands of openings on one common skill this wants a
      // top-N in SQL, and a ranking that changes between pages may repeat or skip an opening.
      const candidates = await candidateOpenings(db, [...profile.skills, ...profile.wishedSkills], staff.unitPath);
      const ranked = rankOpenings(profile, candidates, offset + limit + 1).slice(offset);
      const labels = await matchLabels(db);
      const byId = new Map(candidates.map((c) => [c.openingId, c]));
      const page = toPage(
        ranked.map((match, i) => ({ match, rank: offset + i + 1 })),
        limit,
        () => [offset + limit],
        ({ match, rank }) => {
          const opening = byId.get(match.openingId)!;
          const reasons = explainMatch(match, opening, profile, labels);
          return {
            rank,
            openingId: opening.openingId,
            title: opening.title,
            enterpriseId: opening.enterpriseId,
            enterpriseName: opening.enterpriseName,
            districtId: opening.districtId,
            monthlyPayFen: opening.monthlyPayFen,
            hours: opening.hours,
            headcount: opening.headcount,
            placedCount: opening.placedCount,
            score: match.score,
            reasons,
            reason: reasons.join('；'),
          };
        },
      );
      return { traineeId: worker.id, ...page };
    },
  );
}

function toActionRequest(
  action: PipelineAction,
  body: Record<string, unknown>,
  actor: PipelineActionRequest['actor'],
): PipelineActionRequest {
  const trimmed = Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]),
  );
  return { ...trimmed, action, actor } as PipelineActionRequest;
}
