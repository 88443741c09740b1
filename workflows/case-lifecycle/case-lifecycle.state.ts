import {
  ACTION_LABELS,
  CASE_ROLES,
  STEP_LABELS,
  type CalendarKind,
  type CaseAction,
  type CaseStatus,
  type Category,
  type DeliveryMethod,
  type Fund,
  type Source,
  type StaffRole,
  type Step,
  type TimedStep,
  type Urgency,
} from '../shared/case-vocabulary.js';
import { FailureType } from '../shared/failure-types.js';
import { isStrictlyBelow, isWithin, parentOf, type UnitRef } from '../shared/org-path.js';
import { parseDuration } from '../shared/duration.js';
import type { Interval } from '../shared/working-time.js';

/**
 * The assistance case as a pure state machine: what each action requires and what it changes.
 * No Temporal, no I/O: the workflow calls these functions, and unit tests call them directly.
 */

export interface Actor {
  userId: string;
  role: StaffRole;
  unit: UnitRef;
}

/**
 * Who opened a case. Staff open cases from the console and by confirming a perception lead; a worker opens one
 * by self-application, with no staff account (`userId` null) and their own union as the opening unit.
 */
export interface Opener {
  userId: string | null;
  role: StaffRole | 'worker';
  unit: UnitRef;
}

export interface PlanItem {
  kind: string;
  amountFen: number;
  note?: string;
}

export type ActionInput =
  | { action: 'dispatch'; toUnit: UnitRef }
  | { action: 'accept' }
  | { action: 'return'; reason: string }
  | { action: 'verify'; eligible: boolean; findings: string }
  | { action: 'plan'; items: PlanItem[]; approver: UnitRef; thresholdVersion: number }
  | { action: 'approve'; note?: string }
  | { action: 'reject'; reason: string }
  | { action: 'deliver'; items: PlanItem[]; method: DeliveryMethod; reference: string }
  | { action: 'report'; result: string; satisfaction: number }
  | { action: 'close' }
  | { action: 'withdraw'; reason: string }
  | { action: 'resume' };

export type ActionRequest = ActionInput & { actor: Actor };

export interface SuspendRequest {
  actor: Actor;
  reason: string;
  /** ISO-8601 instant at which the clock starts again by itself. */
  until: string;
}

export interface CaseOpening {
  caseId: string;
  workerId: string;
  workerUnit: UnitRef;
  category: Category;
  urgency: Urgency;
  source: Source;
  summary: string;
  openedBy: Opener;
  /** The fund that pays this case; `warmth` when absent. Cases confirmed from perception leads use their own. */
  fund?: Fund;
  /** Version of the time-limit policy in force when the case was opened; every step takes its limit from it. */
  policyVersion: number;
}

export interface Escalation {
  level: number;
  unitId: string;
  at: number;
}

/** The running clock of the current step, as computed by the deadline activity. Times are epoch milliseconds. */
export interface StepClock {
  stepSeq: number;
  step: TimedStep;
  startedAt: number;
  duration: string;
  calendar: CalendarKind;
  maxSuspension: string;
  pauses: Interval[];
  dueAt: number;
  remindAt: number;
  escalations: Escalation[];
  reminded: boolean;
  escalatedLevel: number;
}

export interface Suspension {
  reason: string;
  from: number;
  until: number;
}

export interface CaseState {
  caseId: string;
  workerId: string;
  category: Category;
  urgency: Urgency;
  source: Source;
  policyVersion: number;
  status: CaseStatus;
  step: Step;
  openerUnit: UnitRef;
  /** Units the case was passed down through: the opener first, the unit handling it last. */
  chain: UnitRef[];
  /** The unit that must act on the current step. */
  holder: UnitRef;
  seq: number;
  stepSeq: number;
  plan: PlanItem[] | null;
  /** Counts plans submitted; reservations and payments are keyed on it. */
  planVersion: number;
  plannedBy: string | null;
  /** True between a successful approval (money reserved) and delivery or release. */
  fundsReserved: boolean;
  suspension: Suspension | null;
  clock: StepClock | null;
  recorded: boolean;
}

