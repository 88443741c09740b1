import type { CalendarKind, StaffRole } from '../shared/case-vocabulary.js';
import { FailureType } from '../shared/failure-types.js';
import { isWithin, type UnitRef } from '../shared/org-path.js';
import {
  INSPECTION_STEP_LABELS,
  STATION_STAFF_ROLES,
  type InspectionAction,
  type InspectionKind,
  type InspectionOutcome,
  type InspectionStatus,
  type InspectionStep,
  type TimedInspectionStep,
} from '../shared/station-vocabulary.js';

/**
 * One inspection of a rest station as a pure state machine: who may act at each step, what scores mean, where each
 * action leads. No Temporal, no I/O: the workflow calls these functions, the API reuses the score checks, and unit
 * tests call them directly.
 *
 * inspect --submit--> done (excellent: commended; passed)
 *                 \--> rectify --rectify--> reinspect --reinspect--> done (rectified; failed: station suspended)
 */

/** One line of the checklist: its id and the most it can score. Labels stay in the database. */
export interface ChecklistItem {
  id: string;
  maxScore: number;
}

/** The checklist and marks an inspection is judged by, fixed when it opens (from its policy version). */
export interface InspectionRules {
  checklist: ChecklistItem[];
  /** A total below this fails. */
  passMark: number;
  /** A total at or above this is excellent and earns a commendation. */
  excellentMark: number;
}

/** Points per checklist item id. */
export type Scores = Record<string, number>;

export interface InspectionActor {
  userId: string;
  role: StaffRole;
  unit: UnitRef;
}

export type InspectionActionInput =
  | { action: 'submit'; scores: Scores; remarks?: string }
  | { action: 'rectify'; report: string }
  | { action: 'reinspect'; scores: Scores; remarks?: string };

export type InspectionActionRequest = InspectionActionInput & { actor: InspectionActor };

/** What starts an inspection workflow: ids, codes and a policy version only. */
export interface InspectionStart {
  inspectionId: string;
  stationId: string;
  period: string;
  kind: InspectionKind;
  /** Version of the station type's inspection policy in force when the inspection was ordered (0: built-in). */
  policyVersion: number;
  /** Who ordered a spot inspection; null for one started by a round. */
  orderedByUserId: string | null;
}

export interface InspectionEscalation {
  level: number;
  unitId: string;
  at: number;
}

/** The running clock of the current step, computed by an activity. Times are epoch milliseconds. */
export interface InspectionClock {
  stepSeq: number;
  step: TimedInspectionStep;
  startedAt: number;
  duration: string;
  calendar: CalendarKind;
  dueAt: number;
  /** The owning unit at the deadline, then one level further up after each further full limit, up to the city. */
  escalations: InspectionEscalation[];
  escalatedLevel: number;
}

/** What the opening activity found: the station's owning unit, the inspector assigned, the rules, the clock. */
export interface InspectionOpening {
  owner: UnitRef;
  inspectorUserId: string | null;
  rules: InspectionRules;
  clock: InspectionClock;
}

export interface InspectionState {
  inspectionId: string;
  stationId: string;
  period: string;
  kind: InspectionKind;
  policyVersion: number;
  status: InspectionStatus;
  step: InspectionStep;
  outcome: InspectionOutcome | null;
  /** Known once the inspection is recorded. */
  owner: UnitRef | null;
  inspectorUserId: string | null;
  rules: InspectionRules | null;
  firstScore: number | null;
  finalScore: number | null;
  seq: number;
  stepSeq: number;
  clock: InspectionClock | null;
  recorded: boolean;
}

export type InspectionSnapshot = InspectionState;

export interface InspectionRejection {
  type: string;
  message: string;
}

export type Verdict = 'excellent' | 'passed' | 'failed';

/** A side effect a transition asks the record activity for, beside writing the event and the row. */
export type InspectionEffect = 'commend' | 'order_rectification' | 'request_reinspection' | 'suspend_station';

export interface InspectionEvent {
  seq: number;
  kind: InspectionAction | 'opened';
  fromStep: InspectionStep;
  toStep: InspectionStep;
  actorUserId: string | null;
  actorUnitId: string | null;
  data: Record<string, unknown>;
}

export interface InspectionTransition {
  state: InspectionState;
  event: InspectionEvent;
  /** True when the action began a step with a time limit. */
  newStep: boolean;
  effect: InspectionEffect | null;
}

export function initialInspectionState(start: InspectionStart): InspectionState {
  return {
    inspectionId: start.inspectionId,
    stationId: start.stationId,
    period: start.period,
    kind: start.kind,
    policyVersion: start.policyVersion,
    status: 'open',
    step: 'inspect',
    outcome: null,
    owner: null,
    inspectorUserId: null,
    rules: null,
    firstScore: null,
    finalScore: null,
    seq: 1,
    stepSeq: 1,
    clock: null,
    recorded: false,
  };
}

/** The state once the opening is recorded: owner, inspector, rules and the first step's clock. */
export function adoptOpening(state: InspectionState, opening: InspectionOpening): InspectionState {
  return {
    ...state,
    owner: opening.owner,
    inspectorUserId: opening.inspectorUserId,
    rules: opening.rules,
    clock: opening.clock,
    recorded: true,
  };
}

export const totalScore = (scores: Scores): number => Object.values(scores).reduce((sum, points) => sum + points, 0);

export const maxTotal = (rules: InspectionRules): number =>
  rules.checklist.reduce((sum, item) => sum + item.maxScore, 0);

