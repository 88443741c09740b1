import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  approverFor,
  checkStandard,
  currentThresholds,
  fundYear,
  levelFor,
  lineageOf,
} from '../../../activities/fund-rules.js';
import { currentPolicy } from '../../../activities/time-limits.js';
import {
  SUSPENDED_SORT_KEY,
  caseTimeline,
  findCase,
  findVisibleCase,
  inbox,
  listCases,
  overdueByUnit,
  overdueCases,
} from '../../../db/repositories/case.repository.js';
import type { AssistanceCase } from '../../../db/tables/assistance-case.table.js';
import { actUpdate, suspendUpdate } from '../../../workflows/case-lifecycle/case-lifecycle.messages.js';
import type { ActionRequest, Actor, CaseOpening } from '../../../workflows/case-lifecycle/case-lifecycle.state.js';
import { ACTIONS, CASE_ROLES, type CaseAction } from '../../../workflows/shared/case-vocabulary.js';
import { caseWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, invalid, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, errorResponses } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';
import { caseExtras, timeLeftOfMany } from './case-extras.js';
import { startCase } from './open-case.js';
import { ACTION_BODIES, CaseListQuery, NewCaseBody, SuspensionBody } from './schemas.js';
import { caseSummaryView, caseView } from './views.js';

/** Sources a staff member may open a case with here; perception and self-application have their own flows. */
const STAFF_SOURCES = new Set(['staff', 'referral']);

const actorOf = (staff: Staff): Actor => ({
  userId: staff.id,
  role: staff.role,
  unit: { id: staff.unitId, path: staff.unitPath },
});

/**
 * Assistance cases (工单): open, act on a step, suspend a step's clock, read one case with its timeline, list,
 * the caller's inbox and the overdue board. Actions are Temporal updates: rejected at once when they do not fit,
 * answered after the read model is written. Every case outside the caller's subtree answers 404.
 */
