import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';

/**
 * The pipeline phase's baseline: the least Temporal can do for the same traffic as a course and its trainees. A
 * trainee workflow takes the same updates and signals, each handled by one no-op activity, and holds the same
 * waits (the fair, the two follow-ups) as timers; a course workflow takes the end update and signals every
 * trainee twice. No validation, no state machine, no deadlines, no read model, no payload codec.
 */

export interface BaselineActivities {
  noop(request: unknown): Promise<void>;
}

export interface BaselineTraineeInput {
  updates: number;
  signals: number;
  /** Timer started by the second signal (the fair), then by the 5th and 6th updates (the follow-ups). */
  waitsMs: { fair: number; followUp1: number; followUp3: number };
}

export interface BaselineProgress {
  updates: number;
  signals: number;
  /** False while a timer is running: the driver waits for it, as ours waits for a step to fall due. */
  ready: boolean;
}

export const baselineStepUpdate = defineUpdate<number, [unknown]>('step');
export const baselineNoteSignal = defineSignal<[unknown]>('note');
export const baselineProgressQuery = defineQuery<BaselineProgress>('progress');
export const baselineEndUpdate = defineUpdate<number, [unknown]>('end');

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds' });

export async function baselineTraineeWorkflow(input: BaselineTraineeInput): Promise<number> {
  const progress: BaselineProgress = { updates: 0, signals: 0, ready: true };
  const wait = (ms: number) => {
    progress.ready = false;
    void sleep(ms).then(() => (progress.ready = true));
  };
  setHandler(baselineStepUpdate, async (request) => {
    await noop(request);
    progress.updates++;
    if (progress.updates === 5) {
      wait(input.waitsMs.followUp1);
    } else if (progress.updates === 6) {
      wait(input.waitsMs.followUp3 - input.waitsMs.followUp1);
    }
    return progress.updates;
  });
  setHandler(baselineNoteSignal, async (note) => {
    await noop(note);
    progress.signals++;
    if (progress.signals === 2) {
      wait(input.waitsMs.fair);
    }
  });
  setHandler(baselineProgressQuery, () => progress);
  await condition(
    () => progress.updates >= input.updates && progress.signals >= input.signals && allHandlersFinished(),
  );
  return progress.updates;
}

export async function baselineCourseWorkflow(input: { traineeWorkflowIds: string[] }): Promise<number> {
  let ended = false;
  let signalled = false;
  setHandler(baselineEndUpdate, async (request) => {
    await noop(request);
    ended = true;
    await condition(() => signalled);
    return input.traineeWorkflowIds.length;
  });
  await condition(() => ended);
  for (const note of ['courseEnded', 'fairInvited']) {
    await noop(note);
    await Promise.all(
      input.traineeWorkflowIds.map((id) => getExternalWorkflowHandle(id).signal(baselineNoteSignal, note)),
    );
  }
  signalled = true;
  await condition(allHandlersFinished);
  return input.traineeWorkflowIds.length;
}
