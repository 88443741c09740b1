/** The words of an assistance case, shared by workflows, activities and the API. Pure data. */

export const CATEGORIES = ['living', 'medical', 'education', 'employment', 'emergency', 'legal'] as const;
export type Category = (typeof CATEGORIES)[number];

export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const SOURCES = ['staff', 'self_application', 'perception', 'referral'] as const;
export type Source = (typeof SOURCES)[number];

/** The funds a case can be paid from: the warmth fund, and the special fund for cases found by perception. */
export const FUNDS = ['warmth', 'perception_special'] as const;
export type Fund = (typeof FUNDS)[number];

export const STATUSES = ['open', 'closed', 'withdrawn', 'not_eligible'] as const;
export type CaseStatus = (typeof STATUSES)[number];

/** Steps that carry a time limit, in the order a case normally moves through them. */
export const TIMED_STEPS = ['dispatch', 'accept', 'verify', 'plan', 'approve', 'deliver', 'report', 'review'] as const;
export type TimedStep = (typeof TIMED_STEPS)[number];
export const STEPS = [...TIMED_STEPS, 'done'] as const;
export type Step = (typeof STEPS)[number];

export const ACTIONS = [
  'dispatch',
  'accept',
  'return',
  'verify',
  'plan',
  'approve',
  'reject',
  'deliver',
  'report',
  'close',
  'withdraw',
  'resume',
] as const;
export type CaseAction = (typeof ACTIONS)[number];

export const STAFF_ROLES = ['admin', 'supervisor', 'caseworker', 'trainer', 'employment_officer', 'inspector'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Roles that handle assistance cases; the others (training, stations) only read what their work needs. */
export const CASE_ROLES: readonly StaffRole[] = ['admin', 'supervisor', 'caseworker'];

export const DELIVERY_METHODS = ['bank_transfer', 'cash', 'goods'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

export const CALENDAR_KINDS = ['working', 'natural'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

export const UNIT_LEVELS = ['city', 'district', 'township', 'grassroots'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const STEP_LABELS: Record<Step, string> = {
  dispatch: '派单',
  accept: '受理',
  verify: '入户核实',
  plan: '制定帮扶方案',
  approve: '审批',
  deliver: '发放帮扶',
  report: '反馈结果',
  review: '审核结案',
  done: '已办结',
};

export const ACTION_LABELS: Record<CaseAction, string> = {
  dispatch: '派单',
  accept: '受理',
  return: '退回',
  verify: '核实',
  plan: '提交方案',
  approve: '审批通过',
  reject: '驳回',
  deliver: '登记发放',
  report: '反馈结果',
  close: '结案',
  withdraw: '撤销',
  resume: '恢复计时',
};

export const STATUS_LABELS: Record<CaseStatus, string> = {
  open: '办理中',
  closed: '已结案',
  withdrawn: '已撤销',
  not_eligible: '核实不符合条件',
};

export const CATEGORY_LABELS: Record<Category, string> = {
  living: '生活救助',
  medical: '医疗救助',
  education: '助学',
  employment: '就业帮扶',
  emergency: '应急救助',
  legal: '法律援助',
};