export async function caseRoutes(app: FastifyInstance, { db, temporal, config }: AppDeps) {
  const { client } = temporal;
  const withDeadline = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + config.updateTimeoutMs, fn);

  async function readCase(caseId: string, staff: Staff) {
    const row = await findVisibleCase(db, caseId, staff.unitPath);
    if (!row) {
      throw notFound('CASE_NOT_FOUND', '工单不存在或不在您的管辖范围内');
    }
    return row;
  }

  /**
   * The case with its timeline, read in one snapshot so that the row and its events agree (a notice committing
   * between two reads would otherwise show an escalation event beside the old escalation level). `staff` scopes
   * the read; without it the read is unscoped, which only answering an action may do: the action may have moved
   * the case out of the caller's subtree (a township returning it to the district), and the scope was checked
   * before the action. The answer carries, for `viewer`, the actions open to them now and the time left.
   */
  async function caseWithTimeline(caseId: string, viewer: Staff, staff: Staff | null) {
    const snapshot = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const row = staff ? await findVisibleCase(trx, caseId, staff.unitPath) : await findCase(trx, caseId);
        return row ? { row, events: await caseTimeline(trx, caseId) } : null;
      });
    if (!snapshot) {
      throw notFound('CASE_NOT_FOUND', '工单不存在或不在您的管辖范围内');
    }
    const now = Date.now();
    const extras = await caseExtras(db, snapshot.row, snapshot.events, viewer, now);
    return { ...caseView(snapshot.row, snapshot.events, now), ...extras };
  }

  const answerCase = (caseId: string, staff: Staff) => caseWithTimeline(caseId, staff, staff);
  const answerAction = (caseId: string, staff: Staff) => caseWithTimeline(caseId, staff, null);

  const updateIdFor = (request: FastifyRequest, staff: Staff) =>
    request.idempotency ? uuidFromKey(`update:${staff.id}`, request.idempotency.key) : randomUUID();

  app.post(
    '/cases',
    { schema: { tags: ['cases'], summary: '开立帮扶工单', body: NewCaseBody, response: errorResponses } },
    async (request: FastifyRequest<{ Body: Static<typeof NewCaseBody> }>, reply) => {
      const staff = requireRole(request, CASE_ROLES);
      const body = request.body;
      if (!STAFF_SOURCES.has(body.source)) {
        throw invalid('source', '自主申报与感知发现的工单由职工端和感知线索确认生成，此处只能为 staff 或 referral');
      }
      const worker = await db
        .selectFrom('worker as w')
        .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
        .select(['w.id', 'w.unit_id', 'o.path'])
        .where('w.id', '=', body.workerId)
        .where('o.path', 'like', `${staff.unitPath}%`)
        .executeTakeFirst();
      if (!worker) {
        throw invalid('workerId', '职工不存在或不在您的管辖范围内', 'WORKER_NOT_FOUND');
      }
      const caseId = request.idempotency ? uuidFromKey(`case:${staff.id}`, request.idempotency.key) : randomUUID();
      const policy = await currentPolicy(db, body.category, body.urgency);
      const opening: CaseOpening = {
        caseId,
        workerId: worker.id,
        workerUnit: { id: worker.unit_id, path: worker.path },
        category: body.category,
        urgency: body.urgency,
        source: body.source,
        summary: body.summary.trim(),
        openedBy: actorOf(staff),
        policyVersion: policy.version,
      };
      await startCase({ temporal, config }, opening);
      request.audit = { action: 'case.open', targetType: 'case', targetId: caseId, details: { source: body.source } };
      return reply.status(201).send(await answerCase(caseId, staff));
    },
  );

  app.get(
    '/cases',
    { schema: { tags: ['cases'], summary: '工单列表（本辖区）', querystring: CaseListQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof CaseListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, CASE_ROLES);
      const q = request.query;
      const unitPath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      const after = decodeCursor(q.cursor, ['instant', 'uuid']) as [string, string] | null;
      const rows = await listCases(db, {
        unitPath,
        status: q.status,
        step: q.step,
        category: q.category,
        workerId: q.workerId,
        overdue: q.overdue,
        after,
        limit: q.limit,
      });
      const now = Date.now();
      return toPage(
        rows,
        q.limit,
        (row) => [row.opened_at.toISOString(), row.id],
        (row) => caseSummaryView(row, now),
      );
    },
  );

  app.get(
    '/cases/:id',
    { config: { audit: 'read' }, schema: { tags: ['cases'], summary: '工单详情与办理时间线', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, CASE_ROLES);
      request.audit = { action: 'case.read', targetType: 'case', targetId: request.params.id };
      const view = await answerCase(request.params.id, staff);
      const worker = await db
        .selectFrom('worker')
        .select(['id', 'name', 'id_number_masked', 'hardship_status', 'unit_id'])
        .where('id', '=', view.workerId)
        .executeTakeFirstOrThrow();
      return {
        ...view,
        worker: {
          id: worker.id,
          name: worker.name,
          idNumber: worker.id_number_masked,
          hardshipStatus: worker.hardship_status,
          unitId: worker.unit_id,
        },
      };
    },
  );

  for (const action of ACTIONS) {
    const body = ACTION_BODIES[action];
    app.post(
      `/cases/:id/actions/${action}`,
      {
        schema: { tags: ['cases'], summary: `工单操作：${action}`, params: IdParams, body, response: errorResponses },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request: FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> }>) => {
        const staff = requireRole(request, CASE_ROLES);
        const caseId = request.params.id;
        request.audit = { action: `case.${action}`, targetType: 'case', targetId: caseId };
        const row = await readCase(caseId, staff);
        if (row.status !== 'open') {
          throw conflict('CASE_NOT_OPEN', '工单已结束，不能再办理');
        }
        const actionRequest = await toActionRequest(action, request.body, staff, row);
        await withDeadline(() =>
          client.workflow
            .getHandle(caseWorkflowId(caseId))
            .executeUpdate(actUpdate, { args: [actionRequest], updateId: updateIdFor(request, staff) }),
        );
        return answerAction(caseId, staff);
      },
    );
  }

  async function toActionRequest(
    action: CaseAction,
    body: Record<string, unknown>,
    staff: Staff,
    row: AssistanceCase,
  ): Promise<ActionRequest> {
    const actor = actorOf(staff);
    if (action === 'dispatch') {
      const target = await db
        .selectFrom('org_unit')
        .select(['id', 'path'])
        .where('id', '=', String(body.toUnitId))
        .where('path', 'like', `${staff.unitPath}%`)
        .executeTakeFirst();
      if (!target) {
        throw invalid('toUnitId', '目标单位不存在或不在您的管辖范围内', 'DISPATCH_TARGET_INVALID');
      }
      return { action, actor, toUnit: { id: target.id, path: target.path } };
    }
    if (action === 'plan' || action === 'deliver') {
      const items = (body.items as { kind: string; amountFen: number; note?: string }[]).map((item) => ({
        ...item,
        kind: item.kind.trim(),
      }));
      if (action === 'deliver') {
        return { ...(body as object), action, actor, items } as ActionRequest;
      }
      return { action, actor, items, ...(await planRouting(row, items)) };
    }
    return { ...(body as object), action, actor } as ActionRequest;
  }

  /**
   * Where a plan goes for approval (by the thresholds in force now, kept with the plan) and whether it fits the
   * assistance standard; a plan that breaks it is refused here with the rule and the amount left, unless the
   * city granted the case an exception.
   */
  async function planRouting(row: AssistanceCase, items: { amountFen: number }[]) {
    const totalFen = items.reduce((sum, item) => sum + item.amountFen, 0);
    const breach = await checkStandard(db, {
      caseId: row.id,
      householdId: row.household_id,
      category: row.category,
      totalFen,
      year: fundYear(Date.now()),
    });
    if (breach) {
      const rule = breach.rule === 'max_per_case' ? '单次帮扶上限' : '家庭年度帮扶上限';
      const yuan = (fen: number) => (fen / 100).toFixed(2);
      throw new ApiError(
        422,
        'STANDARD_EXCEEDED',
        `方案合计 ${yuan(totalFen)} 元，超出${rule} ${yuan(breach.limitFen)} 元，尚可 ${yuan(breach.leftFen)} 元；如确需超标准帮扶，请市总工会批准例外`,
        breach,
      );
    }
    const thresholds = await currentThresholds(db);
    const assignee = await db
      .selectFrom('org_unit')
      .select('path')
      .where('id', '=', row.assignee_unit_id)
      .executeTakeFirstOrThrow();
    const approver = approverFor(await lineageOf(db, assignee.path), levelFor(thresholds.tiers, totalFen));
    return { approver, thresholdVersion: thresholds.version };
  }

  app.post(
    '/cases/:id/suspensions',
    {
      schema: {
        tags: ['cases'],
        summary: '暂停当前步骤计时（等待职工补充材料、住院等）',
        params: IdParams,
        body: SuspensionBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof SuspensionBody> }>, reply) => {
      const staff = requireRole(request, CASE_ROLES);
      const caseId = request.params.id;
      request.audit = { action: 'case.suspend', targetType: 'case', targetId: caseId };
      const row = await readCase(caseId, staff);
      if (row.status !== 'open') {
        throw conflict('CASE_NOT_OPEN', '工单已结束，不能暂停计时');
      }
      const until = Date.parse(request.body.until);
      await withDeadline(() =>
        client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(suspendUpdate, {
          args: [{ actor: actorOf(staff), reason: request.body.reason.trim(), until: new Date(until).toISOString() }],
          updateId: updateIdFor(request, staff),
        }),
      );
      return reply.status(201).send(await answerAction(caseId, staff));
    },
  );

  app.get(
    '/inbox',
    {
      schema: {
        tags: ['cases'],
        summary: '本单位待办步骤，按期限先后排列；含剩余时间（工作日时限按工作日计）',
        querystring: Type.Object(ListQuery),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string } }>) => {
      const staff = requireRole(request, CASE_ROLES);
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['number', 'uuid']) as [number, string] | null;
      const rows = await inbox(db, staff.unitId, limit, after);
      const now = Date.now();
      const timeLeft = await timeLeftOfMany(db, rows.slice(0, limit), now);
      return toPage(
        rows,
        limit,
        (row) => [row.due_at ? row.due_at.getTime() / 1000 : SUSPENDED_SORT_KEY, row.id],
        (row) => ({
          ...caseSummaryView(row, now),
          ...timeLeft.get(row.id),
          timeLeftSeconds: row.due_at ? Math.floor((row.due_at.getTime() - now) / 1000) : null,
        }),
      );
    },
  );

  app.get(
    '/supervision/overdue',
    {
      schema: {
        tags: ['cases'],
        summary: '超时与督办看板（本辖区）',
        querystring: Type.Object({ ...ListQuery, unitId: Type.Optional(Type.String({ format: 'uuid' })) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; unitId?: string } }>) => {
      const staff = requireRole(request, CASE_ROLES);
      const { limit } = request.query;
      const unitPath = request.query.unitId
        ? (await unitInScope(db, staff, request.query.unitId)).path
        : staff.unitPath;
      const offset = Number(decodeCursor(request.query.cursor, ['number'])?.[0] ?? 0);
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new ApiError(400, 'CURSOR_INVALID', 'cursor：无效的翻页游标');
      }
      const [rows, byUnit] = await Promise.all([
        overdueCases(db, unitPath, limit, offset),
        overdueByUnit(db, unitPath),
      ]);
      const page = toPage(
        rows,
        limit,
        () => [offset + limit],
        (row) => ({
          caseId: row.id,
          number: Number(row.number),
          step: row.step,
          holderUnitId: row.holder_unit_id,
          dueAt: toShanghaiIso(row.due_at),
          lateBySeconds: row.late_by_seconds,
          escalationLevel: row.escalation_level,
        }),
      );
      return {
        ...page,
        byUnit: byUnit.map((u) => ({ unitId: u.unit_id, overdue: u.overdue, escalated: u.escalated })),
      };
    },
  );
}
