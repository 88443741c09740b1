import type { StaffRole } from '../shared/case-vocabulary.js';
import { FailureType } from '../shared/failure-types.js';
import { isWithin, type UnitRef } from '../shared/org-path.js';
import {
  ACTION_ROLES,
  PIPELINE_ACTION_LABELS,
  PIPELINE_ACTION_STEPS,
  PIPELINE_STEP_LABELS,
  attendanceMet,
  type LimitName,
  type PipelineLimits,
  type PipelineStatus,
  type PipelineStep,
} from '../shared/training-vocabulary.js';
import { SHANGHAI_OFFSET_MS } from '../shared/working-time.js';

/**
 * A trainee's way from course to job as a pure state machine: what each action, signal and timer requires and
 * what it changes, and which side effects the read-model write must carry out with it. No Temporal, no I/O: the
 * workflow calls these functions, and unit tests call them directly. Times are epoch milliseconds.
 */

export interface PipelineActor {
  userId: string;
  role: StaffRole;
  unit: UnitRef;
}

/** What the pipeline needs to know about its course, copied in when the trainee enrols. */
export interface CourseFacts {
  courseId: string;
  startsAt: number;
  endsAt: number;
  sessions: number;
  requiredAttendancePct: number;
  /** The certificate the course's exam awards; null when the course has no exam. */
  examCertificate: string | null;
}

export interface PipelineOpening {
  pipelineId: string;
  /** Identifies the enrolment request that started the pipeline; any other request meets it as a duplicate. */
  requestId: string;
  workerId: string;
  workerUnit: UnitRef;
  surveyId: string;
  openedBy: PipelineActor;
  course: CourseFacts;
  limits: PipelineLimits;
}

/** What happens when a step's deadline passes. */
export type DueAction = 'not_admitted' | 'expire' | 'escalate' | 'fair_held' | 'lapse';

/**
 * How the deadline of a new step is worked out (by an activity, with the holiday calendar): counted from `from`,
 * first `opensAfter` (when the step opens for action; follow-ups only), then `dueAfter`. Without `dueAfter` the
 * deadline is the opening moment, or `from` itself (the course's start, the fair's time).
 */
export interface DeadlinePlan {
  from: number;
  opensAfter?: LimitName;
  dueAfter?: LimitName;
  onDue: DueAction;
}

export interface PipelineClock {
  stepSeq: number;
  opensAt: number | null;
  dueAt: number;
  onDue: DueAction;
  /** The step has opened for action and staff were told (follow-ups). */
  opened: boolean;
  /** The step was escalated as stalled; it is not escalated again. */
  escalated: boolean;
}

export type Seat = 'waitlisted' | 'offered' | 'confirmed' | 'released';

export interface FairInvitation {
  fairId: string;
  heldAt: number;
}

export interface Placement {
  offerId: string;
  openingId: string;
  placedAt: number;
}

export interface PipelineState {
  pipelineId: string;
  workerId: string;
  workerUnit: UnitRef;
  course: CourseFacts;
  limits: PipelineLimits;
  status: PipelineStatus;
  step: PipelineStep;
  seq: number;
  stepSeq: number;
  seat: Seat;
  examSittings: number;
  certified: boolean;
  fair: FairInvitation | null;
  offer: { offerId: string; openingId: string } | null;
  placement: Placement | null;
  clock: PipelineClock | null;
  recorded: boolean;
}

export type PipelineSnapshot = PipelineState;

export type PipelineActionInput =
  | { action: 'confirm' }
  | { action: 'decline'; reason?: string }
  | { action: 'withdraw'; reason: string }
  | { action: 'record-offer'; openingId: string }
  | { action: 'accept-offer' }
  | { action: 'decline-offer'; reason?: string }
  | { action: 'follow-up'; stillEmployed: boolean; note?: string }
  | { action: 'exam-result'; passed: boolean };

export type PipelineActionRequest = PipelineActionInput & { actor: PipelineActor };

/** Attendance of one trainee when the course closed, sent by the course workflow. */
export interface CourseEnded {
  attended: number;
  sessions: number;
}

/** A side effect the read-model write carries out in the same transaction as the event. */
export type Effect =
  | { kind: 'confirm_seat' }
  | { kind: 'release_seat'; reason: string; promoteNext: boolean }
  | { kind: 'exam_result'; sitting: 1 | 2; passed: boolean; certificate: string | null }
  | { kind: 'open_offer'; offerId: string; openingId: string }
  | { kind: 'close_offer'; offerId: string; status: 'accepted' | 'declined' | 'lapsed' | 'withdrawn' | 'left' }
  | { kind: 'push_openings' }
  | { kind: 'notify_officers'; reason: 'stalled' | 'follow_up_due' };

