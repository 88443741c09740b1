import type { CalendarKind, StaffRole } from './case-vocabulary.js';

/**
 * The words of the course-to-job pipeline (培训就业), shared by workflows, activities and the API. Pure data.
 *
 * A trainee's pipeline moves through these steps; `done` is the end, whatever the status says about how it ended.
 */
export const PIPELINE_STEPS = [
  'waitlist',
  'confirm',
  'attendance',
  'exam',
  'retake',
  'fair',
  'matching',
  'offer',
  'followup_1m',
  'followup_3m',
  'done',
] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

export const PIPELINE_STATUSES = [
  'open',
  'closed',
  'withdrawn',
  'declined',
  'expired',
  'not_admitted',
  'not_completed',
] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

/** Actions staff take on a pipeline through `POST /pipelines/:id/actions/:action`. */
export const PIPELINE_ACTIONS = [
  'confirm',
  'decline',
  'record-offer',
  'accept-offer',
  'decline-offer',
  'follow-up',
  'withdraw',
] as const;
export type PipelineAction = (typeof PIPELINE_ACTIONS)[number];

/** Exam results reach a pipeline through `POST /exams/:id/results`, not through the actions route. */
export type PipelineCommand = PipelineAction | 'exam-result';

/** Working hours an opening asks for and a trainee accepts. */
export const WORK_HOURS = ['full_time', 'part_time', 'shifts'] as const;
export type WorkHours = (typeof WORK_HOURS)[number];

/**
 * The time limits of a pipeline's waiting steps. Each course carries its own set (defaults below), so a test or a
 * short demo course can run them in seconds while a real course keeps days and months.
 */
export const TIME_LIMIT_NAMES = [
  'confirm',
  'courseEndGrace',
  'exam',
  'retake',
  'invitation',
  'placement',
  'offerAnswer',
  'followUp1',
  'followUp3',
  'followUpWithin',
] as const;
export type LimitName = (typeof TIME_LIMIT_NAMES)[number];

export interface TimeLimit {
  duration: string;
  calendar: CalendarKind;
}

export type PipelineLimits = Record<LimitName, TimeLimit>;

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  /** A trainee offered a seat confirms within three working days, or the seat goes to the waiting list. */
  confirm: { duration: 'P3D', calendar: 'working' },
  /** How long after the course's planned end its trainees may wait for the course to be closed. */
  courseEndGrace: { duration: 'P2D', calendar: 'natural' },
  exam: { duration: 'P30D', calendar: 'natural' },
  retake: { duration: 'P30D', calendar: 'natural' },
  /** From completing the course (and its exam) to the invitation to the course's hiring fair. */
  invitation: { duration: 'P10D', calendar: 'natural' },
  /** From the hiring fair (or an offer that fell through) to a placement: "no job 30 days after the fair". */
  placement: { duration: 'P30D', calendar: 'natural' },
  offerAnswer: { duration: 'P7D', calendar: 'natural' },
  followUp1: { duration: 'P30D', calendar: 'natural' },
  followUp3: { duration: 'P90D', calendar: 'natural' },
  /** How long staff have to record a follow-up once it is due. */
  followUpWithin: { duration: 'P7D', calendar: 'natural' },
};

/** How soon after a course ends its hiring fair is held, unless a course says otherwise. */
export const DEFAULT_FAIR_WITHIN = 'P7D';

/** Attendance share a trainee needs to complete a course, unless the course says otherwise. */
export const DEFAULT_REQUIRED_ATTENDANCE_PCT = 80;

/** Openings pushed to a trainee when the pipeline reaches matching. */
export const AUTO_PUSHED_OPENINGS = 5;

/** Whether an attendance record completes a course: attended / sessions >= required share, in whole numbers. */
export const attendanceMet = (attended: number, sessions: number, requiredPct: number): boolean =>
  sessions > 0 && attended * 100 >= requiredPct * sessions;

/** Who may do what in training: the roles that run courses, and those that run the job side. */
export const COURSE_ROLES: readonly StaffRole[] = ['admin', 'trainer'];
export const JOB_ROLES: readonly StaffRole[] = ['admin', 'employment_officer'];
export const ENROLMENT_ROLES: readonly StaffRole[] = ['admin', 'trainer', 'employment_officer'];
export const SURVEY_ROLES: readonly StaffRole[] = ['admin', 'caseworker', 'trainer', 'employment_officer'];
/** Roles that read training data: everyone who works on it, and supervisors. */
export const TRAINING_READ_ROLES: readonly StaffRole[] = [
  'admin',
  'supervisor',
  'caseworker',
  'trainer',
  'employment_officer',
];

/** Which roles may take each pipeline action. */
export const ACTION_ROLES: Record<PipelineCommand, readonly StaffRole[]> = {
  confirm: ENROLMENT_ROLES,
  decline: ENROLMENT_ROLES,
  withdraw: ENROLMENT_ROLES,
  'record-offer': JOB_ROLES,
  'accept-offer': JOB_ROLES,
  'decline-offer': JOB_ROLES,
  'follow-up': JOB_ROLES,
  'exam-result': COURSE_ROLES,
};

/**
 * The steps at which each command fits; `withdraw` fits at any step of an open pipeline. The state machine checks
 * actions against this table, and the console offers its buttons from it, so the two never disagree.
 */
export const PIPELINE_ACTION_STEPS: Record<Exclude<PipelineCommand, 'withdraw'>, readonly PipelineStep[]> = {
  confirm: ['confirm'],
  decline: ['confirm', 'waitlist'],
  'exam-result': ['exam', 'retake'],
  'record-offer': ['fair', 'matching'],
  'accept-offer': ['offer'],
  'decline-offer': ['offer'],
  'follow-up': ['followup_1m', 'followup_3m'],
};

export const PIPELINE_STEP_LABELS: Record<PipelineStep, string> = {
  waitlist: '候补名单',
  confirm: '待确认报名',
  attendance: '参加培训',
  exam: '待参加考试',
  retake: '待补考',
  fair: '待参加招聘会',
  matching: '求职对接',
  offer: '待答复录用',
  followup_1m: '上岗一个月回访',
  followup_3m: '上岗三个月回访',
  done: '已结束',
};

export const PIPELINE_STATUS_LABELS: Record<PipelineStatus, string> = {
  open: '进行中',
  closed: '已完成（稳定就业）',
  withdrawn: '已退出',
  declined: '放弃报名',
  expired: '逾期未确认报名',
  not_admitted: '候补未获名额',
  not_completed: '出勤不足未结业',
};

export const PIPELINE_ACTION_LABELS: Record<PipelineCommand, string> = {
  confirm: '确认报名',
  decline: '放弃报名',
  'record-offer': '登记录用意向',
  'accept-offer': '接受录用并上岗',
  'decline-offer': '拒绝录用',
  'follow-up': '登记回访结果',
  withdraw: '退出',
  'exam-result': '登记考试成绩',
};

export const WORK_HOURS_LABELS: Record<WorkHours, string> = {
  full_time: '全职',
  part_time: '兼职',
  shifts: '倒班',
};
