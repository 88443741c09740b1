import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { notify, shortIo } from '../shared/activity-options.js';
import type { CaseStatus } from '../shared/case-vocabulary.js';
import { FailureType } from '../shared/failure-types.js';
import { SerialQueue } from '../shared/lock.js';
import { CASE_STATUS, CASE_STEP, HOLDER_UNIT_ID } from '../shared/search-attributes.js';
import {
  actUpdate,
  calendarChangedSignal,
  caseSnapshotQuery,
  openedUpdate,
  suspendUpdate,
} from './case-lifecycle.messages.js';
import type { TransitionRecord } from './case-lifecycle.records.js';
import {
  applyAction,
  assigneeOf,
  checkAction,
  checkSuspension,
  initialState,
  nextTimerPoint,
  openingEvent,
  type ActionRequest,
  type CaseOpening,
  type CaseState,
  type Rejection,
  type StepClock,
  type TimerPoint,
  type Transition,
} from './case-lifecycle.state.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);
const notices = proxyActivities<ReturnType<typeof createActivities>>(notify);

export type CaseWorkflowInput = { kind: 'open'; opening: CaseOpening } | { kind: 'continue'; state: CaseState };

export interface CaseOutcome {
  caseId: string;
  status: CaseStatus;
}

function throwIfRejected(rejection: Rejection | null): void {
  if (rejection) {
    throw ApplicationFailure.create({ type: rejection.type, message: rejection.message, nonRetryable: true });
  }
}

/**
 * One assistance case (工单), from opening to closure, withdrawal or a not-eligible finding.
 *
 * Holds the current step, the unit that must act on it and the step's clock. Actions arrive as the `act`
 * update, suspensions as `suspend`; both are validated synchronously and answer after the read model is
 * written. Every step carries a durable deadline: a reminder at 75% of the limit, overdue and escalation to
 * the holder's parent at the limit, and one level further up after each further full limit, up to the city.
 * Every write is an idempotent activity keyed on the case id and the event sequence number.
 */
