import type { StaffRole } from './case-vocabulary.js';

/** The words of rest stations (越工驿站) and their inspections, shared by workflows, activities and the API. */

/** `24h` stations are open around the clock; benchmark (标杆型) stations are the programme's show pieces. */
export const STATION_TYPES = ['standard', 'benchmark', '24h'] as const;
export type StationType = (typeof STATION_TYPES)[number];

export const STATION_STATUSES = ['planned', 'building', 'open', 'suspended', 'closed'] as const;
export type StationStatus = (typeof STATION_STATUSES)[number];

/**
 * Statuses a station may move to from each status; `closed` is final.
 * Known limit: a station suspended after failing a re-inspection can be reopened by a status change alone; no
 * passed inspection is required first.
 */
export const STATION_STATUS_MOVES: Record<StationStatus, readonly StationStatus[]> = {
  planned: ['building', 'closed'],
  building: ['open', 'closed'],
  open: ['suspended', 'closed'],
  suspended: ['open', 'closed'],
  closed: [],
};

/** Statuses in which a station appears in the public lookup: serving, or serving again soon (shown as such). */
export const PUBLIC_STATUSES: readonly StationStatus[] = ['open', 'suspended'];

export const STATION_SERVICES = [
  'water',
  'hot_water',
  'microwave',
  'charging',
  'toilet',
  'rest_seats',
  'first_aid',
  'air_conditioning',
  'wifi',
  'umbrella',
  'repair_tools',
] as const;
export type StationService = (typeof STATION_SERVICES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const STATION_TYPE_LABELS: Record<StationType, string> = {
  standard: '标准型',
  benchmark: '标杆型',
  '24h': '24小时',
};

export const STATION_STATUS_LABELS: Record<StationStatus, string> = {
  planned: '规划中',
  building: '建设中',
  open: '服务中',
  suspended: '暂停服务',
  closed: '已关闭',
};

export const SERVICE_LABELS: Record<StationService, string> = {
  water: '饮用水',
  hot_water: '热水',
  microwave: '微波炉',
  charging: '手机充电',
  toilet: '卫生间',
  rest_seats: '休息座椅',
  first_aid: '急救药箱',
  air_conditioning: '空调',
  wifi: '无线网络',
  umbrella: '爱心雨伞',
  repair_tools: '维修工具',
};

/**
 * Staff who run stations: they register them (admins and supervisors), keep services and hours up to date and
 * report rectifications. Inspectors score inspections; they read stations but do not edit them.
 */
export const STATION_STAFF_ROLES: readonly StaffRole[] = ['admin', 'supervisor', 'caseworker'];
/** Roles that may register a station or change its status. */
export const STATION_MANAGER_ROLES: readonly StaffRole[] = ['admin', 'supervisor'];
export const STATION_READ_ROLES: readonly StaffRole[] = ['admin', 'supervisor', 'caseworker', 'inspector'];

/** Steps of an inspection: the inspector scores, the station rectifies, the inspector re-inspects. */
export const INSPECTION_STEPS = ['inspect', 'rectify', 'reinspect', 'done'] as const;
export type InspectionStep = (typeof INSPECTION_STEPS)[number];
export type TimedInspectionStep = Exclude<InspectionStep, 'done'>;
export const TIMED_INSPECTION_STEPS: readonly TimedInspectionStep[] = ['inspect', 'rectify', 'reinspect'];

export const INSPECTION_ACTIONS = ['submit', 'rectify', 'reinspect'] as const;
export type InspectionAction = (typeof INSPECTION_ACTIONS)[number];

export const INSPECTION_STATUSES = ['open', 'closed'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/**
 * How a closed inspection ended: `excellent` (passed with a commendation), `passed`, `rectified` (failed, then
 * passed the re-inspection) or `failed` (failed twice: the station is suspended).
 */
export const INSPECTION_OUTCOMES = ['excellent', 'passed', 'rectified', 'failed'] as const;
export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number];

/** `scheduled` inspections come from a round (a Temporal Schedule); `spot` ones are ordered by staff. */
export const INSPECTION_KINDS = ['scheduled', 'spot'] as const;
export type InspectionKind = (typeof INSPECTION_KINDS)[number];

export const INSPECTION_STEP_LABELS: Record<InspectionStep, string> = {
  inspect: '检查评分',
  rectify: '整改',
  reinspect: '复查',
  done: '已完成',
};

export const INSPECTION_ACTION_LABELS: Record<InspectionAction, string> = {
  submit: '提交检查评分',
  rectify: '报告整改情况',
  reinspect: '提交复查评分',
};

export const INSPECTION_OUTCOME_LABELS: Record<InspectionOutcome, string> = {
  excellent: '优秀（予以表彰）',
  passed: '合格',
  rectified: '整改后合格',
  failed: '复查仍不合格（暂停服务）',
};

/** Calendar rhythms of inspection rounds; each names the period an inspection belongs to (`2026-12`, `2026Q4`). */
export const CALENDAR_RHYTHMS = ['monthly', 'quarterly', 'half_yearly', 'yearly'] as const;
export type CalendarRhythm = (typeof CALENDAR_RHYTHMS)[number];

/**
 * How often a round inspects the stations of a type. A calendar rhythm in production; an ISO-8601 interval
 * (`{ every: 'PT5S' }`) for tests and demos, whose periods are the interval's buckets.
 */
export type InspectionRhythm = CalendarRhythm | { every: string };

/** Built-in rhythms: benchmark and 24-hour stations monthly, standard stations quarterly. */
export const DEFAULT_INSPECTION_RHYTHMS: Record<StationType, CalendarRhythm> = {
  standard: 'quarterly',
  benchmark: 'monthly',
  '24h': 'monthly',
};
