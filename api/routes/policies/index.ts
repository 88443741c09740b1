import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type Selectable } from 'kysely';
import { DEFAULT_LIMITS, DEFAULT_MAX_SUSPENSION, currentPolicy } from '../../../activities/time-limits.js';
import type { HolidayCalendarTable, StepLimits } from '../../../db/tables/policy.table.js';
import { calendarRolloutWorkflow } from '../../../workflows/calendar-rollout/calendar-rollout.workflow.js';
import {
  CALENDAR_KINDS,
  CATEGORIES,
  TIMED_STEPS,
  URGENCIES,
  type Category,
  type Urgency,
} from '../../../workflows/shared/case-vocabulary.js';
import { parseDuration } from '../../../workflows/shared/duration.js';
import { calendarRolloutWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, forbidden, invalid, type FieldProblem } from '../../errors.js';
import { staffOf } from '../../plugins/auth.js';
import { errorResponses, strictObject } from '../../schemas.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const CalendarBody = strictObject({
  holidays: Type.Array(DateString, { maxItems: 366, uniqueItems: true }),
  workdays: Type.Array(DateString, { maxItems: 366, uniqueItems: true }),
});
const YearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });

const StepLimit = strictObject({
  duration: Type.String({ minLength: 2, maxLength: 30 }),
  calendar: Type.Union(CALENDAR_KINDS.map((k) => Type.Literal(k))),
});
const TimeLimitsBody = strictObject({
  limits: strictObject(Object.fromEntries(TIMED_STEPS.map((step) => [step, Type.Optional(StepLimit)]))),
  maxSuspension: Type.Optional(Type.String({ minLength: 2, maxLength: 30 })),
});
const PolicyParams = Type.Object({
  category: Type.Union(CATEGORIES.map((c) => Type.Literal(c))),
  urgency: Type.Union(URGENCIES.map((u) => Type.Literal(u))),
});

/** Calendar and time-limit policy are set city-wide, by the city federation's admins. */
function requireCityAdmin(staff: Staff): void {
  if (staff.role !== 'admin' || staff.unitLevel !== 'city') {
    throw forbidden('ROLE_NOT_ALLOWED', '只有市总工会管理员可以修改此项设置');
  }
}

const calendarView = (row: Selectable<HolidayCalendarTable>) => ({
  year: row.year,
  defined: true,
  holidays: [...row.holidays].sort(),
  workdays: [...row.workdays].sort(),
  revision: row.revision,
  updatedAt: toShanghaiIso(row.updated_at),
});

function isValidDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/**
 * The holiday calendar (public holidays and make-up working days per year) and the time limits of each step per
 * category and urgency. A calendar change moves the deadlines of running working-day steps; a time-limit change
 * applies to cases opened afterwards (each case keeps the policy version it was opened under).
 */