export interface PipelineEvent {
  seq: number;
  kind: string;
  fromStep: PipelineStep;
  toStep: PipelineStep;
  actorUserId: string | null;
  data: Record<string, unknown>;
}

export interface Transition {
  state: PipelineState;
  event: PipelineEvent;
  /** The new step's deadline; null when the pipeline ended; `keep` when the step and its clock stay. */
  deadline: DeadlinePlan | null | 'keep';
  effects: Effect[];
}

export interface Rejection {
  type: string;
  message: string;
}

export type TimerPoint = { kind: 'opens' | 'due'; at: number; stepSeq: number };

const reject = (type: string, message: string): Rejection => ({ type, message });

const shanghai = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');

/** The pipeline as its first event leaves it: a seat offered (to confirm) or a place on the waiting list. */
export function openingTransition(opening: PipelineOpening, seat: 'offered' | 'waitlisted', now: number): Transition {
  const state: PipelineState = {
    pipelineId: opening.pipelineId,
    workerId: opening.workerId,
    workerUnit: opening.workerUnit,
    course: opening.course,
    limits: opening.limits,
    status: 'open',
    step: seat === 'offered' ? 'confirm' : 'waitlist',
    seq: 1,
    stepSeq: 1,
    seat,
    examSittings: 0,
    certified: false,
    fair: null,
    offer: null,
    placement: null,
    clock: null,
    recorded: false,
  };
  return {
    state,
    event: {
      seq: 1,
      kind: 'opened',
      fromStep: state.step,
      toStep: state.step,
      actorUserId: opening.openedBy.userId,
      data: { surveyId: opening.surveyId, seat },
    },
    deadline:
      seat === 'offered'
        ? { from: now, dueAfter: 'confirm', onDue: 'expire' }
        : { from: opening.course.startsAt, onDue: 'not_admitted' },
    effects: [],
  };
}

/** Checks an action against the pipeline without changing it; null means it may go ahead. */
export function checkAction(state: PipelineState, request: PipelineActionRequest, now: number): Rejection | null {
  const label = PIPELINE_ACTION_LABELS[request.action];
  if (!state.recorded) {
    return reject(FailureType.PipelineNotOpen, '该学员的培训就业流程尚在建立，请稍后重试');
  }
  if (state.status !== 'open') {
    return reject(FailureType.PipelineNotOpen, '该学员的培训就业流程已结束，不能再办理');
  }
  if (!ACTION_ROLES[request.action].includes(request.actor.role)) {
    return reject(FailureType.RoleNotAllowed, `您的角色不能${label}`);
  }
  if (!isWithin(state.workerUnit.path, request.actor.unit.path)) {
    return reject(FailureType.NotStepHolder, '该学员不在您单位的管辖范围内，无权操作');
  }
  if (request.action !== 'withdraw' && !PIPELINE_ACTION_STEPS[request.action].includes(state.step)) {
    return reject(FailureType.StepMismatch, `学员当前处于「${PIPELINE_STEP_LABELS[state.step]}」步骤，不能${label}`);
  }
  if (request.action === 'follow-up') {
    const clock = state.clock;
    if (!clock || clock.stepSeq !== state.stepSeq || (clock.opensAt !== null && clock.opensAt > now)) {
      const when = clock?.opensAt ? `，${shanghai(clock.opensAt)} 起可登记` : '';
      return reject(FailureType.NotDueYet, `回访尚未到期${when}`);
    }
  }
  return null;
}

/** The next state with a new step: sequence numbers move on and the clock waits for the activity's answer. */
function moveTo(state: PipelineState, step: PipelineStep, patch: Partial<PipelineState> = {}): PipelineState {
  return { ...state, ...patch, step, seq: state.seq + 1, stepSeq: state.stepSeq + 1, clock: null };
}

/** An event that leaves the step (and its clock) as it is. */
function note(state: PipelineState, patch: Partial<PipelineState> = {}): PipelineState {
  return { ...state, ...patch, seq: state.seq + 1 };
}

function ended(state: PipelineState, status: PipelineStatus, patch: Partial<PipelineState> = {}): PipelineState {
  return { ...moveTo(state, 'done', patch), status };
}

