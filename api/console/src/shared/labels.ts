/**
 * Chinese words for the API's codes. Case steps, actions, statuses and categories come from the shared
 * vocabulary the API and workflows use, so a label never drifts from the server's meaning.
 */
export {
  ACTION_LABELS,
  CATEGORIES,
  CATEGORY_LABELS,
  STATUS_LABELS,
  STEPS,
  STEP_LABELS,
  TIMED_STEPS,
} from '../../../../workflows/shared/case-vocabulary.js';
export type { CaseAction, Category, Step, TimedStep } from '../../../../workflows/shared/case-vocabulary.js';

const label = (labels: Record<string, string>, code: string | null | undefined): string =>
  code ? (labels[code] ?? code) : '—';

export const ROLE_LABELS: Record<string, string> = {
  admin: '管理员',
  supervisor: '督办主管',
  caseworker: '经办人',
  trainer: '培训专员',
  employment_officer: '就业专员',
  inspector: '驿站巡查员',
};

export const LEVEL_LABELS: Record<string, string> = {
  city: '市总工会',
  district: '区县（市）总工会',
  township: '乡镇（街道）工会',
  grassroots: '基层工会',
};

export const URGENCY_LABELS: Record<string, string> = { normal: '一般', urgent: '紧急' };

export const SOURCE_LABELS: Record<string, string> = {
  staff: '工会受理',
  self_application: '职工自主申报',
  perception: '感知发现',
  referral: '部门转介',
};

export const HARDSHIP_LABELS: Record<string, string> = {
  none: '非困难职工',
  borderline: '临界困难职工',
  registered: '建档困难职工',
};

export const FUND_LABELS: Record<string, string> = { warmth: '送温暖资金', perception_special: '感知专项资金' };

export const DELIVERY_METHOD_LABELS: Record<string, string> = {
  bank_transfer: '银行转账',
  cash: '现金',
  goods: '实物',
};

export const NOTIFICATION_LABELS: Record<string, string> = {
  assigned: '新工单',
  reminder: '到期提醒',
  overdue: '超时督办',
  escalation: '升级督办',
  funding_blocked: '审批受阻',
};

export const roleLabel = (code: string | null | undefined) => label(ROLE_LABELS, code);
export const levelLabel = (code: string | null | undefined) => label(LEVEL_LABELS, code);
export const urgencyLabel = (code: string | null | undefined) => label(URGENCY_LABELS, code);
export const sourceLabel = (code: string | null | undefined) => label(SOURCE_LABELS, code);
export const hardshipLabel = (code: string | null | undefined) => label(HARDSHIP_LABELS, code);
export const fundLabel = (code: string | null | undefined) => label(FUND_LABELS, code);
export const methodLabel = (code: string | null | undefined) => label(DELIVERY_METHOD_LABELS, code);
export const notificationLabel = (code: string | null | undefined) => label(NOTIFICATION_LABELS, code);

/** Two-character step names for chart axes, where the full names would collide. */
export const STEP_SHORT_LABELS: Record<string, string> = {
  dispatch: '派单',
  accept: '受理',
  verify: '核实',
  plan: '方案',
  approve: '审批',
  deliver: '发放',
  report: '反馈',
  review: '审核',
};
