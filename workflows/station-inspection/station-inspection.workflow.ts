import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { notify, shortIo } from '../shared/activity-options.js';
import { SerialQueue } from '../shared/lock.js';
import type { InspectionOutcome } from '../shared/station-vocabulary.js';
import {
  inspectionActionUpdate,
  inspectionOpenedUpdate,
  inspectionSnapshotQuery,
} from './station-inspection.messages.js';
import {
  adoptOpening,
  applyInspectionAction,
  checkInspectionAction,
  initialInspectionState,
  nextEscalation,
  type InspectionActionRequest,
  type InspectionEscalation,
  type InspectionRejection,
  type InspectionStart,
  type InspectionState,
} from './station-inspection.state.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);
const notices = proxyActivities<ReturnType<typeof createActivities>>(notify);

export type InspectionWorkflowInput =
  { kind: 'start'; start: InspectionStart } | { kind: 'continue'; state: InspectionState };

export interface InspectionResult {
  inspectionId: string;
  outcome: InspectionOutcome | null;
}

function throwIfRejected(rejection: InspectionRejection | null): void {
  if (rejection) {
    throw ApplicationFailure.create({ type: rejection.type, message: rejection.message, nonRetryable: true });
  }
}

/**
 * One inspection of one rest station (`inspection-<stationId>-<period>`), from assignment to its outcome.
 *
 * Opens by recording the inspection and assigning an inspector of the owning unit (or the nearest unit above with
 * one). The inspector must submit scores within the step's limit; a total below the pass mark orders a
 * rectification with its own limit, which the station's staff report, and the inspector re-inspects within a
 * third limit. An excellent first score records a commendation; a failed re-inspection suspends the station and
 * tells the owning unit's supervisors. Every step's deadline is a durable timer: when it passes, the owning unit's
 * supervisors are told, then one level further up after each further full limit, up to the city.
 *
 * Actions arrive as the `inspectionAction` update, validated synchronously, answered after the read model is
 * written. Every write is an idempotent activity keyed on the inspection id and the event sequence number.
 *
 * Known limits: there is no reminder before a deadline (cases remind at 75%), no way to reassign an inspection
 * to another inspector (any inspector at or above the owning unit may score it instead), and an inspection goes
 * on if its station is suspended or closed by hand meanwhile. Recorded histories of it are replayed by
 * tests/replay (station-histories): a change to its command sequence needs `patched()`.
 */
export async function stationInspectionWorkflow(input: InspectionWorkflowInput): Promise<InspectionResult> {
  let state: InspectionState = input.kind === 'start' ? initialInspectionState(input.start) : input.state;
  let version = 0;
  const writes = new SerialQueue();
  const replan = () => version++;

  setHandler(inspectionOpenedUpdate, async () => {
    await condition(() => state.recorded);
    return state;
  });
  setHandler(
    inspectionActionUpdate,
    async (request) => {
      await writes.run(() => act(request));
      return state;
    },
    { validator: (request) => throwIfRejected(checkInspectionAction(state, request)) },
  );
  setHandler(inspectionSnapshotQuery, () => state);

  /** Runs in the write queue, so it meets the state every earlier action left: two submits cannot both pass. */
  async function act(request: InspectionActionRequest): Promise<void> {
    throwIfRejected(checkInspectionAction(state, request));
    const transition = applyInspectionAction(state, request);
    state = transition.state;
    replan();
    const startedAt = Date.now();
    const clock = await records.recordInspectionTransition({
      inspectionId: state.inspectionId,
      occurredAt: startedAt,
      event: transition.event,
      row: {
        status: state.status,
        step: state.step,
        outcome: state.outcome,
        firstScore: state.firstScore,
        finalScore: state.finalScore,
        stepSeq: state.stepSeq,
      },
      newStep:
        transition.newStep && state.step !== 'done' ? { stepSeq: state.stepSeq, step: state.step, startedAt } : null,
      effect: transition.effect,
    });
    if (clock && clock.stepSeq === state.stepSeq) {
      state.clock = clock;
      replan();
    }
    log.info('Inspection action recorded', {
      inspectionId: state.inspectionId,
      action: request.action,
      step: state.step,
      outcome: state.outcome,
    });
  }

  /** A deadline passed: record it and tell who must know, unless the step moved on meanwhile. */
  async function escalate(escalation: InspectionEscalation, stepSeq: number): Promise<void> {
    await writes.run(async () => {
      const clock = state.clock;
      if (!clock || clock.stepSeq !== stepSeq || state.status !== 'open') {
        return;
      }
      clock.escalatedLevel = escalation.level;
      const seq = ++state.seq;
      log.info('Inspection step late', { inspectionId: state.inspectionId, step: clock.step, level: escalation.level });
      await notices.sendInspectionNotice({
        inspectionId: state.inspectionId,
        seq,
        stepSeq,
        step: clock.step,
        occurredAt: Date.now(),
        level: escalation.level,
        unitId: escalation.unitId,
        dueAt: clock.dueAt,
      });
    });
  }

  if (input.kind === 'start') {
    const start = input.start;
    await writes.run(async () => {
      const opening = await records.openInspection({ ...start, occurredAt: Date.now() });
      state = adoptOpening(state, opening);
      replan();
    });
  }

  while (state.status === 'open') {
    if (workflowInfo().continueAsNewSuggested && writes.idle) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof stationInspectionWorkflow>({ kind: 'continue', state });
    }
    const seen = version;
    const escalation = nextEscalation(state);
    const stepSeq = state.stepSeq;
    const woken = escalation
      ? await condition(() => version !== seen, Math.max(escalation.at - Date.now(), 1))
      : await condition(() => version !== seen).then(() => true);
    if (!woken && escalation) {
      await escalate(escalation, stepSeq);
    }
  }

  await condition(() => writes.idle && allHandlersFinished());
  log.info('Inspection ended', { inspectionId: state.inspectionId, outcome: state.outcome });
  return { inspectionId: state.inspectionId, outcome: state.outcome };
}