export type CaseSnapshot = CaseState;

/** The parts of a case that decide whether an action fits it: all `checkAction` reads. */
export type ActionCheckState = Pick<
  CaseState,
  'status' | 'step' | 'holder' | 'openerUnit' | 'chain' | 'plan' | 'plannedBy' | 'suspension'
>;

export interface Rejection {
  type: string;
  message: string;
}

/** What a transition writes to the read model, beside the new state. */
export interface TransitionEvent {
  seq: number;
  kind: CaseAction | 'opened';
  fromStep: Step;
  toStep: Step;
  /** Null for a case the worker opened by self-application. */
  actorUserId: string | null;
  actorUnitId: string;
  data: Record<string, unknown>;
}

export interface Transition {
  state: CaseState;
  event: TransitionEvent;
  /** True when the action started a new step (a fresh clock is needed). */
  newStep: boolean;
}

export function initialState(opening: CaseOpening): CaseState {
  const opener = opening.openedBy.unit;
  return {
    caseId: opening.caseId,
    workerId: opening.workerId,
    category: opening.category,
    urgency: opening.urgency,
    source: opening.source,
    policyVersion: opening.policyVersion,
    status: 'open',
    step: 'dispatch',
    openerUnit: opener,
    chain: [opener],
    holder: opener,
    seq: 1,
    stepSeq: 1,
    plan: null,
    planVersion: 0,
    plannedBy: null,
    fundsReserved: false,
    suspension: null,
    clock: null,
    recorded: false,
  };
}

export function openingEvent(opening: CaseOpening): TransitionEvent {
  return {
    seq: 1,
    kind: 'opened',
    fromStep: 'dispatch',
    toStep: 'dispatch',
    actorUserId: opening.openedBy.userId,
    actorUnitId: opening.openedBy.unit.id,
    data: { source: opening.source, category: opening.category, urgency: opening.urgency },
  };
}

/** The unit handling the case: the last one it was dispatched to. */
export const assigneeOf = (state: Pick<CaseState, 'chain'>): UnitRef => state.chain[state.chain.length - 1]!;

/**
 * The unit that approves plans and reviews reports: the one that dispatched to the assignee, or, when the
 * assignee took the case on itself from the start, its parent (the city reviews its own).
 */
export function reviewerOf(state: CaseState): UnitRef {
  const assignee = assigneeOf(state);
  return state.chain[state.chain.length - 2] ?? parentOf(assignee) ?? assignee;
}

const reject = (type: string, message: string): Rejection => ({ type, message });

const notHolder = (state: Pick<CaseState, 'step'>): Rejection =>
  reject(FailureType.NotStepHolder, `当前「${STEP_LABELS[state.step]}」步骤不由您的单位办理，无权操作`);

const wrongStep = (state: Pick<CaseState, 'step'>, action: CaseAction): Rejection =>
  reject(
    FailureType.StepMismatch,
    `工单当前处于「${STEP_LABELS[state.step]}」步骤，不能执行「${ACTION_LABELS[action]}」`,
  );

const STEPS_ALLOWING: Record<Exclude<CaseAction, 'withdraw' | 'resume'>, readonly Step[]> = {
  dispatch: ['dispatch', 'accept'],
  accept: ['dispatch', 'accept'],
  return: ['dispatch', 'accept', 'review'],
  verify: ['verify'],
  plan: ['plan'],
  approve: ['approve'],
  reject: ['approve'],
  deliver: ['deliver'],
  report: ['report'],
  close: ['review'],
};

