import { FEED_KINDS, type FeedKind } from '../../../db/tables/feed.table.js';
import type { HardshipStatus } from '../../../db/tables/worker.table.js';
import { CATEGORIES, CATEGORY_LABELS, type Category } from '../../../workflows/shared/case-vocabulary.js';
import type { FieldProblem } from '../../errors.js';

/**
 * Who qualifies for an assistance policy, as structured conditions, and a pure evaluator that answers for one
 * worker `true`, `false` or `'unknown'` with the reasons in Chinese. No I/O: the route gathers the worker's facts.
 *
 * All top-level conditions must hold; an `any` condition holds when one of its own conditions does. What the union
 * keeps itself (hardship status, age, gender, the worker's unit, their cases) is known for certain. Department data
 * (feeds) is only ever evidence for: a row that is there meets the condition, a row that is missing leaves it
 * unknown, because the department may not have sent it (yet).
 */

export const HARDSHIP_STATUSES = ['none', 'borderline', 'registered'] as const satisfies readonly HardshipStatus[];

export const HARDSHIP_LABELS: Record<HardshipStatus, string> = {
  none: '一般职工',
  borderline: '临界困难职工',
  registered: '建档困难职工',
};

/** Department data a condition may ask for: every feed kind except the help other departments gave. */
export type EvidenceKind = Exclude<FeedKind, 'department_help'>;

export const EVIDENCE_LABELS: Record<EvidenceKind, { label: string; department: string }> = {
  medical_expense: { label: '医疗费用', department: '医保局' },
  minimum_living_allowance: { label: '最低生活保障', department: '民政局' },
  unemployment_registration: { label: '失业登记', department: '人社局' },
  unpaid_wages: { label: '欠薪', department: '人社局' },
  disability_certificate: { label: '残疾证', department: '残联' },
  serious_illness: { label: '大病', department: '医保局' },
  housing_hardship: { label: '住房困难', department: '住建局' },
  child_tuition: { label: '子女学费', department: '教育局' },
  disaster_accident: { label: '灾害或意外', department: '应急管理局' },
  family_death: { label: '家庭成员亡故', department: '民政局' },
  low_income: { label: '低收入', department: '民政局' },
  work_injury: { label: '工伤', department: '人社局' },
};

const EVIDENCE_KINDS = FEED_KINDS.filter((kind): kind is EvidenceKind => kind !== 'department_help');
const CASE_STATUSES = ['open', 'closed', 'any'] as const;

export type LeafCondition =
  | { kind: 'hardship_status'; in: HardshipStatus[] }
  | { kind: 'age'; min?: number; max?: number }
  | { kind: 'gender'; is: 'female' | 'male' }
  /** A case of the category (any category when absent): `open` in progress, `closed` done, `any` either or ended. */
  | { kind: 'case'; category?: Category; status: (typeof CASE_STATUSES)[number] }
  /** A department row of this kind about the worker, within the last `withinDays` days when given. */
  | { kind: 'feed'; feedKind: EvidenceKind; withinDays?: number }
  /** Help another department gave the worker (from that department's feed). */
  | { kind: 'department_help'; department?: string; withinDays?: number }
  /** The worker's union lies in the subtree of one of these units (a district, a township...). */
  | { kind: 'within_unit'; unitIds: string[] };

export type PolicyCondition = LeafCondition | { kind: 'any'; of: LeafCondition[] };

export type Eligibility = true | false | 'unknown';

/** Everything the evaluator needs to know about one worker. Dates are Shanghai calendar dates `YYYY-MM-DD`. */
export interface WorkerFacts {
  today: string;
  hardshipStatus: HardshipStatus;
  birthDate: string;
  gender: 'female' | 'male';
  /** Materialised path of the worker's union, `/<city>/<district>/.../`. */
  unitPath: string;
  cases: readonly { category: string; status: string }[];
  feeds: readonly { kind: string; occurredOn: string; department: string }[];
}

export interface ConditionCheck {
  kind: PolicyCondition['kind'];
  met: Eligibility;
  reason: string;
}

export interface PolicyEligibility {
  eligible: Eligibility;
  /** Reasons in Chinese: unmet conditions first, then unknown ones, then those met. */
  reasons: string[];
  checks: ConditionCheck[];
}