export function verdictOf(rules: InspectionRules, total: number): Verdict {
  if (total >= rules.excellentMark) {
    return 'excellent';
  }
  return total >= rules.passMark ? 'passed' : 'failed';
}

/**
 * Every way the scores do not fit the checklist, as `{ field: 'scores.<item>', reason }`: an item without a score,
 * a score that is not a whole number from 0 to the item's maximum, an item the checklist does not have.
 */
export function scoreProblems(rules: InspectionRules, scores: Scores): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const known = new Set(rules.checklist.map((item) => item.id));
  for (const item of rules.checklist) {
    const points = scores[item.id];
    const field = `scores.${item.id}`;
    if (points === undefined) {
      problems.push({ field, reason: '缺少此项评分' });
    } else if (typeof points !== 'number' || !Number.isInteger(points)) {
      problems.push({ field, reason: '须为整数' });
    } else if (points < 0) {
      problems.push({ field, reason: '不能小于 0' });
    } else if (points > item.maxScore) {
      problems.push({ field, reason: `不能大于 ${item.maxScore}（该项满分）` });
    }
  }
  for (const id of Object.keys(scores)) {
    if (!known.has(id)) {
      problems.push({ field: `scores.${id}`, reason: '检查表中没有此项' });
    }
  }
  return problems;
}

const reject = (type: string, message: string): InspectionRejection => ({ type, message });

const wrongStep = (state: InspectionState, message: string): InspectionRejection =>
  reject(
    FailureType.InspectionStepMismatch,
    `本次检查当前处于「${INSPECTION_STEP_LABELS[state.step]}」阶段，${message}`,
  );

/** Checks an action against the inspection without changing it; null means it may go ahead. */
export function checkInspectionAction(
  state: InspectionState,
  request: InspectionActionRequest,
): InspectionRejection | null {
  const { actor } = request;
  if (state.status !== 'open') {
    if (request.action === 'rectify' && state.outcome !== 'failed') {
      return reject(FailureType.RectificationNotRequired, '该驿站本次检查已合格，无需整改');
    }
    return reject(FailureType.InspectionNotOpen, '本次检查已结束，不能再操作');
  }
  if (!state.owner || !state.rules) {
    return reject(FailureType.InspectionStepMismatch, '检查任务正在建立，请稍后再试');
  }
  const inScope = isWithin(state.owner.path, actor.unit.path);
  if (request.action === 'rectify') {
    if (!STATION_STAFF_ROLES.includes(actor.role) || !inScope) {
      return reject(FailureType.NotInspectionActor, '只有驿站所属单位或其上级单位的工作人员可以报告整改情况');
    }
    if (state.step === 'inspect') {
      return wrongStep(state, '尚未下达整改通知，不能报告整改');
    }
    return state.step === 'rectify' ? null : wrongStep(state, '整改情况已报告，等待复查');
  }
  if (actor.role !== 'inspector' || !inScope) {
    return reject(FailureType.NotInspectionActor, '只有驿站所属单位或其上级单位的检查员可以提交评分');
  }
  const expected: InspectionStep = request.action === 'submit' ? 'inspect' : 'reinspect';
  if (state.step !== expected) {
    return wrongStep(state, request.action === 'submit' ? '不能再提交首次检查评分' : '现在不能提交复查评分');
  }
  const problem = scoreProblems(state.rules, request.scores)[0];
  return problem ? reject(FailureType.ScoresInvalid, `${problem.field}：${problem.reason}`) : null;
}

/** Applies an action that `checkInspectionAction` accepted. */
export function applyInspectionAction(state: InspectionState, request: InspectionActionRequest): InspectionTransition {
  const rules = state.rules!;
  const next: InspectionState = { ...state, seq: state.seq + 1, stepSeq: state.stepSeq + 1, clock: null };
  const data: Record<string, unknown> = {};
  let effect: InspectionEffect | null = null;
  switch (request.action) {
    case 'submit': {
      const total = totalScore(request.scores);
      const verdict = verdictOf(rules, total);
      Object.assign(data, { scores: request.scores, total, verdict });
      next.firstScore = total;
      next.finalScore = total;
      if (verdict === 'failed') {
        next.step = 'rectify';
        effect = 'order_rectification';
      } else {
        next.step = 'done';
        next.status = 'closed';
        next.outcome = verdict;
        effect = verdict === 'excellent' ? 'commend' : null;
      }
      break;
    }
    case 'rectify':
      data.report = request.report;
      next.step = 'reinspect';
      effect = 'request_reinspection';
      break;
    case 'reinspect': {
      const total = totalScore(request.scores);
      const verdict = verdictOf(rules, total);
      Object.assign(data, { scores: request.scores, total, verdict });
      next.finalScore = total;
      next.step = 'done';
      next.status = 'closed';
      next.outcome = verdict === 'failed' ? 'failed' : 'rectified';
      effect = verdict === 'failed' ? 'suspend_station' : null;
      break;
    }
  }
  if ('remarks' in request && request.remarks) {
    data.remarks = request.remarks;
  }
  return {
    state: next,
    newStep: next.step !== 'done',
    effect,
    event: {
      seq: next.seq,
      kind: request.action,
      fromStep: state.step,
      toStep: next.step,
      actorUserId: request.actor.userId,
      actorUnitId: request.actor.unit.id,
      data,
    },
  };
}

/** The next escalation due on the running clock, or null when none is pending. */
export function nextEscalation(state: InspectionState): InspectionEscalation | null {
  const clock = state.clock;
  if (state.status !== 'open' || !clock) {
    return null;
  }
  return clock.escalations.find((escalation) => escalation.level > clock.escalatedLevel) ?? null;
}