function event(
  from: PipelineState,
  to: PipelineState,
  kind: string,
  actorUserId: string | null,
  data: Record<string, unknown> = {},
): PipelineEvent {
  return { seq: to.seq, kind, fromStep: from.step, toStep: to.step, actorUserId, data };
}

const matchingPlan = (now: number): DeadlinePlan => ({ from: now, dueAfter: 'placement', onDue: 'escalate' });

/**
 * Where a trainee goes once the course (and its exam) is behind them: to matching if the fair has been held, to
 * wait for the fair if it is arranged, or to wait for the invitation if it is not yet.
 */
function towardsFair(state: PipelineState, now: number): { step: PipelineStep; plan: DeadlinePlan; effects: Effect[] } {
  if (state.fair && state.fair.heldAt <= now) {
    return { step: 'matching', plan: matchingPlan(now), effects: [{ kind: 'push_openings' }] };
  }
  if (state.fair) {
    return { step: 'fair', plan: { from: state.fair.heldAt, onDue: 'fair_held' }, effects: [] };
  }
  return { step: 'fair', plan: { from: now, dueAfter: 'invitation', onDue: 'escalate' }, effects: [] };
}

/** Releases the seat a pipeline holds when it ends before the course does. */
function releaseOf(state: PipelineState, reason: string): Effect[] {
  if (state.seat === 'released' || !['waitlist', 'confirm', 'attendance'].includes(state.step)) {
    return [];
  }
  return [{ kind: 'release_seat', reason, promoteNext: state.seat !== 'waitlisted' }];
}

export interface ActionContext {
  now: number;
  /** Id for a new offer (`record-offer`), made by the workflow so that a retried write finds the same row. */
  offerId: string | null;
}

/** Applies an action that `checkAction` accepted. */
export function applyAction(state: PipelineState, request: PipelineActionRequest, ctx: ActionContext): Transition {
  const { now } = ctx;
  const actor = request.actor.userId;
  switch (request.action) {
    case 'confirm': {
      const next = moveTo(state, 'attendance', { seat: 'confirmed' });
      return {
        state: next,
        event: event(state, next, 'confirm', actor),
        deadline: { from: state.course.endsAt, dueAfter: 'courseEndGrace', onDue: 'escalate' },
        effects: [{ kind: 'confirm_seat' }],
      };
    }
    case 'decline': {
      const next = ended(state, 'declined', { seat: 'released' });
      return {
        state: next,
        event: event(state, next, 'decline', actor, request.reason ? { reason: request.reason } : {}),
        deadline: null,
        effects: releaseOf(state, 'declined'),
      };
    }
    case 'withdraw': {
      const effects: Effect[] = releaseOf(state, 'withdrawn');
      if (state.offer) {
        effects.push({ kind: 'close_offer', offerId: state.offer.offerId, status: 'withdrawn' });
      }
      const seat = effects.some((e) => e.kind === 'release_seat') ? 'released' : state.seat;
      const next = ended(state, 'withdrawn', { seat, offer: null });
      return {
        state: next,
        event: event(state, next, 'withdraw', actor, { reason: request.reason }),
        deadline: null,
        effects,
      };
    }
    case 'exam-result': {
      const sitting = (state.examSittings + 1) as 1 | 2;
      const certified = request.passed && state.course.examCertificate !== null;
      const effects: Effect[] = [
        { kind: 'exam_result', sitting, passed: request.passed, certificate: state.course.examCertificate },
      ];
      const data = { sitting, passed: request.passed, certificate: certified ? state.course.examCertificate : null };
      if (!request.passed && sitting === 1) {
        const next = moveTo(state, 'retake', { examSittings: sitting });
        return {
          state: next,
          event: event(state, next, 'exam_result', actor, data),
          deadline: { from: now, dueAfter: 'retake', onDue: 'escalate' },
          effects,
        };
      }
      const patched = { ...state, examSittings: sitting, certified };
      const onward = towardsFair(patched, now);
      const next = moveTo(patched, onward.step);
      return {
        state: next,
        event: event(state, next, 'exam_result', actor, data),
        deadline: onward.plan,
        effects: [...effects, ...onward.effects],
      };
    }
    case 'record-offer': {
      if (!ctx.offerId) {
        throw new Error('record-offer needs an offer id from the workflow');
      }
      const offer = { offerId: ctx.offerId, openingId: request.openingId };
      const next = moveTo(state, 'offer', { offer });
      return {
        state: next,
        event: event(state, next, 'record-offer', actor, offer),
        deadline: { from: now, dueAfter: 'offerAnswer', onDue: 'lapse' },
        effects: [{ kind: 'open_offer', ...offer }],
      };
    }
    case 'accept-offer': {
      const offer = state.offer!;
      const placement = { offerId: offer.offerId, openingId: offer.openingId, placedAt: now };
      const next = moveTo(state, 'followup_1m', { offer: null, placement });
      return {
        state: next,
        event: event(state, next, 'accept-offer', actor, { offerId: offer.offerId, openingId: offer.openingId }),
        deadline: { from: now, opensAfter: 'followUp1', dueAfter: 'followUpWithin', onDue: 'escalate' },
        effects: [{ kind: 'close_offer', offerId: offer.offerId, status: 'accepted' }],
      };
    }
    case 'decline-offer': {
      const offer = state.offer!;
      const next = moveTo(state, 'matching', { offer: null });
      return {
        state: next,
        event: event(state, next, 'decline-offer', actor, {
          offerId: offer.offerId,
          openingId: offer.openingId,
          ...(request.reason ? { reason: request.reason } : {}),
        }),
        deadline: matchingPlan(now),
        effects: [{ kind: 'close_offer', offerId: offer.offerId, status: 'declined' }],
      };
    }
    case 'follow-up':
      return followUp(state, request, now);
  }
}

