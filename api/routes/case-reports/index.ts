import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { openCaseCounts } from '../../../db/repositories/case.repository.js';
import { CASE_ROLES, TIMED_STEPS, type TimedStep } from '../../../workflows/shared/case-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { requireRole } from '../../plugins/auth.js';
import { Uuid } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import { toShanghaiIso } from '../../time.js';

interface Counts {
  open: number;
  overdue: number;
  escalated: number;
  suspended: number;
}

const zero = (): Counts => ({ open: 0, overdue: 0, escalated: 0, suspended: 0 });
const byStepZero = () => Object.fromEntries(TIMED_STEPS.map((step) => [step, 0])) as Record<TimedStep, number>;

function add(into: Counts, row: Counts): void {
  into.open += row.open;
  into.overdue += row.overdue;
  into.escalated += row.escalated;
  into.suspended += row.suspended;
}

/**
 * `GET /reports/cases`: the open cases of the caller's subtree (or of `unitId` in it) as the overdue board draws
 * them. `byStep` counts open and late cases per step; `units` has one entry for the scope unit itself (cases it
 * holds) and one per unit directly below it (cases held anywhere in that unit's subtree), each with its open,
 * late, escalated and suspended counts and its open cases per step, so a supervisor can drill down one level at a
 * time. Late means past the current deadline now, as on `GET /supervision/overdue`. Case workers, supervisors
 * and admins only; a unit outside the caller's subtree answers 404.
 */
export async function caseReportRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get(
    '/reports/cases',
    {
      schema: {
        tags: ['cases'],
        summary: '工单统计：按步骤、按下级单位的在办、超时、督办数（本辖区）',
        querystring: Type.Object({ unitId: Type.Optional(Uuid) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { unitId?: string } }>) => {
      const staff = requireRole(request, CASE_ROLES);
      const scope = await unitInScope(db, staff, request.query.unitId ?? staff.unitId);
      const [rows, children] = await Promise.all([
        openCaseCounts(db, scope),
        db.selectFrom('org_unit').select(['id']).where('parent_id', '=', scope.id).orderBy('path').execute(),
      ]);

      const units = new Map(
        [scope.id, ...children.map((c) => c.id)].map((id) => [id, { ...zero(), byStep: byStepZero() }]),
      );
      const steps = new Map(TIMED_STEPS.map((step) => [step, { step, open: 0, overdue: 0 }]));
      const totals = zero();
      for (const row of rows) {
        const unit = units.get(row.unit_id);
        const step = steps.get(row.step as TimedStep);
        if (!unit || !step) {
          continue;
        }
        add(unit, row);
        add(totals, row);
        unit.byStep[row.step as TimedStep] += row.open;
        step.open += row.open;
        step.overdue += row.overdue;
      }
      return {
        unitId: scope.id,
        asOf: toShanghaiIso(Date.now()),
        totals,
        byStep: [...steps.values()],
        units: [...units.entries()].map(([unitId, counts]) => ({ unitId, self: unitId === scope.id, ...counts })),
      };
    },
  );
}
