import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { shortIo } from '../shared/activity-options.js';
import { FailureType } from '../shared/failure-types.js';
import { SerialQueue } from '../shared/lock.js';
import type { PipelineStatus } from '../shared/training-vocabulary.js';
import { traineePipelineWorkflowId } from '../shared/workflow-ids.js';
import {
  courseEndedSignal,
  fairInvitedSignal,
  pipelineActUpdate,
  pipelineOpenedUpdate,
  pipelineSnapshotQuery,
  seatOfferedSignal,
} from './trainee-pipeline.messages.js';
import { rowOf, type PipelineRecord } from './trainee-pipeline.records.js';
import {
  applyAction,
  checkAction,
  nextTimer,
  onCourseEnded,
  onFairInvited,
  onSeatOffered,
  onTimer,
  openingTransition,
  type PipelineOpening,
  type PipelineState,
  type Rejection,
  type Transition,
} from './trainee-pipeline.state.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);

export type PipelineWorkflowInput =
  { kind: 'open'; opening: PipelineOpening } | { kind: 'continue'; state: PipelineState; requestId: string };

export interface PipelineOutcome {
  pipelineId: string;
  /** `refused` when the enrolment was refused (course full, ended, or a duplicate) and nothing was written. */
  status: PipelineStatus | 'refused';
}

const failure = (rejection: Rejection) =>
  ApplicationFailure.create({ type: rejection.type, message: rejection.message, nonRetryable: true });

function throwIfRejected(rejection: Rejection | null): void {
  if (rejection) {
    throw failure(rejection);
  }
}

/**
 * One trainee's way from course to job (培训就业): enrolment (a seat to confirm, or the waiting list), the course,
 * its exam with one retake, the hiring fair, matching and offers, placement and the follow-ups one and three
 * months after it. Started by an enrolment (update-with-start of `pipelineOpened`); the enrolment's seat is
 * claimed in PostgreSQL by the first activity, so a full or ended course ends the workflow at once with nothing
 * written. Actions are the `pipelineAct` update, answered after the read model is written; the course workflow
 * signals the course's end and the fair; a released seat is handed to the next on the waiting list by signal.
 *
 * Every waiting step has a durable deadline worked out by an activity from the course's time limits: a seat not
 * confirmed in time goes to the waiting list, a waiting list ends at the course's start, an unanswered offer
 * lapses, and a step that stalls (no exam result, no invitation, no placement after the fair, a follow-up not
 * recorded) is escalated once to the employment officers of the trainee's union. Writes are idempotent on
 * (pipeline id, event seq) and run one at a time in sequence order.
 */
