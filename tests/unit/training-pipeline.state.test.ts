import { describe, expect, test } from 'vitest';
import type { StaffRole } from '../../workflows/shared/case-vocabulary.js';
import type { UnitRef } from '../../workflows/shared/org-path.js';
import { DEFAULT_PIPELINE_LIMITS, attendanceMet } from '../../workflows/shared/training-vocabulary.js';
import {
  applyAction,
  checkAction,
  nextTimer,
  onCourseEnded,
  onFairInvited,
  onSeatOffered,
  onTimer,
  openingTransition,
  type PipelineActionInput,
  type PipelineClock,
  type PipelineOpening,
  type PipelineState,
  type Transition,
} from '../../workflows/trainee-pipeline/trainee-pipeline.state.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.UTC(2026, 5, 1, 2, 0);

const unit = (path: string): UnitRef => ({ id: path.split('/').filter(Boolean).at(-1)!, path });
const city = unit('/city/');
const district = unit('/city/d1/');
const grassroots = unit('/city/d1/t1/g1/');
const otherDistrict = unit('/city/d2/');

const actor = (role: StaffRole, at: UnitRef = district) => ({ userId: `user-${role}-${at.id}`, role, unit: at });
const trainer = actor('trainer', city);
const officer = actor('employment_officer');

function opening(examCertificate: string | null = 'uom_drone_pilot'): PipelineOpening {
  return {
    pipelineId: 'p-1',
    requestId: 'r-1',
    workerId: 'w-1',
    workerUnit: grassroots,
    surveyId: 's-1',
    openedBy: trainer,
    course: {
      courseId: 'c-1',
      startsAt: T0 + DAY,
      endsAt: T0 + 10 * DAY,
      sessions: 10,
      requiredAttendancePct: 80,
      examCertificate,
    },
    limits: DEFAULT_PIPELINE_LIMITS,
  };
}

/** The clock an activity would answer: deadlines here are simple offsets, the calendar is tested elsewhere. */
function adopt(transition: Transition): PipelineState {
  const { state, deadline } = transition;
  if (deadline === 'keep') {
    return state;
  }
  if (deadline === null) {
    return { ...state, clock: null };
  }
  const opensAt = deadline.opensAfter ? deadline.from + DAY : null;
  const clock: PipelineClock = {
    stepSeq: state.stepSeq,
    opensAt,
    dueAt: deadline.dueAfter ? (opensAt ?? deadline.from) + DAY : (opensAt ?? deadline.from),
    onDue: deadline.onDue,
    opened: false,
    escalated: false,
  };
  return { ...state, clock };
}

function open(seat: 'offered' | 'waitlisted', examCertificate: string | null = 'uom_drone_pilot'): PipelineState {
  return { ...adopt(openingTransition(opening(examCertificate), seat, T0)), recorded: true };
}

function act(state: PipelineState, input: PipelineActionInput, by = officer, now = T0): PipelineState {
  const request = { ...input, actor: by };
  const rejection = checkAction(state, request, now);
  if (rejection) {
    throw new Error(`${input.action} refused: ${rejection.type} ${rejection.message}`);
  }
  const transition = applyAction(state, request, { now, offerId: 'offer-1' });
  expect(transition.event.seq).toBe(state.seq + 1);
  return adopt(transition);
}

/** The state after a signal that must have been taken. */
function signalled(transition: Transition | null): PipelineState {
  if (!transition) {
    throw new Error('signal ignored');
  }
  return adopt(transition);
}

/** A confirmed trainee whose course ended with full attendance: at the exam. */
function atExam(): PipelineState {
  const inClass = act(open('offered'), { action: 'confirm' }, trainer);
  return signalled(onCourseEnded(inClass, { attended: 10, sessions: 10 }, T0));
}

