import type { Db } from '../db/database.js';
import type { StepLimits } from '../db/tables/policy.table.js';
import type { StepClock } from '../workflows/case-lifecycle/case-lifecycle.state.js';
import type { CalendarKind, TimedStep } from '../workflows/shared/case-vocabulary.js';
import { parseDuration } from '../workflows/shared/duration.js';
import { selfAndAncestorIds } from '../workflows/shared/org-path.js';
import { deadlineAfter, type HolidayCalendar, type Interval } from '../workflows/shared/working-time.js';

/**
 * Time limits in force when no policy has been saved for a category and urgency (policy version 0).
 * Working-day limits for ordinary cases; urgent cases run on the natural clock, counted in hours.
 */
export const DEFAULT_LIMITS: Record<'normal' | 'urgent', StepLimits> = {
  normal: {
    dispatch: { duration: 'P1D', calendar: 'working' },
    accept: { duration: 'P1D', calendar: 'working' },
    verify: { duration: 'P5D', calendar: 'working' },
    plan: { duration: 'P3D', calendar: 'working' },
    approve: { duration: 'P3D', calendar: 'working' },
    deliver: { duration: 'P5D', calendar: 'working' },
    report: { duration: 'P2D', calendar: 'working' },
    review: { duration: 'P3D', calendar: 'working' },
  },
  urgent: {
    dispatch: { duration: 'PT4H', calendar: 'natural' },
    accept: { duration: 'PT4H', calendar: 'natural' },
    verify: { duration: 'P1D', calendar: 'natural' },
    plan: { duration: 'P1D', calendar: 'natural' },
    approve: { duration: 'P1D', calendar: 'natural' },
    deliver: { duration: 'P2D', calendar: 'natural' },
    report: { duration: 'P1D', calendar: 'natural' },
    review: { duration: 'P2D', calendar: 'natural' },
  },
};

export const DEFAULT_MAX_SUSPENSION = 'P30D';

export interface PolicyVersion {
  version: number;
  limits: StepLimits;
  maxSuspension: string;
}

/** The newest saved policy for a category and urgency, or the built-in defaults as version 0. */
export async function currentPolicy(db: Db, category: string, urgency: string): Promise<PolicyVersion> {
  const row = await db
    .selectFrom('time_limit_policy')
    .select(['version', 'limits', 'max_suspension'])
    .where('category', '=', category)
    .where('urgency', '=', urgency)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? { version: row.version, limits: row.limits, maxSuspension: row.max_suspension }
    : { version: 0, limits: DEFAULT_LIMITS[urgency as 'normal' | 'urgent'], maxSuspension: DEFAULT_MAX_SUSPENSION };
}

export async function policyAt(db: Db, category: string, urgency: string, version: number): Promise<PolicyVersion> {
  if (version === 0) {
    return {
      version: 0,
      limits: DEFAULT_LIMITS[urgency as 'normal' | 'urgent'],
      maxSuspension: DEFAULT_MAX_SUSPENSION,
    };
  }
  const row = await db
    .selectFrom('time_limit_policy')
    .select(['version', 'limits', 'max_suspension'])
    .where('category', '=', category)
    .where('urgency', '=', urgency)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  return { version: row.version, limits: row.limits, maxSuspension: row.max_suspension };
}

/** Every saved holiday calendar merged into one set of dates (a handful of rows: one per year). */
export async function loadHolidayCalendar(db: Db): Promise<HolidayCalendar> {
  const rows = await db.selectFrom('holiday_calendar').select(['holidays', 'workdays']).execute();
  return {
    holidays: new Set(rows.flatMap((row) => row.holidays)),
    workdays: new Set(rows.flatMap((row) => row.workdays)),
  };
}

export interface ClockPlan {
  stepSeq: number;
  step: TimedStep;
  holderPath: string;
  startedAt: number;
  duration: string;
  calendar: CalendarKind;
  maxSuspension: string;
  pauses: Interval[];
  reminded?: boolean;
  escalatedLevel?: number;
}

/**
 * Works out a step's deadline, its 75% reminder and the escalation ladder: the holder's parent at the deadline,
 * then one level further up after each further full limit, up to the city (the city escalates to itself).
 */
export function planClock(plan: ClockPlan, calendar: HolidayCalendar): StepClock {
  const limitMs = parseDuration(plan.duration);
  if (limitMs === null) {
    throw new Error(`Stored duration "${plan.duration}" is not valid`);
  }
  const at = (ms: number) => deadlineAfter(plan.startedAt, ms, plan.calendar, calendar, plan.pauses);
  const ancestors = selfAndAncestorIds(plan.holderPath);
  const targets = ancestors.length > 1 ? ancestors.slice(1) : ancestors;
  return {
    stepSeq: plan.stepSeq,
    step: plan.step,
    startedAt: plan.startedAt,
    duration: plan.duration,
    calendar: plan.calendar,
    maxSuspension: plan.maxSuspension,
    pauses: plan.pauses,
    dueAt: at(limitMs),
    remindAt: at(Math.round(limitMs * 0.75)),
    escalations: targets.map((unitId, i) => ({ level: i + 1, unitId, at: at(limitMs * (i + 1)) })),
    reminded: plan.reminded ?? false,
    escalatedLevel: plan.escalatedLevel ?? 0,
  };
}