function followUp(
  state: PipelineState,
  request: PipelineActionRequest & { action: 'follow-up' },
  now: number,
): Transition {
  const round = state.step === 'followup_1m' ? 1 : 3;
  const placement = state.placement!;
  const data = {
    round,
    stillEmployed: request.stillEmployed,
    openingId: placement.openingId,
    ...(request.note ? { note: request.note } : {}),
  };
  const actor = request.actor.userId;
  if (!request.stillEmployed) {
    const next = moveTo(state, 'matching', { placement: null });
    return {
      state: next,
      event: event(state, next, 'follow-up', actor, data),
      deadline: matchingPlan(now),
      effects: [{ kind: 'close_offer', offerId: placement.offerId, status: 'left' }, { kind: 'push_openings' }],
    };
  }
  if (round === 1) {
    const next = moveTo(state, 'followup_3m');
    return {
      state: next,
      event: event(state, next, 'follow-up', actor, data),
      deadline: { from: placement.placedAt, opensAfter: 'followUp3', dueAfter: 'followUpWithin', onDue: 'escalate' },
      effects: [],
    };
  }
  const next = ended(state, 'closed');
  return { state: next, event: event(state, next, 'follow-up', actor, data), deadline: null, effects: [] };
}

/** A seat came free and the course's waiting list reached this trainee. */
export function onSeatOffered(state: PipelineState, now: number): Transition | null {
  if (state.status !== 'open' || state.step !== 'waitlist') {
    return null;
  }
  const next = moveTo(state, 'confirm', { seat: 'offered' });
  return {
    state: next,
    event: event(state, next, 'seat_offered', null),
    deadline: { from: now, dueAfter: 'confirm', onDue: 'expire' },
    effects: [],
  };
}

/**
 * The course closed. A trainee in class completes it with enough attendance (then the exam, or the fair) or
 * ends `not_completed`; a seat still unconfirmed lapses; the waiting list ends without a seat.
 */
export function onCourseEnded(state: PipelineState, result: CourseEnded, now: number): Transition | null {
  if (state.status !== 'open') {
    return null;
  }
  const data = { attended: result.attended, sessions: result.sessions };
  if (state.step === 'waitlist' || state.step === 'confirm') {
    const next = ended(state, state.step === 'waitlist' ? 'not_admitted' : 'expired', { seat: 'released' });
    return {
      state: next,
      event: event(state, next, 'course_ended', null, { ...data, completed: false }),
      deadline: null,
      effects: [{ kind: 'release_seat', reason: 'course_ended', promoteNext: false }],
    };
  }
  if (state.step !== 'attendance') {
    return null;
  }
  const completed = attendanceMet(result.attended, result.sessions, state.course.requiredAttendancePct);
  if (!completed) {
    const next = ended(state, 'not_completed');
    return {
      state: next,
      event: event(state, next, 'course_ended', null, { ...data, completed }),
      deadline: null,
      effects: [],
    };
  }
  if (state.course.examCertificate !== null) {
    const next = moveTo(state, 'exam');
    return {
      state: next,
      event: event(state, next, 'course_ended', null, { ...data, completed }),
      deadline: { from: now, dueAfter: 'exam', onDue: 'escalate' },
      effects: [],
    };
  }
  const onward = towardsFair(state, now);
  const next = moveTo(state, onward.step);
  return {
    state: next,
    event: event(state, next, 'course_ended', null, { ...data, completed }),
    deadline: onward.plan,
    effects: onward.effects,
  };
}