export const eligibilityLabel = (eligible: Eligibility): string =>
  eligible === true ? '符合条件' : eligible === false ? '暂不符合' : '可能符合，需进一步核实';

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** Full years of age on `today`, from two `YYYY-MM-DD` dates. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** The date `days` days before `today`, `YYYY-MM-DD`. */
function daysBefore(today: string, days: number): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

const chineseDate = (date: string): string => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

const period = (withinDays: number | undefined) => (withinDays ? `近 ${withinDays} 天内` : '');

const joinLabels = (labels: readonly string[]) => labels.join('、');

function ageRequirement(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) {
    return `年龄在 ${min} 至 ${max} 周岁之间`;
  }
  return min !== undefined ? `年满 ${min} 周岁` : `不超过 ${max} 周岁`;
}

const CASE_STATUS_WORDS = { open: '正在办理的', closed: '已办结的', any: '' } as const;

function checkLeaf(condition: LeafCondition, facts: WorkerFacts, unitNames: Readonly<Record<string, string>>) {
  const outcome = (met: Eligibility, reason: string): ConditionCheck => ({ kind: condition.kind, met, reason });
  switch (condition.kind) {
    case 'hardship_status': {
      const wanted = joinLabels(condition.in.map((status) => HARDSHIP_LABELS[status]));
      const own = HARDSHIP_LABELS[facts.hardshipStatus];
      return condition.in.includes(facts.hardshipStatus)
        ? outcome(true, `您是${own}，属于本政策面向的${wanted}`)
        : outcome(false, `本政策面向${wanted}，您目前登记为${own}`);
    }
    case 'age': {
      const age = ageOn(facts.birthDate, facts.today);
      const requirement = ageRequirement(condition.min, condition.max);
      const fits =
        (condition.min === undefined || age >= condition.min) && (condition.max === undefined || age <= condition.max);
      return fits
        ? outcome(true, `您今年 ${age} 周岁，符合“${requirement}”的要求`)
        : outcome(false, `本政策要求${requirement}，您今年 ${age} 周岁`);
    }
    case 'gender': {
      const wanted = condition.is === 'female' ? '女职工' : '男职工';
      return facts.gender === condition.is
        ? outcome(true, `本政策面向${wanted}`)
        : outcome(false, `本政策仅面向${wanted}`);
    }
    case 'case': {
      const what = `${CASE_STATUS_WORDS[condition.status]}${condition.category ? `${CATEGORY_LABELS[condition.category]}` : '帮扶'}工单`;
      const found = facts.cases.some(
        (c) =>
          (condition.category === undefined || c.category === condition.category) &&
          (condition.status === 'any' || c.status === condition.status),
      );
      return found ? outcome(true, `您有${what}`) : outcome(false, `本政策适用于有${what}的职工，未查到您的相关工单`);
    }
    case 'feed': {
      const { label, department } = EVIDENCE_LABELS[condition.feedKind];
      const since = condition.withinDays ? daysBefore(facts.today, condition.withinDays) : null;
      const rows = facts.feeds
        .filter((row) => row.kind === condition.feedKind && (since === null || row.occurredOn >= since))
        .sort((a, b) => b.occurredOn.localeCompare(a.occurredOn));
      const latest = rows[0];
      return latest
        ? outcome(true, `已收到${latest.department}的${label}信息（${chineseDate(latest.occurredOn)}）`)
        : outcome(
            'unknown',
            `暂未收到${department}${period(condition.withinDays)}的${label}信息；如您有相关情况，可向所在工会提供证明材料`,
          );
    }
    case 'department_help': {
      const since = condition.withinDays ? daysBefore(facts.today, condition.withinDays) : null;
      const from = condition.department ?? '其他部门';
      const help = facts.feeds.find(
        (row) =>
          row.kind === 'department_help' &&
          (condition.department === undefined || row.department === condition.department) &&
          (since === null || row.occurredOn >= since),
      );
      return help
        ? outcome(true, `您${period(condition.withinDays)}获得过${help.department}的帮扶`)
        : outcome('unknown', `暂未收到${from}${period(condition.withinDays)}给予您帮扶的记录`);
    }
    case 'within_unit': {
      const names = joinLabels(condition.unitIds.map((id) => unitNames[id] ?? '指定单位'));
      const inside = condition.unitIds.find((id) => facts.unitPath.includes(`/${id}/`));
      return inside
        ? outcome(true, `您所在的工会属于${unitNames[inside] ?? '指定单位'}`)
        : outcome(false, `本政策仅适用于${names}所辖工会的职工`);
    }
  }
}

