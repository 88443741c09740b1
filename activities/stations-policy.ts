import type { Db } from '../db/database.js';
import type { ChecklistEntry, InspectionLimits } from '../db/tables/station.table.js';
import type { InspectionClock } from '../workflows/station-inspection/station-inspection.state.js';
import type { CalendarKind } from '../workflows/shared/case-vocabulary.js';
import { parseDuration } from '../workflows/shared/duration.js';
import { selfAndAncestorIds } from '../workflows/shared/org-path.js';
import type { StationType, TimedInspectionStep } from '../workflows/shared/station-vocabulary.js';
import { deadlineAfter, type HolidayCalendar } from '../workflows/shared/working-time.js';

/**
 * The inspection checklist in force when no policy has been saved for a station type: nine items, 100 points in
 * all, drawn from what a rest station promises outdoor workers.
 */
export const DEFAULT_CHECKLIST: readonly ChecklistEntry[] = [
  { id: 'signage', label: '标识标牌规范醒目，服务时间与内容公示', maxScore: 10 },
  { id: 'hygiene', label: '环境卫生整洁，无异味', maxScore: 15 },
  { id: 'water', label: '饮用水与热水供应正常', maxScore: 15 },
  { id: 'appliances', label: '微波炉、充电设备等完好可用', maxScore: 10 },
  { id: 'toilet', label: '卫生间可用且清洁（或有指引）', maxScore: 10 },
  { id: 'rest', label: '休息座椅充足、完好', maxScore: 10 },
  { id: 'first_aid', label: '急救药箱齐全，药品在有效期内', maxScore: 10 },
  { id: 'opening', label: '按公示时间开放，有人值守或可自助', maxScore: 10 },
  { id: 'records', label: '服务台账、访客登记与活动记录完整', maxScore: 10 },
];

/** Time limits of the three timed steps when none are saved: counted on working days. */
export const DEFAULT_INSPECTION_LIMITS: InspectionLimits = {
  inspect: { duration: 'P10D', calendar: 'working' },
  rectify: { duration: 'P15D', calendar: 'working' },
  reinspect: { duration: 'P5D', calendar: 'working' },
};

export const DEFAULT_PASS_MARK = 60;
export const DEFAULT_EXCELLENT_MARK = 90;

export interface InspectionPolicy {
  stationType: StationType;
  /** 0 for the built-in default. */
  version: number;
  limits: InspectionLimits;
  passMark: number;
  excellentMark: number;
  checklist: ChecklistEntry[];
}

export const defaultInspectionPolicy = (stationType: StationType): InspectionPolicy => ({
  stationType,
  version: 0,
  limits: structuredClone(DEFAULT_INSPECTION_LIMITS),
  passMark: DEFAULT_PASS_MARK,
  excellentMark: DEFAULT_EXCELLENT_MARK,
  checklist: DEFAULT_CHECKLIST.map((item) => ({ ...item })),
});

const policyColumns = ['station_type', 'version', 'limits', 'pass_mark', 'excellent_mark', 'checklist'] as const;

function fromRow(row: {
  station_type: StationType;
  version: number;
  limits: InspectionLimits;
  pass_mark: number;
  excellent_mark: number;
  checklist: ChecklistEntry[];
}): InspectionPolicy {
  return {
    stationType: row.station_type,
    version: row.version,
    limits: row.limits,
    passMark: row.pass_mark,
    excellentMark: row.excellent_mark,
    checklist: row.checklist,
  };
}

/** The newest saved policy of a station type, or the built-in default as version 0. */
export async function currentInspectionPolicy(db: Db, stationType: StationType): Promise<InspectionPolicy> {
  const row = await db
    .selectFrom('inspection_policy')
    .select(policyColumns)
    .where('station_type', '=', stationType)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? fromRow(row) : defaultInspectionPolicy(stationType);
}

export async function inspectionPolicyAt(db: Db, stationType: StationType, version: number): Promise<InspectionPolicy> {
  if (version === 0) {
    return defaultInspectionPolicy(stationType);
  }
  const row = await db
    .selectFrom('inspection_policy')
    .select(policyColumns)
    .where('station_type', '=', stationType)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

export interface InspectionClockPlan {
  stepSeq: number;
  step: TimedInspectionStep;
  startedAt: number;
  duration: string;
  calendar: CalendarKind;
  /** Path of the station's owning unit: the first to be told when the step is late. */
  ownerPath: string;
  escalatedLevel?: number;
}

/**
 * A step's deadline and its escalation ladder: the owning unit's supervisors at the deadline, then one level
 * further up after each further full limit, up to the city.
 */
export function planInspectionClock(plan: InspectionClockPlan, calendar: HolidayCalendar): InspectionClock {
  const limitMs = parseDuration(plan.duration);
  if (limitMs === null) {
    throw new Error(`Stored duration "${plan.duration}" is not valid`);
  }
  const at = (ms: number) => deadlineAfter(plan.startedAt, ms, plan.calendar, calendar);
  return {
    stepSeq: plan.stepSeq,
    step: plan.step,
    startedAt: plan.startedAt,
    duration: plan.duration,
    calendar: plan.calendar,
    dueAt: at(limitMs),
    escalations: selfAndAncestorIds(plan.ownerPath).map((unitId, i) => ({
      level: i + 1,
      unitId,
      at: at(limitMs * (i + 1)),
    })),
    escalatedLevel: plan.escalatedLevel ?? 0,
  };
}