export async function caseLifecycleWorkflow(input: CaseWorkflowInput): Promise<CaseOutcome> {
  let state: CaseState = input.kind === 'open' ? initialState(input.opening) : input.state;
  let timersVersion = 0;
  let calendarChanged: number | null = null;
  const writes = new SerialQueue();
  const replan = () => timersVersion++;

  setHandler(openedUpdate, async () => {
    await condition(() => state.recorded);
    return state;
  });
  setHandler(
    actUpdate,
    async (request) => {
      throwIfRejected(checkAction(state, request));
      if (request.action === 'resume') {
        await endSuspension(request);
        return state;
      }
      if (request.action === 'approve' || request.action === 'deliver') {
        await writes.run(() => moveMoneyThenPersist(request));
        return state;
      }
      const releaseFrom = state.fundsReserved ? state.planVersion : null;
      const transition = applyAction(state, request);
      state = transition.state;
      replan();
      await writes.run(async () => {
        await persist(transition);
        if (releaseFrom !== null && state.status !== 'open') {
          await records.releaseFunds({ caseId: state.caseId, planVersion: releaseFrom });
        }
      });
      return state;
    },
    { validator: (request) => throwIfRejected(checkAction(state, request)) },
  );
  setHandler(
    suspendUpdate,
    async (request) => {
      throwIfRejected(checkSuspension(state, request, Date.now()));
      const from = Date.now();
      const until = Date.parse(request.until);
      const seq = ++state.seq;
      state.suspension = { reason: request.reason, from, until };
      replan();
      await writes.run(() =>
        records.recordSuspension({
          caseId: state.caseId,
          seq,
          stepSeq: state.stepSeq,
          occurredAt: from,
          actorUserId: request.actor.userId,
          actorUnitId: request.actor.unit.id,
          step: state.step,
          reason: request.reason,
          until,
        }),
      );
      return state;
    },
    { validator: (request) => throwIfRejected(checkSuspension(state, request, Date.now())) },
  );
  setHandler(calendarChangedSignal, ({ year }) => {
    calendarChanged = year;
    replan();
  });
  setHandler(caseSnapshotQuery, () => state);

  async function persist(transition: Transition): Promise<void> {
    const { state: next, event } = transition;
    const record: TransitionRecord = {
      caseId: next.caseId,
      occurredAt: Date.now(),
      event,
      caseRow: {
        status: next.status,
        step: next.step,
        holder: next.holder,
        assigneeUnitId: assigneeOf(next).id,
        stepSeq: next.stepSeq,
      },
      completedStepSeq: event.kind === 'opened' ? null : next.stepSeq - 1,
      newStep: transition.newStep
        ? { stepSeq: next.stepSeq, step: next.step as never, holder: next.holder, startedAt: Date.now() }
        : null,
      category: next.category,
      urgency: next.urgency,
      policyVersion: next.policyVersion,
      ...(event.kind === 'opened' && input.kind === 'open' ? { opening: input.opening } : {}),
    };
    const clock = await records.recordCaseTransition(record);
    adoptClock(clock, next.stepSeq);
  }

  /**
   * Search attributes for operators browsing the Temporal UI: set when the case ends (they are set at start).
   * Staff lists read the PostgreSQL read model, so updating them on every step would only lengthen history.
   */
  function markEnded(): void {
    upsertSearchAttributes([
      { key: CASE_STEP, value: state.step },
      { key: CASE_STATUS, value: state.status },
      { key: HOLDER_UNIT_ID, value: state.holder.id },
    ]);
  }

  /**
   * Approval reserves the plan's total on the approving unit's budget and delivery pays it. Both run in the
   * write queue, re-checked against the state they meet there, so two approvers at once cannot both pass; the
   * step changes only after the money moved. A budget that cannot cover the plan fails the approval (the plan
   * waits at approve, flagged) without changing the case.
   */
  async function moveMoneyThenPersist(request: ActionRequest & { action: 'approve' | 'deliver' }): Promise<void> {
    throwIfRejected(checkAction(state, request));
    const plan = state.plan ?? [];
    if (request.action === 'approve') {
      const outcome = await records.reserveFunds({
        caseId: state.caseId,
        seq: state.seq + 1,
        stepSeq: state.stepSeq,
        planVersion: state.planVersion,
        approverUnitId: state.holder.id,
        totalFen: plan.reduce((sum, item) => sum + item.amountFen, 0),
        occurredAt: Date.now(),
      });
      if (!outcome.ok) {
        state.seq++;
        throw ApplicationFailure.create({
          type: FailureType.FundsUnavailable,
          message: `暂不能审批：${outcome.message}`,
          nonRetryable: true,
        });
      }
    } else {
      await records.payFunds({
        caseId: state.caseId,
        planVersion: state.planVersion,
        items: plan,
        method: request.method,
        reference: request.reference,
        occurredAt: Date.now(),
      });
    }
    const transition = applyAction(state, request);
    state = transition.state;
    replan();
    await persist(transition);
  }

  function adoptClock(clock: StepClock | null, stepSeq: number): void {
    if (clock && state.stepSeq === stepSeq) {
      state.clock = clock;
      replan();
    }
  }

  async function endSuspension(request: ActionRequest | null): Promise<void> {
    const suspension = state.suspension;
    const clock = state.clock;
    if (!suspension || !clock) {
      return;
    }
    const endedPause = { from: suspension.from, to: Math.min(Date.now(), suspension.until) };
    const seq = ++state.seq;
    const stepSeq = state.stepSeq;
    state.suspension = null;
    state.clock = { ...clock, pauses: [...clock.pauses, endedPause] };
    replan();
    await writes.run(async () => {
      const moved = await records.rescheduleStep({
        caseId: state.caseId,
        seq,
        occurredAt: Date.now(),
        kind: 'resumed',
        step: state.step,
        clock: { ...clock, pauses: [...clock.pauses, endedPause] },
        endedPause,
        ...(request ? { actorUserId: request.actor.userId, actorUnitId: request.actor.unit.id } : {}),
      });
      adoptClock(moved, stepSeq);
    });
  }

  async function moveDeadlineForCalendar(year: number): Promise<void> {
    const clock = state.clock;
    if (!clock || clock.calendar !== 'working' || state.suspension) {
      return;
    }
    const dueAt = await records.previewDeadline({ caseId: state.caseId, clock });
    if (dueAt === clock.dueAt || state.clock !== clock) {
      return;
    }
    const seq = ++state.seq;
    const stepSeq = state.stepSeq;
    await writes.run(async () => {
      const moved = await records.rescheduleStep({
        caseId: state.caseId,
        seq,
        occurredAt: Date.now(),
        kind: 'deadline_moved',
        step: state.step,
        clock,
        year,
      });
      adoptClock(moved, stepSeq);
    });
  }

  async function fire(point: TimerPoint): Promise<void> {
    const clock = state.clock;
    if (point.kind === 'suspension_end') {
      await endSuspension(null);
      return;
    }
    if (!clock) {
      return;
    }
    if (point.kind === 'reminder') {
      clock.reminded = true;
      if (Date.now() >= clock.dueAt) {
        return;
      }
    } else {
      clock.escalatedLevel = point.escalation.level;
    }
    const level = point.kind === 'reminder' ? 0 : point.escalation.level;
    const notice = {
      caseId: state.caseId,
      seq: ++state.seq,
      stepSeq: clock.stepSeq,
      occurredAt: Date.now(),
      step: state.step,
      kind: point.kind === 'reminder' ? 'reminder' : level === 1 ? 'overdue' : 'escalation',
      level,
      unitId: point.kind === 'reminder' ? state.holder.id : point.escalation.unitId,
      dueAt: clock.dueAt,
    } as const;
    log.info('Step deadline notice due', { caseId: state.caseId, kind: notice.kind, level, stepSeq: clock.stepSeq });
    await writes.run(() => notices.sendStepNotice(notice));
  }

  if (input.kind === 'open') {
    const opening = input.opening;
    await writes.run(() =>
      persist({ state, event: openingEvent(opening), newStep: true }).then(() => {
        state.recorded = true;
      }),
    );
    log.info('Case opened', { caseId: state.caseId, category: state.category, urgency: state.urgency });
  }

  while (state.status === 'open') {
    if (workflowInfo().continueAsNewSuggested && writes.idle) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof caseLifecycleWorkflow>({ kind: 'continue', state });
    }
    const seen = timersVersion;
    const point = nextTimerPoint(state);
    const woken = point
      ? await condition(() => timersVersion !== seen, Math.max(point.at - Date.now(), 1))
      : await condition(() => timersVersion !== seen).then(() => true);
    if (calendarChanged !== null) {
      const year = calendarChanged;
      calendarChanged = null;
      await moveDeadlineForCalendar(year);
    } else if (!woken && point) {
      await fire(point);
    }
  }

  await condition(() => writes.idle && allHandlersFinished());
  markEnded();
  log.info('Case ended', { caseId: state.caseId, status: state.status });
  return { caseId: state.caseId, status: state.status };
}