function checkCondition(
  condition: PolicyCondition,
  facts: WorkerFacts,
  unitNames: Readonly<Record<string, string>>,
): ConditionCheck {
  if (condition.kind !== 'any') {
    return checkLeaf(condition, facts, unitNames);
  }
  const inner = condition.of.map((leaf) => checkLeaf(leaf, facts, unitNames));
  const met = inner.find((check) => check.met === true);
  if (met) {
    return { kind: 'any', met: true, reason: met.reason };
  }
  const unknown = inner.some((check) => check.met === 'unknown');
  return {
    kind: 'any',
    met: unknown ? 'unknown' : false,
    reason: `满足以下任一条件即可：${inner.map((check) => check.reason).join('；')}`,
  };
}

const ORDER: Record<string, number> = { false: 0, unknown: 1, true: 2 };

/**
 * Whether a worker qualifies: false when any condition is not met, otherwise unknown when any is unknown,
 * otherwise true. A policy without conditions is for every worker.
 */
export function evaluatePolicy(
  conditions: readonly PolicyCondition[],
  facts: WorkerFacts,
  unitNames: Readonly<Record<string, string>> = {},
): PolicyEligibility {
  if (conditions.length === 0) {
    return { eligible: true, reasons: ['本政策面向全体工会会员'], checks: [] };
  }
  const checks = conditions.map((condition) => checkCondition(condition, facts, unitNames));
  const eligible: Eligibility = checks.some((c) => c.met === false)
    ? false
    : checks.some((c) => c.met === 'unknown')
      ? 'unknown'
      : true;
  const reasons = [...checks].sort((a, b) => ORDER[String(a.met)]! - ORDER[String(b.met)]!).map((c) => c.reason);
  return { eligible, reasons, checks };
}