/** The course workflow arranged the hiring fair and invites this trainee. */
export function onFairInvited(state: PipelineState, invitation: FairInvitation, now: number): Transition | null {
  if (state.status !== 'open' || state.fair?.fairId === invitation.fairId) {
    return null;
  }
  const data = { fairId: invitation.fairId, heldAt: new Date(invitation.heldAt).toISOString() };
  if (state.step === 'fair') {
    const onward = towardsFair({ ...state, fair: invitation }, now);
    const next = moveTo(state, onward.step, { fair: invitation });
    return {
      state: next,
      event: event(state, next, 'fair_invited', null, data),
      deadline: onward.plan,
      effects: onward.effects,
    };
  }
  if (!['attendance', 'exam', 'retake'].includes(state.step)) {
    return null;
  }
  const next = note(state, { fair: invitation });
  return { state: next, event: event(state, next, 'fair_invited', null, data), deadline: 'keep', effects: [] };
}

/** The next moment the clock needs attention, or null when nothing is pending. */
export function nextTimer(state: PipelineState): TimerPoint | null {
  const clock = state.clock;
  if (state.status !== 'open' || !clock || clock.stepSeq !== state.stepSeq) {
    return null;
  }
  if (clock.opensAt !== null && !clock.opened) {
    return { kind: 'opens', at: clock.opensAt, stepSeq: clock.stepSeq };
  }
  if (clock.onDue === 'escalate' && clock.escalated) {
    return null;
  }
  return { kind: 'due', at: clock.dueAt, stepSeq: clock.stepSeq };
}

/** What a timer does when it fires; null when the pipeline moved on since it was set. */
export function onTimer(state: PipelineState, point: TimerPoint, now: number): Transition | null {
  const clock = state.clock;
  const current = nextTimer(state);
  if (!clock || !current || current.kind !== point.kind || current.stepSeq !== point.stepSeq) {
    return null;
  }
  const dueAt = new Date(clock.dueAt).toISOString();
  if (point.kind === 'opens') {
    const next = note(state, { clock: { ...clock, opened: true } });
    return {
      state: next,
      event: event(state, next, 'follow_up_due', null, { dueAt }),
      deadline: 'keep',
      effects: [{ kind: 'notify_officers', reason: 'follow_up_due' }],
    };
  }
  switch (clock.onDue) {
    case 'not_admitted':
    case 'expire': {
      const status = clock.onDue === 'expire' ? 'expired' : 'not_admitted';
      const next = ended(state, status, { seat: 'released' });
      return {
        state: next,
        event: event(state, next, status, null, { dueAt }),
        deadline: null,
        effects: releaseOf(state, status),
      };
    }
    case 'escalate': {
      // Known limit: a stalled step is escalated once, to the nearest employment officer; it does not climb further
      // up the tree as a late case step does.
      const next = note(state, { clock: { ...clock, escalated: true } });
      return {
        state: next,
        event: event(state, next, 'escalated', null, { step: state.step, dueAt }),
        deadline: 'keep',
        effects: [{ kind: 'notify_officers', reason: 'stalled' }],
      };
    }
    case 'fair_held': {
      const next = moveTo(state, 'matching');
      return {
        state: next,
        event: event(state, next, 'fair_held', null, { fairId: state.fair?.fairId ?? null }),
        deadline: matchingPlan(now),
        effects: [{ kind: 'push_openings' }],
      };
    }
    case 'lapse': {
      const offer = state.offer!;
      const next = moveTo(state, 'matching', { offer: null });
      return {
        state: next,
        event: event(state, next, 'offer_lapsed', null, { offerId: offer.offerId, openingId: offer.openingId }),
        deadline: matchingPlan(now),
        effects: [{ kind: 'close_offer', offerId: offer.offerId, status: 'lapsed' }],
      };
    }
  }
}