export async function traineePipelineWorkflow(input: PipelineWorkflowInput): Promise<PipelineOutcome> {
  let state: PipelineState | null = input.kind === 'continue' ? input.state : null;
  let refused: Rejection | null = null;
  let version = 0;
  const requestId = input.kind === 'open' ? input.opening.requestId : input.requestId;
  const pipelineId = input.kind === 'open' ? input.opening.pipelineId : input.state.pipelineId;
  const writes = new SerialQueue();

  setHandler(
    pipelineOpenedUpdate,
    async () => {
      await condition(() => state?.recorded === true || refused !== null);
      throwIfRejected(refused);
      return state!;
    },
    {
      validator: (request) => {
        if (request.requestId !== requestId) {
          throw failure({ type: FailureType.AlreadyEnrolled, message: '该职工已报名此课程，请勿重复报名' });
        }
      },
    },
  );
  setHandler(
    pipelineActUpdate,
    async (request) => {
      await writes.run(async () => {
        const now = Date.now();
        throwIfRejected(checkRequest(request, now));
        const offerId = request.action === 'record-offer' ? uuid4() : null;
        await commit(applyAction(state!, request, { now, offerId }));
      });
      return state!;
    },
    { validator: (request) => throwIfRejected(checkRequest(request, Date.now())) },
  );
  setHandler(seatOfferedSignal, () => react((current) => onSeatOffered(current, Date.now())));
  setHandler(courseEndedSignal, (result) => react((current) => onCourseEnded(current, result, Date.now())));
  setHandler(fairInvitedSignal, (invitation) => react((current) => onFairInvited(current, invitation, Date.now())));
  setHandler(pipelineSnapshotQuery, () => state);

  function checkRequest(request: Parameters<typeof checkAction>[1], now: number): Rejection | null {
    return state
      ? checkAction(state, request, now)
      : { type: FailureType.PipelineNotOpen, message: '该学员的培训就业流程尚在建立，请稍后重试' };
  }

  function recordOf(transition: Transition): PipelineRecord {
    const next = transition.state;
    return {
      pipelineId: next.pipelineId,
      courseId: next.course.courseId,
      workerId: next.workerId,
      occurredAt: Date.now(),
      event: transition.event,
      row: rowOf(next),
      deadline: transition.deadline,
      limits: next.limits,
      effects: transition.effects,
    };
  }

  /** Writes a transition; only once it is stored does it become the workflow's state. */
  async function commit(transition: Transition): Promise<void> {
    const outcome = await records.recordPipelineTransition(recordOf(transition));
    if (!outcome.ok) {
      throw failure(outcome);
    }
    state = transition.state;
    if (transition.deadline !== 'keep') {
      state.clock = outcome.clock;
    }
    version++;
    log.info('Pipeline moved', { pipelineId, kind: transition.event.kind, step: state.step, status: state.status });
    if (outcome.promotedWorkerId) {
      await getExternalWorkflowHandle(traineePipelineWorkflowId(state.course.courseId, outcome.promotedWorkerId))
        .signal(seatOfferedSignal)
        .catch(() => log.warn('Seat offer not delivered to an ended pipeline', { pipelineId }));
    }
  }

  /** Signals cannot answer: a signal that does not fit the step changes nothing, and a failed write is logged. */
  function react(decide: (current: PipelineState) => Transition | null): void {
    void writes.run(async () => {
      const transition = state ? decide(state) : null;
      if (!transition) {
        log.warn('Pipeline signal ignored in this step', { pipelineId, step: state?.step ?? null });
        return;
      }
      await commit(transition).catch((error: unknown) =>
        log.error('Pipeline signal not recorded', { pipelineId, error: String(error) }),
      );
    });
  }

  if (input.kind === 'open') {
    const opening = input.opening;
    const claim = await writes.run(async () => {
      const now = Date.now();
      const outcome = await records.openPipeline({ opening, occurredAt: now });
      if (outcome.ok) {
        state = { ...openingTransition(opening, outcome.seat, now).state, clock: outcome.clock, recorded: true };
        version++;
      } else {
        refused = outcome;
      }
      return outcome;
    });
    if (!claim.ok) {
      await condition(allHandlersFinished);
      log.info('Enrolment refused', { pipelineId, type: claim.type });
      return { pipelineId, status: 'refused' };
    }
    log.info('Pipeline opened', { pipelineId, seat: claim.seat });
  }

  while (state!.status === 'open') {
    if (workflowInfo().continueAsNewSuggested && writes.idle) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof traineePipelineWorkflow>({ kind: 'continue', state: state!, requestId });
    }
    const seen = version;
    const point = nextTimer(state!);
    const woken = point
      ? await condition(() => version !== seen, Math.max(point.at - Date.now(), 1))
      : await condition(() => version !== seen).then(() => true);
    if (!woken && point) {
      await writes.run(async () => {
        const transition = onTimer(state!, point, Date.now());
        if (transition) {
          await commit(transition);
        }
      });
    }
  }

  await condition(() => writes.idle && allHandlersFinished());
  log.info('Pipeline ended', { pipelineId, status: state!.status });
  return { pipelineId, status: state!.status };
}