export async function policyRoutes(app: FastifyInstance, { db, temporal }: AppDeps) {
  app.get(
    '/calendar/:year',
    { schema: { tags: ['policies'], summary: '年度节假日与调休上班日', params: YearParams } },
    async (request: FastifyRequest<{ Params: { year: number } }>) => {
      staffOf(request);
      const row = await db
        .selectFrom('holiday_calendar')
        .selectAll()
        .where('year', '=', request.params.year)
        .executeTakeFirst();
      if (!row) {
        return {
          year: request.params.year,
          defined: false,
          holidays: [],
          workdays: [],
          note: '该年度尚未设置节假日安排，工作日时限仅排除周末计算',
        };
      }
      return calendarView(row);
    },
  );

  app.put(
    '/calendar/:year',
    {
      schema: {
        tags: ['policies'],
        summary: '设置年度节假日安排（市总管理员）；进行中的工作日时限随之调整',
        params: YearParams,
        body: CalendarBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { year: number }; Body: Static<typeof CalendarBody> }>) => {
      const staff = staffOf(request);
      requireCityAdmin(staff);
      const { year } = request.params;
      const problems: FieldProblem[] = [];
      const check = (field: 'holidays' | 'workdays', dates: string[]) =>
        dates.forEach((date, i) => {
          if (!isValidDate(date) || !date.startsWith(`${year}-`)) {
            problems.push({ field: `${field}.${i}`, reason: `${date} 不是 ${year} 年的有效日期` });
          }
        });
      check('holidays', request.body.holidays);
      check('workdays', request.body.workdays);
      request.body.workdays.forEach((date, i) => {
        const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
        if (isValidDate(date) && weekday !== 0 && weekday !== 6) {
          problems.push({ field: `workdays.${i}`, reason: `${date} 不是周末，无需设为调休上班日` });
        }
        if (request.body.holidays.includes(date)) {
          problems.push({ field: `workdays.${i}`, reason: `${date} 不能同时是节假日和上班日` });
        }
      });
      if (problems.length > 0) {
        throw new ApiError(422, 'CALENDAR_INVALID', `节假日安排有误：${problems[0]!.reason}`, problems);
      }
      const row = await db
        .insertInto('holiday_calendar')
        .values({ year, holidays: request.body.holidays, workdays: request.body.workdays, updated_by: staff.id })
        .onConflict((oc) =>
          oc.column('year').doUpdateSet({
            holidays: request.body.holidays,
            workdays: request.body.workdays,
            revision: sql`holiday_calendar.revision + 1`,
            updated_by: staff.id,
            updated_at: sql`now()`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      await temporal.client.workflow.start(calendarRolloutWorkflow, {
        workflowId: calendarRolloutWorkflowId(year, String(row.revision)),
        taskQueue: temporal.taskQueue,
        args: [{ year, revision: String(row.revision) }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      request.audit = { action: 'calendar.update', targetType: 'calendar', targetId: String(year) };
      return calendarView(row);
    },
  );

  app.get(
    '/policies/time-limits',
    { schema: { tags: ['policies'], summary: '各类别与紧急程度的步骤时限' } },
    async (request) => {
      staffOf(request);
      const items = [];
      for (const category of CATEGORIES) {
        for (const urgency of URGENCIES) {
          const policy = await currentPolicy(db, category, urgency);
          items.push({
            category,
            urgency,
            version: policy.version,
            limits: policy.limits,
            maxSuspension: policy.maxSuspension,
          });
        }
      }
      return { items };
    },
  );

  app.put(
    '/policies/time-limits/:category/:urgency',
    {
      schema: {
        tags: ['policies'],
        summary: '修改步骤时限（市总管理员）；仅对此后开立的工单生效',
        params: PolicyParams,
        body: TimeLimitsBody,
        response: errorResponses,
      },
    },
    async (
      request: FastifyRequest<{
        Params: { category: Category; urgency: Urgency };
        Body: Static<typeof TimeLimitsBody>;
      }>,
    ) => {
      const staff = staffOf(request);
      requireCityAdmin(staff);
      const { category, urgency } = request.params;
      const current = await currentPolicy(db, category, urgency);
      const limits: StepLimits = { ...DEFAULT_LIMITS[urgency], ...current.limits };
      for (const [step, limit] of Object.entries(request.body.limits)) {
        if (!limit) {
          continue;
        }
        if (parseDuration(limit.duration) === null) {
          throw invalid(
            `limits.${step}.duration`,
            'ISO-8601 时长，如 P3D、PT4H、PT30S；不接受年、月',
            'DURATION_INVALID',
          );
        }
        limits[step] = limit;
      }
      const maxSuspension = request.body.maxSuspension ?? current.maxSuspension ?? DEFAULT_MAX_SUSPENSION;
      if (parseDuration(maxSuspension) === null) {
        throw invalid('maxSuspension', 'ISO-8601 时长，如 P30D', 'DURATION_INVALID');
      }
      const inserted = await db
        .insertInto('time_limit_policy')
        .values({
          category,
          urgency,
          version: current.version + 1,
          limits: JSON.stringify(limits),
          max_suspension: maxSuspension,
          created_by: staff.id,
        })
        .onConflict((oc) => oc.columns(['category', 'urgency', 'version']).doNothing())
        .returning(['version'])
        .executeTakeFirst();
      if (!inserted) {
        throw conflict('POLICY_CHANGED_CONCURRENTLY', '时限政策刚被他人修改，请刷新后重试');
      }
      request.audit = { action: 'policy.time_limits.update', targetType: 'policy', targetId: `${category}/${urgency}` };
      return { category, urgency, version: inserted.version, limits, maxSuspension };
    },
  );
}
