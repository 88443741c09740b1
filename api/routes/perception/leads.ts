import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { RULES_BY_CODE } from '../../../activities/perception/rule-catalogue.js';
import { currentPolicy } from '../../../activities/time-limits.js';
import { findVisibleLead, listLeads, type LeadRow } from '../../../db/repositories/perception.repository.js';
import { HARDSHIP_GROUPS, LEAD_STATUSES } from '../../../db/tables/perception.table.js';
import type { CaseOpening } from '../../../workflows/case-lifecycle/case-lifecycle.state.js';
import { CATEGORIES, URGENCIES, type Category } from '../../../workflows/shared/case-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { conflict, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, Text, Uuid, errorResponses, strictObject } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import type { Staff } from '../../staff.js';
import { startCase } from '../cases/open-case.js';
import { GROUP_LABELS, leadView } from './views.js';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const LeadListQuery = Type.Object({
  ...ListQuery,
  status: Type.Optional(literals(LEAD_STATUSES)),
  group: Type.Optional(literals(HARDSHIP_GROUPS)),
  unitId: Type.Optional(Uuid),
  ruleId: Type.Optional(Uuid),
  minScore: Type.Optional(Type.Integer({ minimum: -10_000, maximum: 10_000 })),
});
const ConfirmBody = strictObject({
  category: Type.Optional(literals(CATEGORIES)),
  urgency: Type.Optional(literals(URGENCIES)),
});
const DismissBody = strictObject({ reason: Text(500) });

const REVIEWERS = ['supervisor', 'admin'] as const;

const leadNotFound = () => notFound('LEAD_NOT_FOUND', '线索不存在或不在您的管辖范围内');
const leadNotOpen = (status: string) =>
  conflict(
    'LEAD_NOT_OPEN',
    status === 'confirmed'
      ? '该线索已确认开单'
      : status === 'dismissed'
        ? '该线索已被排除，不能再确认或排除'
        : '该线索已失效（职工已有在办工单或不再符合条件），不能再审核',
  );

/** The category of the strongest reason that raises the score; living assistance when none says otherwise. */
function categoryOf(reasons: { ruleCode: string; weight: number }[]): Category {
  const strongest = reasons.filter((r) => r.weight > 0).sort((a, b) => b.weight - a.weight)[0];
  return (strongest && RULES_BY_CODE.get(strongest.ruleCode)?.category) || 'living';
}

/**
 * Lead review (线索审核), for supervisors and admins, scoped to the workers of the caller's subtree (404 outside it):
 * list by status, group, unit, rule and score; read one with its reasons and the freshness of its data; confirm,
 * which opens an assistance case with source `perception` on the perception special fund, held first by the
 * worker's own union (one case per lead, however often confirm is sent); dismiss, with a reason. Confirm and
 * dismiss lock the lead row, so the two cannot both win.
 */