describe('trainee pipeline state: enrolment', () => {
  test('a seat offered waits for confirmation until the confirm limit, on the working-day calendar', () => {
    const transition = openingTransition(opening(), 'offered', T0);

    expect(transition.state).toMatchObject({ status: 'open', step: 'confirm', seat: 'offered', seq: 1, stepSeq: 1 });
    expect(transition.deadline).toEqual({ from: T0, dueAfter: 'confirm', onDue: 'expire' });
    expect(DEFAULT_PIPELINE_LIMITS.confirm).toEqual({ duration: 'P3D', calendar: 'working' });
  });

  test('a place on the waiting list lasts until the course starts', () => {
    const transition = openingTransition(opening(), 'waitlisted', T0);

    expect(transition.state.step).toBe('waitlist');
    expect(transition.deadline).toEqual({ from: T0 + DAY, onDue: 'not_admitted' });
  });

  test('confirming moves to the course and confirms the seat; declining releases it for the next on the list', () => {
    const confirmed = applyAction(open('offered'), { action: 'confirm', actor: trainer }, { now: T0, offerId: null });
    const declined = applyAction(open('offered'), { action: 'decline', actor: trainer }, { now: T0, offerId: null });

    expect([confirmed.state.step, confirmed.effects]).toEqual(['attendance', [{ kind: 'confirm_seat' }]]);
    expect(confirmed.deadline).toEqual({ from: T0 + 10 * DAY, dueAfter: 'courseEndGrace', onDue: 'escalate' });
    expect([declined.state.status, declined.state.step]).toEqual(['declined', 'done']);
    expect(declined.effects).toEqual([{ kind: 'release_seat', reason: 'declined', promoteNext: true }]);
  });

  test('a missed confirmation expires the seat and hands it on; the waiting list is offered it by signal', () => {
    const offered = open('offered');
    const point = nextTimer(offered)!;
    const expired = onTimer(offered, point, point.at)!;
    const waiting = open('waitlisted');
    const promoted = onSeatOffered(waiting, T0)!;

    expect(point).toEqual({ kind: 'due', at: T0 + DAY, stepSeq: 1 });
    expect([expired.state.status, expired.event.kind]).toEqual(['expired', 'expired']);
    expect(expired.effects).toEqual([{ kind: 'release_seat', reason: 'expired', promoteNext: true }]);
    expect([promoted.state.step, promoted.state.seat, promoted.event.kind]).toEqual([
      'confirm',
      'offered',
      'seat_offered',
    ]);
    expect(promoted.deadline).toEqual({ from: T0, dueAfter: 'confirm', onDue: 'expire' });
    expect(onSeatOffered(offered, T0)).toBeNull();
  });

  test('the waiting list ends at the course start without promoting anyone', () => {
    const waiting = open('waitlisted');
    const ended = onTimer(waiting, nextTimer(waiting)!, T0 + DAY)!;

    expect(ended.state.status).toBe('not_admitted');
    expect(ended.effects).toEqual([{ kind: 'release_seat', reason: 'not_admitted', promoteNext: false }]);
  });

  test('a stale timer (the step moved on) does nothing', () => {
    const offered = open('offered');
    const point = nextTimer(offered)!;
    const confirmed = act(offered, { action: 'confirm' }, trainer);

    expect(onTimer(confirmed, point, point.at)).toBeNull();
  });
});

