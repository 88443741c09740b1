import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import { currentInspectionPolicy, type InspectionPolicy } from '../../../activities/stations-policy.js';
import type { Db } from '../../../db/database.js';
import type { Inspection } from '../../../db/tables/station.table.js';
import { parseDuration } from '../../../workflows/shared/duration.js';
import { shanghaiMoment } from '../../../workflows/shared/opening-hours.js';
import {
  INSPECTION_ACTIONS,
  STATION_MANAGER_ROLES,
  STATION_READ_ROLES,
  STATION_STAFF_ROLES,
  STATION_TYPES,
  TIMED_INSPECTION_STEPS,
  type InspectionAction,
  type StationType,
} from '../../../workflows/shared/station-vocabulary.js';
import { inspectionRoundWorkflowId, inspectionWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import { periodOf } from '../../../workflows/station-inspection/inspection-period.js';
import { inspectionRoundWorkflow } from '../../../workflows/station-inspection/inspection-round.workflow.js';
import {
  inspectionActionUpdate,
  inspectionOpenedUpdate,
} from '../../../workflows/station-inspection/station-inspection.messages.js';
import {
  scoreProblems,
  type InspectionActionRequest,
  type InspectionStart,
} from '../../../workflows/station-inspection/station-inspection.state.js';
import { stationInspectionWorkflow } from '../../../workflows/station-inspection/station-inspection.workflow.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, forbidden, invalid, notFound, type FieldProblem } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, errorResponses } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import type { Staff } from '../../staff.js';
import {
  INSPECTION_ACTION_BODIES,
  InspectionListQuery,
  InspectionPolicyBody,
  NewInspectionBody,
  NewRoundBody,
  StationTypeSchema,
} from './schemas.js';
import { inspectionSummaryView, inspectionView } from './views.js';

/** Who may read inspections; acting is checked per action by the workflow (and here first, for a clear answer). */
const INSPECTION_ROLES = STATION_READ_ROLES;
/** Who may order a spot inspection: managers of the owning unit or above, and inspectors. */
const SPOT_ROLES = [...STATION_MANAGER_ROLES, 'inspector'] as const;

type InspectionRow = Inspection & { station_name: string };

function inspections(db: Db) {
  return db
    .selectFrom('inspection as i')
    .innerJoin('station as s', 's.id', 'i.station_id')
    .selectAll('i')
    .select('s.name as station_name');
}

function requireCityAdmin(staff: Staff): void {
  if (staff.role !== 'admin' || staff.unitLevel !== 'city') {
    throw forbidden('ROLE_NOT_ALLOWED', '只有市总工会管理员可以修改此项设置');
  }
}

const policyView = (policy: InspectionPolicy) => ({
  stationType: policy.stationType,
  version: policy.version,
  limits: policy.limits,
  passMark: policy.passMark,
  excellentMark: policy.excellentMark,
  checklist: policy.checklist,
  maxTotal: policy.checklist.reduce((sum, item) => sum + item.maxScore, 0),
});

/** What is wrong with a policy, naming the field: a duration we do not accept, a repeated item, marks out of order. */
function policyProblems(policy: InspectionPolicy): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const step of TIMED_INSPECTION_STEPS) {
    if (parseDuration(policy.limits[step].duration) === null) {
      problems.push({
        field: `limits.${step}.duration`,
        reason: 'ISO-8601 时长，如 P10D、PT4H、PT30S；不接受年、月',
      });
    }
  }
  const seen = new Set<string>();
  policy.checklist.forEach((item, i) => {
    if (seen.has(item.id)) {
      problems.push({ field: `checklist.${i}.id`, reason: `检查项 ${item.id} 重复` });
    }
    seen.add(item.id);
  });
  const total = policy.checklist.reduce((sum, item) => sum + item.maxScore, 0);
  if (policy.passMark >= policy.excellentMark) {
    problems.push({ field: 'excellentMark', reason: `须高于合格线 ${policy.passMark}` });
  }
  if (policy.excellentMark > total) {
    problems.push({ field: 'excellentMark', reason: `不能高于检查表满分 ${total}` });
  }
  return problems;
}