/** Checks an action against the case without changing it; null means it may go ahead. */
export function checkAction(state: ActionCheckState, request: ActionRequest): Rejection | null {
  const { actor } = request;
  if (state.status !== 'open') {
    return reject(FailureType.CaseNotOpen, '工单已结束，不能再办理');
  }
  if (!CASE_ROLES.includes(actor.role)) {
    return reject(FailureType.RoleNotAllowed, '您的角色不能办理帮扶工单');
  }
  if (request.action === 'withdraw') {
    const mayWithdraw =
      isWithin(state.openerUnit.path, actor.unit.path) || state.chain.some((unit) => unit.id === actor.unit.id);
    return mayWithdraw ? null : reject(FailureType.NotStepHolder, '只有开单单位及其上级或经办单位可以撤销工单');
  }
  if (request.action === 'resume') {
    if (actor.unit.id !== state.holder.id) {
      return notHolder(state);
    }
    return state.suspension ? null : reject(FailureType.StepMismatch, '工单未暂停计时，无需恢复');
  }
  if (!STEPS_ALLOWING[request.action].includes(state.step)) {
    return wrongStep(state, request.action);
  }
  if (actor.unit.id !== state.holder.id) {
    return notHolder(state);
  }
  switch (request.action) {
    case 'dispatch':
      if (!isStrictlyBelow(request.toUnit.path, state.holder.path)) {
        return reject(FailureType.DispatchTargetInvalid, '只能派单给本单位的下级单位');
      }
      return null;
    case 'return':
      if (state.step === 'dispatch' && state.chain.length < 2) {
        return reject(FailureType.StepMismatch, '开单单位不能退回工单，可撤销或派单');
      }
      return null;
    case 'plan':
      if (!isWithin(assigneeOf(state).path, request.approver.path)) {
        return reject(FailureType.InvalidAction, '审批单位须为经办单位本身或其上级');
      }
      return checkItems(request.items);
    case 'approve':
      return actor.userId === state.plannedBy
        ? reject(FailureType.SelfApproval, '方案提交人不能审批自己提交的方案，请由本单位其他人员或上级审批')
        : null;
    case 'deliver':
      return sameItems(request.items, state.plan)
        ? checkItems(request.items)
        : reject(FailureType.InvalidAction, '发放明细须与批准的帮扶方案一致（项目与金额）');
    case 'report':
      return Number.isInteger(request.satisfaction) && request.satisfaction >= 1 && request.satisfaction <= 5
        ? null
        : reject(FailureType.InvalidAction, '满意度须为 1 到 5 的整数');
    default:
      return null;
  }
}

function sameItems(items: PlanItem[], plan: PlanItem[] | null): boolean {
  return (
    plan !== null &&
    items.length === plan.length &&
    items.every((item, i) => item.kind === plan[i]!.kind && item.amountFen === plan[i]!.amountFen)
  );
}

function checkItems(items: PlanItem[]): Rejection | null {
  if (items.length === 0) {
    return reject(FailureType.InvalidAction, '帮扶方案至少需要一项');
  }
  const bad = items.find((item) => !Number.isSafeInteger(item.amountFen) || item.amountFen < 0);
  return bad ? reject(FailureType.InvalidAction, '金额须为非负整数（单位：分）') : null;
}

export function checkSuspension(state: CaseState, request: SuspendRequest, now: number): Rejection | null {
  if (state.status !== 'open') {
    return reject(FailureType.CaseNotOpen, '工单已结束，不能暂停计时');
  }
  if (!CASE_ROLES.includes(request.actor.role)) {
    return reject(FailureType.RoleNotAllowed, '您的角色不能办理帮扶工单');
  }
  if (request.actor.unit.id !== state.holder.id) {
    return notHolder(state);
  }
  if (state.suspension) {
    return reject(FailureType.SuspensionInvalid, '当前步骤已在暂停计时中');
  }
  if (!state.clock) {
    return reject(FailureType.SuspensionInvalid, '当前步骤的时限尚未开始计算，请稍后再试');
  }
  const until = Date.parse(request.until);
  if (!Number.isFinite(until) || until <= now) {
    return reject(FailureType.SuspensionInvalid, '暂停截止时间须晚于当前时间');
  }
  const max = parseDuration(state.clock.maxSuspension) ?? 0;
  const pausedSoFar = state.clock.pauses.reduce((sum, pause) => sum + (pause.to - pause.from), 0);
  if (until - now + pausedSoFar > max) {
    return reject(FailureType.SuspensionInvalid, `本步骤累计暂停时长将超过政策允许的上限 ${state.clock.maxSuspension}`);
  }
  return null;
}