describe('trainee pipeline state: course, exam and fair', () => {
  test('attendance below the required share ends the pipeline as not completed', () => {
    const inClass = act(open('offered'), { action: 'confirm' }, trainer);
    const ended = onCourseEnded(inClass, { attended: 7, sessions: 10 }, T0)!;

    expect([ended.state.status, ended.event.data]).toEqual([
      'not_completed',
      { attended: 7, sessions: 10, completed: false },
    ]);
    expect(attendanceMet(8, 10, 80)).toBe(true);
    expect(attendanceMet(7, 10, 80)).toBe(false);
  });

  test('a failed exam goes to the retake; failing the retake still reaches the fair, without a certificate', () => {
    const exam = atExam();
    const retake = act(exam, { action: 'exam-result', passed: false }, trainer);
    const afterRetake = act(retake, { action: 'exam-result', passed: false }, trainer);

    expect(exam.step).toBe('exam');
    expect([retake.step, retake.examSittings]).toEqual(['retake', 1]);
    expect([afterRetake.step, afterRetake.examSittings, afterRetake.certified]).toEqual(['fair', 2, false]);
  });

  test('passing the retake issues the certificate', () => {
    const retake = act(atExam(), { action: 'exam-result', passed: false }, trainer);
    const transition = applyAction(
      retake,
      { action: 'exam-result', passed: true, actor: trainer },
      { now: T0, offerId: null },
    );

    expect(transition.effects[0]).toEqual({
      kind: 'exam_result',
      sitting: 2,
      passed: true,
      certificate: 'uom_drone_pilot',
    });
    expect(transition.state.certified).toBe(true);
    expect(transition.event.data).toEqual({ sitting: 2, passed: true, certificate: 'uom_drone_pilot' });
  });

  test('an invitation that arrives during the exam waits; passing then goes to the fair at its time', () => {
    const invited = signalled(onFairInvited(atExam(), { fairId: 'f-1', heldAt: T0 + 3 * DAY }, T0));
    const passed = applyAction(
      invited,
      { action: 'exam-result', passed: true, actor: trainer },
      { now: T0, offerId: null },
    );

    expect(invited.step).toBe('exam');
    expect(passed.state.step).toBe('fair');
    expect(passed.deadline).toEqual({ from: T0 + 3 * DAY, onDue: 'fair_held' });
  });

  test('a course without exam goes straight towards the fair, escalating if no invitation comes', () => {
    const inClass = act(open('offered', null), { action: 'confirm' }, trainer);
    const ended = onCourseEnded(inClass, { attended: 9, sessions: 10 }, T0)!;

    expect(ended.state.step).toBe('fair');
    expect(ended.deadline).toEqual({ from: T0, dueAfter: 'invitation', onDue: 'escalate' });
  });

  test('the fair being held opens matching and pushes openings; a fair already past skips straight to matching', () => {
    const inClass = act(open('offered', null), { action: 'confirm' }, trainer);
    const waiting = signalled(onCourseEnded(inClass, { attended: 10, sessions: 10 }, T0));
    const invited = signalled(onFairInvited(waiting, { fairId: 'f-1', heldAt: T0 + DAY }, T0));
    const held = onTimer(invited, nextTimer(invited)!, T0 + DAY)!;
    const late = onFairInvited(waiting, { fairId: 'f-1', heldAt: T0 - DAY }, T0)!;

    expect(invited.clock).toMatchObject({ onDue: 'fair_held', dueAt: T0 + DAY });
    expect([held.state.step, held.effects]).toEqual(['matching', [{ kind: 'push_openings' }]]);
    expect(held.deadline).toEqual({ from: T0 + DAY, dueAfter: 'placement', onDue: 'escalate' });
    expect(late.state.step).toBe('matching');
    expect(onFairInvited(invited, { fairId: 'f-1', heldAt: T0 + DAY }, T0)).toBeNull();
  });
});