export async function leadRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  const answer = (row: LeadRow) => leadView(row);

  async function visibleLead(leadId: string, staff: Staff): Promise<LeadRow> {
    const row = await findVisibleLead(db, leadId, staff.unitPath);
    if (!row) {
      throw leadNotFound();
    }
    return row;
  }

  app.get(
    '/leads',
    {
      config: { audit: 'read' },
      schema: { tags: ['perception'], summary: '感知线索（本辖区），按得分从高到低', querystring: LeadListQuery },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof LeadListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, REVIEWERS);
      const q = request.query;
      const unitPath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      const after = decodeCursor(q.cursor, ['number', 'uuid']) as [number, string] | null;
      const rows = await listLeads(db, {
        unitPath,
        status: q.status ?? 'open',
        group: q.group,
        ruleId: q.ruleId,
        minScore: q.minScore,
        after,
        limit: q.limit,
      });
      const now = Date.now();
      request.audit = {
        action: 'lead.list',
        targetType: 'perception_lead',
        details: { count: Math.min(rows.length, q.limit) },
      };
      return toPage(
        rows,
        q.limit,
        (row) => [row.score, row.id],
        (row) => leadView(row, now),
      );
    },
  );

  app.get(
    '/leads/:id',
    {
      config: { audit: 'read' },
      schema: { tags: ['perception'], summary: '感知线索详情：原因、数据日期、审核情况', params: IdParams },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, REVIEWERS);
      request.audit = { action: 'lead.read', targetType: 'perception_lead', targetId: request.params.id };
      return answer(await visibleLead(request.params.id, staff));
    },
  );

  app.post(
    '/leads/:id/confirm',
    {
      schema: {
        tags: ['perception'],
        summary: '确认线索：开立感知来源的帮扶工单，由职工所在工会办理',
        params: IdParams,
        body: Type.Optional(ConfirmBody),
        response: errorResponses,
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof ConfirmBody> }>) => {
      const staff = requireRole(request, REVIEWERS);
      const leadId = request.params.id;
      request.audit = { action: 'lead.confirm', targetType: 'perception_lead', targetId: leadId };
      const lead = await visibleLead(leadId, staff);
      if (lead.status === 'confirmed' && lead.case_id) {
        return { lead: answer(lead), caseId: lead.case_id };
      }
      if (lead.status !== 'open') {
        throw leadNotOpen(lead.status);
      }
      const reasons = lead.reasons;
      const category = request.body.category ?? categoryOf(reasons);
      const urgency = request.body.urgency ?? 'normal';
      const caseId = uuidFromKey('perception-lead', lead.id);

      await db.transaction().execute(async (trx) => {
        const locked = await sql<{ status: string }>`
          select status from perception_lead where id = ${lead.id}::uuid for update`.execute(trx);
        const status = locked.rows[0]?.status;
        if (status === 'confirmed') {
          return;
        }
        if (status !== 'open') {
          throw leadNotOpen(status ?? 'lapsed');
        }
        const worker = await trx
          .selectFrom('worker as w')
          .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
          .select(['w.id', 'w.unit_id', 'o.path'])
          .where('w.id', '=', lead.worker_id)
          .executeTakeFirstOrThrow();
        const workerUnit = { id: worker.unit_id, path: worker.path };
        const summary = `感知发现（${GROUP_LABELS[lead.hardship_group]}，得分 ${lead.score}）：${reasons
          .map((r) => r.reason)
          .join('；')}`.slice(0, 2000);
        const opening: CaseOpening = {
          caseId,
          workerId: worker.id,
          workerUnit,
          category,
          urgency,
          source: 'perception',
          fund: 'perception_special',
          summary,
          // The worker's own union holds the first step: it takes the case on or dispatches it further down.
          openedBy: { userId: staff.id, role: staff.role, unit: workerUnit },
          policyVersion: (await currentPolicy(db, category, urgency)).version,
        };
        // Known limit: should the commit below fail after the case opened, the lead stays open beside its case; a
        // repeated confirm finds the same case (its id comes from the lead), but a dismissal would leave it open.
        await startCase(deps, opening);
        await trx
          .updateTable('perception_lead')
          .set({
            status: 'confirmed',
            case_id: caseId,
            reviewed_by: staff.id,
            reviewed_at: sql`now()`,
            updated_at: sql`now()`,
          })
          .where('id', '=', lead.id)
          .execute();
      });
      request.audit.details = { caseId, category };
      return { lead: answer(await visibleLead(leadId, staff)), caseId };
    },
  );

  app.post(
    '/leads/:id/dismiss',
    {
      schema: {
        tags: ['perception'],
        summary: '排除线索（须填写理由）；此后一段时间内没有新数据不再提示',
        params: IdParams,
        body: DismissBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof DismissBody> }>) => {
      const staff = requireRole(request, REVIEWERS);
      const leadId = request.params.id;
      request.audit = { action: 'lead.dismiss', targetType: 'perception_lead', targetId: leadId };
      const lead = await visibleLead(leadId, staff);
      const updated = await db
        .updateTable('perception_lead')
        .set({
          status: 'dismissed',
          dismiss_reason: request.body.reason.trim(),
          reviewed_by: staff.id,
          reviewed_at: sql`now()`,
          updated_at: sql`now()`,
        })
        .where('id', '=', lead.id)
        .where('status', '=', 'open')
        .returning('id')
        .executeTakeFirst();
      if (!updated) {
        throw leadNotOpen((await visibleLead(leadId, staff)).status);
      }
      return answer(await visibleLead(leadId, staff));
    },
  );
}