/**
 * Inspections of rest stations: spot inspections ordered by staff, rounds started by hand (the Temporal
 * Schedules start them at their rhythm), the list and one inspection with its timeline, the three actions
 * (`submit`, `rectify`, `reinspect`) as Temporal updates, and the inspection policy per station type. Every
 * inspection whose station lies outside the caller's subtree answers 404.
 */
export async function inspectionRoutes(app: FastifyInstance, { db, temporal, config }: AppDeps) {
  const { client, taskQueue } = temporal;
  const withDeadline = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + config.updateTimeoutMs, fn);

  async function readInspection(inspectionId: string, staff: Staff | null) {
    const snapshot = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        let query = inspections(trx).where('i.id', '=', inspectionId);
        if (staff) {
          query = query.where('i.owner_unit_path', 'like', `${staff.unitPath}%`);
        }
        const row = await query.executeTakeFirst();
        if (!row) {
          return null;
        }
        const events = await trx
          .selectFrom('inspection_event')
          .selectAll()
          .where('inspection_id', '=', inspectionId)
          .orderBy('seq')
          .execute();
        return { row, events };
      });
    if (!snapshot) {
      throw notFound('INSPECTION_NOT_FOUND', '检查任务不存在或不在您的管辖范围内');
    }
    const report = [...snapshot.events].reverse().find((event) => event.kind === 'rectify')?.data.report;
    return inspectionView(snapshot.row, snapshot.events, typeof report === 'string' ? report : null);
  }

  app.post(
    '/inspections',
    {
      schema: {
        tags: ['inspections'],
        summary: '下达临时抽查（管理员、主管、检查员）',
        body: NewInspectionBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof NewInspectionBody> }>, reply) => {
      const staff = requireRole(request, SPOT_ROLES);
      const station = await db
        .selectFrom('station')
        .select(['id', 'type', 'status'])
        .where('id', '=', request.body.stationId)
        .where('owner_unit_path', 'like', `${staff.unitPath}%`)
        .executeTakeFirst();
      if (!station) {
        throw invalid('stationId', '驿站不存在或不在您的管辖范围内', 'STATION_NOT_FOUND');
      }
      if (station.status !== 'open') {
        throw conflict('STATION_NOT_IN_SERVICE', '驿站当前未在服务中，无需检查');
      }
      const open = await db
        .selectFrom('inspection')
        .select('id')
        .where('station_id', '=', station.id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (open) {
        throw conflict('INSPECTION_ALREADY_OPEN', '该驿站已有进行中的检查，请在其中办理', { inspectionId: open.id });
      }
      // One spot inspection per station and Shanghai day: two clicks at once reach the same workflow.
      const period = `spot-${shanghaiMoment(Date.now()).date.replaceAll('-', '')}`;
      const inspectionId = uuidFromKey(`inspection:${station.id}`, period);
      const today = await db
        .selectFrom('inspection')
        .select('id')
        .where('station_id', '=', station.id)
        .where('period', '=', period)
        .executeTakeFirst();
      if (today) {
        throw conflict('SPOT_INSPECTION_DONE_TODAY', '今天已对该驿站完成过一次临时抽查', { inspectionId: today.id });
      }
      const policy = await currentInspectionPolicy(db, station.type);
      const start: InspectionStart = {
        inspectionId,
        stationId: station.id,
        period,
        kind: 'spot',
        policyVersion: policy.version,
        orderedByUserId: staff.id,
      };
      request.audit = { action: 'inspection.spot', targetType: 'inspection', targetId: inspectionId };
      try {
        await withDeadline(() =>
          client.workflow.executeUpdateWithStart(inspectionOpenedUpdate, {
            startWorkflowOperation: new WithStartWorkflowOperation(stationInspectionWorkflow, {
              workflowId: inspectionWorkflowId(station.id, period),
              taskQueue,
              args: [{ kind: 'start', start }],
              workflowIdConflictPolicy: 'USE_EXISTING',
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
            }),
            updateId: `open-${inspectionId}`,
          }),
        );
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          throw conflict('SPOT_INSPECTION_DONE_TODAY', '今天已对该驿站完成过一次临时抽查', { inspectionId });
        }
        throw error;
      }
      return reply.status(201).send(await readInspection(inspectionId, null));
    },
  );

  app.post(
    '/inspections/rounds',
    {
      schema: {
        tags: ['inspections'],
        summary: '立即开始本期检查（管理员、主管；按该类型的检查周期确定期次）',
        body: NewRoundBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof NewRoundBody> }>, reply) => {
      const staff = requireRole(request, STATION_MANAGER_ROLES);
      const { stationType } = request.body;
      const unit = await unitInScope(db, staff, request.body.unitId ?? staff.unitId);
      const rhythm = config.inspectionRhythms[stationType];
      const period = periodOf(rhythm, Date.now());
      request.audit = {
        action: 'inspection.round',
        targetType: 'unit',
        targetId: unit.id,
        details: { stationType, period },
      };
      const handle = await client.workflow.start(inspectionRoundWorkflow, {
        workflowId: inspectionRoundWorkflowId(stationType, period, unit.id),
        taskQueue,
        args: [{ stationType, rhythm, scopeUnitId: unit.id, period }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      const result = await withDeadline(() => handle.result());
      return reply.status(201).send({ stationType, unitId: unit.id, ...result });
    },
  );

  app.get(
    '/inspections',
    { schema: { tags: ['inspections'], summary: '检查任务列表（本辖区）', querystring: InspectionListQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof InspectionListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, INSPECTION_ROLES);
      const q = request.query;
      const unitPath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      let query = inspections(db)
        .where('i.owner_unit_path', 'like', `${unitPath}%`)
        .orderBy('i.opened_at', 'desc')
        .orderBy('i.id', 'desc')
        .limit(q.limit + 1);
      const filters = [
        ['i.station_id', q.stationId],
        ['i.station_type', q.stationType],
        ['i.status', q.status],
        ['i.step', q.step],
        ['i.outcome', q.outcome],
        ['i.period', q.period],
      ] as const;
      for (const [column, value] of filters) {
        if (value !== undefined) {
          query = query.where(column, '=', value as never);
        }
      }
      if (q.mine) {
        query = query.where('i.inspector_user_id', '=', staff.id);
      }
      if (q.overdue !== undefined) {
        const overdue = sql<SqlBool>`(i.status = 'open' and i.due_at < now())`;
        query = query.where(q.overdue ? overdue : sql<SqlBool>`not ${overdue}`);
      }
      const after = decodeCursor(q.cursor, ['instant', 'uuid']);
      if (after) {
        query = query.where(
          sql<SqlBool>`(i.opened_at, i.id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`,
        );
      }
      const now = Date.now();
      return toPage(
        (await query.execute()) as InspectionRow[],
        q.limit,
        (row) => [row.opened_at.toISOString(), row.id],
        (row) => inspectionSummaryView(row, now),
      );
    },
  );

  app.get(
    '/inspections/:id',
    { schema: { tags: ['inspections'], summary: '检查任务详情：检查表、评分、整改与时间线', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, INSPECTION_ROLES);
      return readInspection(request.params.id, staff);
    },
  );

  for (const action of INSPECTION_ACTIONS) {
    app.post(
      `/inspections/:id/actions/${action}`,
      {
        schema: {
          tags: ['inspections'],
          summary: `检查操作：${action}`,
          params: IdParams,
          body: INSPECTION_ACTION_BODIES[action],
          response: errorResponses,
        },
      },
      async (request: FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> }>) => {
        const staff = requireRole(request, [...STATION_STAFF_ROLES, 'inspector']);
        const inspectionId = request.params.id;
        request.audit = { action: `inspection.${action}`, targetType: 'inspection', targetId: inspectionId };
        const row = await inspections(db)
          .where('i.id', '=', inspectionId)
          .where('i.owner_unit_path', 'like', `${staff.unitPath}%`)
          .executeTakeFirst();
        if (!row) {
          throw notFound('INSPECTION_NOT_FOUND', '检查任务不存在或不在您的管辖范围内');
        }
        if (row.status !== 'open') {
          throw closedError(action, row);
        }
        if (action !== 'rectify') {
          const rules = { checklist: row.checklist, passMark: row.pass_mark, excellentMark: row.excellent_mark };
          const problems = scoreProblems(rules, request.body.scores as Record<string, number>);
          if (problems.length > 0) {
            throw new ApiError(
              422,
              'SCORES_INVALID',
              `评分有误：${problems[0]!.field}：${problems[0]!.reason}`,
              problems,
            );
          }
        }
        const actionRequest = {
          ...request.body,
          ...(action === 'rectify' ? { report: String(request.body.report).trim() } : {}),
          action,
          actor: { userId: staff.id, role: staff.role, unit: { id: staff.unitId, path: staff.unitPath } },
        } as InspectionActionRequest;
        const updateId = request.idempotency
          ? uuidFromKey(`inspection-update:${staff.id}`, request.idempotency.key)
          : randomUUID();
        try {
          await withDeadline(() =>
            client.workflow
              .getHandle(row.workflow_id)
              .executeUpdate(inspectionActionUpdate, { args: [actionRequest], updateId }),
          );
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) {
            throw closedError(action, row);
          }
          throw error;
        }
        return readInspection(inspectionId, null);
      },
    );
  }

  /** The answer for an action on a closed inspection, as the workflow's validator would give it. */
  function closedError(action: InspectionAction, row: Inspection): ApiError {
    if (action === 'rectify' && row.outcome !== 'failed') {
      return conflict('RECTIFICATION_NOT_REQUIRED', '该驿站本次检查已合格，无需整改');
    }
    return conflict('INSPECTION_CLOSED', '本次检查已结束，不能再操作');
  }

  app.get(
    '/policies/inspections',
    { schema: { tags: ['inspections'], summary: '各类型驿站的检查表、合格线、优秀线与时限' } },
    async (request) => {
      requireRole(request, INSPECTION_ROLES);
      const items = [];
      for (const stationType of STATION_TYPES) {
        items.push(policyView(await currentInspectionPolicy(db, stationType)));
      }
      return { items };
    },
  );

  app.put(
    '/policies/inspections/:stationType',
    {
      schema: {
        tags: ['inspections'],
        summary: '修改某类型驿站的检查政策（市总管理员）；仅对此后开始的检查生效',
        params: Type.Object({ stationType: StationTypeSchema }),
        body: InspectionPolicyBody,
        response: errorResponses,
      },
    },
    async (
      request: FastifyRequest<{ Params: { stationType: StationType }; Body: Static<typeof InspectionPolicyBody> }>,
    ) => {
      const staff = requireRole(request, ['admin']);
      requireCityAdmin(staff);
      const { stationType } = request.params;
      const body = request.body;
      const current = await currentInspectionPolicy(db, stationType);
      const next: InspectionPolicy = {
        stationType,
        version: current.version + 1,
        limits: { ...current.limits, ...body.limits },
        passMark: body.passMark ?? current.passMark,
        excellentMark: body.excellentMark ?? current.excellentMark,
        checklist: body.checklist ?? current.checklist,
      };
      const problems = policyProblems(next);
      if (problems.length > 0) {
        throw new ApiError(
          422,
          'POLICY_INVALID',
          `检查政策有误：${problems[0]!.field}：${problems[0]!.reason}`,
          problems,
        );
      }
      const inserted = await db
        .insertInto('inspection_policy')
        .values({
          station_type: stationType,
          version: next.version,
          limits: JSON.stringify(next.limits),
          pass_mark: next.passMark,
          excellent_mark: next.excellentMark,
          checklist: JSON.stringify(next.checklist),
          created_by: staff.id,
        })
        .onConflict((oc) => oc.columns(['station_type', 'version']).doNothing())
        .returning('version')
        .executeTakeFirst();
      if (!inserted) {
        throw conflict('POLICY_CHANGED_CONCURRENTLY', '检查政策刚被他人修改，请刷新后重试');
      }
      request.audit = {
        action: 'policy.inspections.update',
        targetType: 'policy',
        targetId: `inspection/${stationType}`,
      };
      return policyView(next);
    },
  );
}