describe('trainee pipeline state: offers, placement and follow-ups', () => {
  function atMatching(): PipelineState {
    const inClass = act(open('offered', null), { action: 'confirm' }, trainer);
    const waiting = signalled(onCourseEnded(inClass, { attended: 10, sessions: 10 }, T0));
    return signalled(onFairInvited(waiting, { fairId: 'f-1', heldAt: T0 - MINUTE }, T0));
  }

  test('an offer waits for an answer; accepting places the trainee and opens the one-month follow-up later', () => {
    const offered = act(atMatching(), { action: 'record-offer', openingId: 'o-1' });
    const accepted = applyAction(offered, { action: 'accept-offer', actor: officer }, { now: T0, offerId: null });

    expect([offered.step, offered.offer]).toEqual(['offer', { offerId: 'offer-1', openingId: 'o-1' }]);
    expect(accepted.effects).toEqual([{ kind: 'close_offer', offerId: 'offer-1', status: 'accepted' }]);
    expect(accepted.state.placement).toEqual({ offerId: 'offer-1', openingId: 'o-1', placedAt: T0 });
    expect(accepted.deadline).toEqual({
      from: T0,
      opensAfter: 'followUp1',
      dueAfter: 'followUpWithin',
      onDue: 'escalate',
    });
  });

  test('an unanswered offer lapses back to matching', () => {
    const offered = act(atMatching(), { action: 'record-offer', openingId: 'o-1' });
    const lapsed = onTimer(offered, nextTimer(offered)!, T0 + DAY)!;

    expect([lapsed.state.step, lapsed.event.kind]).toEqual(['matching', 'offer_lapsed']);
    expect(lapsed.effects).toEqual([{ kind: 'close_offer', offerId: 'offer-1', status: 'lapsed' }]);
  });

  test('a follow-up cannot be recorded before it is due; once due, staff are told; 3 months employed closes', () => {
    const placed = act(act(atMatching(), { action: 'record-offer', openingId: 'o-1' }), { action: 'accept-offer' });
    const early = checkAction(placed, { action: 'follow-up', stillEmployed: true, actor: officer }, T0);
    const opensPoint = nextTimer(placed)!;
    const due = onTimer(placed, opensPoint, opensPoint.at)!;
    const oneMonth = act(due.state, { action: 'follow-up', stillEmployed: true }, officer, opensPoint.at);
    const threeMonths = act(
      { ...oneMonth, clock: { ...oneMonth.clock!, opened: true } },
      { action: 'follow-up', stillEmployed: true },
      officer,
      T0 + 5 * DAY,
    );

    expect(early?.type).toBe('NotDueYetError');
    expect(early?.message).toMatch(/^回访尚未到期，\d{4}-\d{2}-\d{2} \d{2}:\d{2} 起可登记$/);
    expect(opensPoint).toEqual({ kind: 'opens', at: T0 + DAY, stepSeq: placed.stepSeq });
    expect([due.event.kind, due.effects]).toEqual([
      'follow_up_due',
      [{ kind: 'notify_officers', reason: 'follow_up_due' }],
    ]);
    expect(nextTimer(due.state)).toMatchObject({ kind: 'due' });
    expect(oneMonth.step).toBe('followup_3m');
    expect([threeMonths.status, threeMonths.step]).toEqual(['closed', 'done']);
  });

  test('a follow-up that finds the trainee out of work goes back to matching with fresh openings', () => {
    const placed = act(act(atMatching(), { action: 'record-offer', openingId: 'o-1' }), { action: 'accept-offer' });
    const due = onTimer(placed, nextTimer(placed)!, T0 + DAY)!.state;
    const left = applyAction(
      due,
      { action: 'follow-up', stillEmployed: false, actor: officer },
      { now: T0 + DAY, offerId: null },
    );

    expect(left.state.step).toBe('matching');
    expect(left.state.placement).toBeNull();
    expect(left.effects).toEqual([
      { kind: 'close_offer', offerId: 'offer-1', status: 'left' },
      { kind: 'push_openings' },
    ]);
  });

  test('a stalled step escalates once, then waits without a timer', () => {
    const matching = atMatching();
    const escalated = onTimer(matching, nextTimer(matching)!, matching.clock!.dueAt)!;

    expect([escalated.event.kind, escalated.deadline, escalated.effects]).toEqual([
      'escalated',
      'keep',
      [{ kind: 'notify_officers', reason: 'stalled' }],
    ]);
    expect(nextTimer(escalated.state)).toBeNull();
  });
});

describe('trainee pipeline state: who may do what', () => {
  test('refuses a wrong step, a wrong role, a trainee outside the unit, and a closed pipeline', () => {
    const offered = open('offered');
    const check = (input: PipelineActionInput, by: ReturnType<typeof actor>, state = offered) =>
      checkAction(state, { ...input, actor: by }, T0)?.type ?? null;
    const declined = act(offered, { action: 'decline' }, trainer);

    expect(check({ action: 'accept-offer' }, officer)).toBe('StepMismatchError');
    expect(check({ action: 'confirm' }, actor('caseworker'))).toBe('RoleNotAllowedError');
    expect(check({ action: 'confirm' }, actor('trainer', otherDistrict))).toBe('NotStepHolderError');
    expect(check({ action: 'record-offer', openingId: 'o-1' }, trainer)).toBe('RoleNotAllowedError');
    expect(check({ action: 'confirm' }, trainer, declined)).toBe('PipelineNotOpenError');
    expect(check({ action: 'confirm' }, trainer, { ...offered, recorded: false })).toBe('PipelineNotOpenError');
    expect(check({ action: 'confirm' }, trainer)).toBeNull();
  });

  test('withdrawal ends any step, releasing a seat held before the course ends and any pending offer', () => {
    const inClass = act(open('offered'), { action: 'confirm' }, trainer);
    const fromClass = applyAction(
      inClass,
      { action: 'withdraw', reason: '外出务工', actor: trainer },
      { now: T0, offerId: null },
    );

    expect([fromClass.state.status, fromClass.effects]).toEqual([
      'withdrawn',
      [{ kind: 'release_seat', reason: 'withdrawn', promoteNext: true }],
    ]);
    expect(fromClass.event.data).toEqual({ reason: '外出务工' });
  });
});