/** Applies an action that `checkAction` accepted. */
export function applyAction(state: CaseState, request: ActionRequest): Transition {
  const next: CaseState = { ...state, chain: [...state.chain], seq: state.seq + 1 };
  const fromStep = state.step;
  const data: Record<string, unknown> = {};
  switch (request.action) {
    case 'dispatch':
      next.chain.push(request.toUnit);
      next.holder = request.toUnit;
      next.step = 'accept';
      data.toUnitId = request.toUnit.id;
      break;
    case 'accept':
      next.step = 'verify';
      break;
    case 'return':
      data.reason = request.reason;
      if (state.step === 'review') {
        next.holder = assigneeOf(state);
        next.step = 'report';
      } else {
        next.chain.pop();
        next.holder = assigneeOf(next);
        next.step = 'dispatch';
      }
      break;
    case 'verify':
      data.eligible = request.eligible;
      data.findings = request.findings;
      if (request.eligible) {
        next.step = 'plan';
      } else {
        next.step = 'done';
        next.status = 'not_eligible';
      }
      break;
    case 'plan':
      next.plan = request.items;
      next.planVersion = state.planVersion + 1;
      next.plannedBy = request.actor.userId;
      next.step = 'approve';
      next.holder = request.approver;
      data.items = request.items;
      data.approverUnitId = request.approver.id;
      data.thresholdVersion = request.thresholdVersion;
      data.planVersion = next.planVersion;
      data.totalFen = request.items.reduce((sum, item) => sum + item.amountFen, 0);
      break;
    case 'approve':
      next.step = 'deliver';
      next.holder = assigneeOf(state);
      next.fundsReserved = true;
      if (request.note) {
        data.note = request.note;
      }
      break;
    case 'reject':
      next.step = 'plan';
      next.holder = assigneeOf(state);
      data.reason = request.reason;
      break;
    case 'deliver':
      next.step = 'report';
      next.fundsReserved = false;
      data.items = request.items;
      data.method = request.method;
      data.reference = request.reference;
      data.totalFen = request.items.reduce((sum, item) => sum + item.amountFen, 0);
      break;
    case 'report':
      next.step = 'review';
      next.holder = reviewerOf(state);
      data.result = request.result;
      data.satisfaction = request.satisfaction;
      break;
    case 'close':
      next.step = 'done';
      next.status = 'closed';
      break;
    case 'withdraw':
      next.step = 'done';
      next.status = 'withdrawn';
      next.fundsReserved = false;
      data.reason = request.reason;
      break;
    case 'resume':
      throw new Error('resume ends a suspension in the workflow (endSuspension), not through applyAction');
  }
  const newStep = next.step !== 'done';
  next.stepSeq = state.stepSeq + 1;
  next.clock = null;
  next.suspension = null;
  return {
    state: next,
    newStep,
    event: {
      seq: next.seq,
      kind: request.action,
      fromStep,
      toStep: next.step,
      actorUserId: request.actor.userId,
      actorUnitId: request.actor.unit.id,
      data,
    },
  };
}

/** The next moment at which the clock needs attention, or null when nothing is pending. */
export type TimerPoint =
  | { kind: 'suspension_end'; at: number }
  | { kind: 'reminder'; at: number }
  | { kind: 'escalation'; at: number; escalation: Escalation };

export function nextTimerPoint(state: CaseState): TimerPoint | null {
  if (state.status !== 'open') {
    return null;
  }
  if (state.suspension) {
    return { kind: 'suspension_end', at: state.suspension.until };
  }
  const clock = state.clock;
  if (!clock) {
    return null;
  }
  const escalation = clock.escalations.find((e) => e.level > clock.escalatedLevel);
  if (!clock.reminded && (!escalation || clock.remindAt < escalation.at)) {
    return { kind: 'reminder', at: clock.remindAt };
  }
  return escalation ? { kind: 'escalation', at: escalation.at, escalation } : null;
}