/** Every unit id the conditions name (to look up their names, and to check they exist). */
export function unitIdsOf(conditions: readonly PolicyCondition[]): string[] {
  const ids = conditions.flatMap((condition) =>
    condition.kind === 'any'
      ? condition.of.flatMap((leaf) => (leaf.kind === 'within_unit' ? leaf.unitIds : []))
      : condition.kind === 'within_unit'
        ? condition.unitIds
        : [],
  );
  return [...new Set(ids)];
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of conditions sent by staff

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CONDITIONS = 20;
const MAX_ANY = 10;

const ALLOWED_KEYS: Record<PolicyCondition['kind'], readonly string[]> = {
  hardship_status: ['kind', 'in'],
  age: ['kind', 'min', 'max'],
  gender: ['kind', 'is'],
  case: ['kind', 'category', 'status'],
  feed: ['kind', 'feedKind', 'withinDays'],
  department_help: ['kind', 'department', 'withinDays'],
  within_unit: ['kind', 'unitIds'],
  any: ['kind', 'of'],
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function checkLeafShape(value: Record<string, unknown>, path: string, problems: FieldProblem[]): void {
  const fail = (field: string, reason: string) => problems.push({ field: `${path}.${field}`, reason });
  switch (value.kind) {
    case 'hardship_status': {
      const wanted = value.in;
      if (
        !Array.isArray(wanted) ||
        wanted.length === 0 ||
        new Set(wanted).size !== wanted.length ||
        !wanted.every((s) => (HARDSHIP_STATUSES as readonly unknown[]).includes(s))
      ) {
        fail('in', `须为不重复的困难身份列表，取值为 ${HARDSHIP_STATUSES.join('、')}`);
      }
      return;
    }
    case 'age': {
      const { min, max } = value;
      if (min === undefined && max === undefined) {
        fail('min', '年龄条件至少需要 min 或 max');
      }
      if (min !== undefined && !isWhole(min, 0, 120)) {
        fail('min', '须为 0 到 120 的整数');
      }
      if (max !== undefined && !isWhole(max, 0, 120)) {
        fail('max', '须为 0 到 120 的整数');
      }
      if (isWhole(min, 0, 120) && isWhole(max, 0, 120) && min > max) {
        fail('max', '不能小于 min');
      }
      return;
    }
    case 'gender':
      if (value.is !== 'female' && value.is !== 'male') {
        fail('is', '取值须为 female 或 male');
      }
      return;
    case 'case':
      if (value.category !== undefined && !(CATEGORIES as readonly unknown[]).includes(value.category)) {
        fail('category', `取值须为 ${CATEGORIES.join('、')} 之一`);
      }
      if (!(CASE_STATUSES as readonly unknown[]).includes(value.status)) {
        fail('status', `取值须为 ${CASE_STATUSES.join('、')} 之一`);
      }
      return;
    case 'feed':
      if (!(EVIDENCE_KINDS as readonly unknown[]).includes(value.feedKind)) {
        fail('feedKind', `取值须为 ${EVIDENCE_KINDS.join('、')} 之一`);
      }
      if (value.withinDays !== undefined && !isWhole(value.withinDays, 1, 3650)) {
        fail('withinDays', '须为 1 到 3650 的整数');
      }
      return;
    case 'department_help':
      if (
        value.department !== undefined &&
        (typeof value.department !== 'string' ||
          value.department.trim().length === 0 ||
          value.department.length > 50 ||
          value.department.includes('\u0000'))
      ) {
        fail('department', '须为 1 到 50 个字符的部门名称');
      }
      if (value.withinDays !== undefined && !isWhole(value.withinDays, 1, 3650)) {
        fail('withinDays', '须为 1 到 3650 的整数');
      }
      return;
    case 'within_unit': {
      const ids = value.unitIds;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > 20 ||
        new Set(ids).size !== ids.length ||
        !ids.every((id) => typeof id === 'string' && UUID.test(id))
      ) {
        fail('unitIds', '须为 1 到 20 个不重复的单位 id');
      }
    }
  }
}

function checkShape(value: unknown, path: string, allowAny: boolean, problems: FieldProblem[]): void {
  if (!isRecord(value)) {
    problems.push({ field: path, reason: '须为对象' });
    return;
  }
  const kind = value.kind as PolicyCondition['kind'];
  const allowed = typeof kind === 'string' ? ALLOWED_KEYS[kind] : undefined;
  if (!allowed || (kind === 'any' && !allowAny)) {
    const kinds = Object.keys(ALLOWED_KEYS).filter((k) => allowAny || k !== 'any');
    problems.push({ field: `${path}.kind`, reason: `取值须为 ${kinds.join('、')} 之一` });
    return;
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.push({ field: `${path}.${key}`, reason: '不允许的字段' });
    }
  }
  if (kind !== 'any') {
    checkLeafShape(value, path, problems);
    return;
  }
  if (!Array.isArray(value.of) || value.of.length < 2 || value.of.length > MAX_ANY) {
    problems.push({ field: `${path}.of`, reason: `须为 2 到 ${MAX_ANY} 个条件（不可再嵌套 any）` });
    return;
  }
  value.of.forEach((inner, i) => checkShape(inner, `${path}.of.${i}`, false, problems));
}

/**
 * Checks conditions sent by staff: a list of at most 20 known conditions, each with exactly its own fields, and
 * `any` one level deep. Returns the problems with the field each concerns (`conditions.2.max`); none means the
 * value is a valid `PolicyCondition[]`. Whether named units exist is checked by the route.
 */
export function checkConditions(value: unknown, path = 'conditions'): FieldProblem[] {
  if (!Array.isArray(value)) {
    return [{ field: path, reason: '须为条件列表' }];
  }
  if (value.length > MAX_CONDITIONS) {
    return [{ field: path, reason: `最多 ${MAX_CONDITIONS} 个条件` }];
  }
  const problems: FieldProblem[] = [];
  value.forEach((condition, i) => checkShape(condition, `${path}.${i}`, true, problems));
  return problems;
}
