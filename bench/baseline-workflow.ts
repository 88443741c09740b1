import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/**
 * The B1 baseline: the least a Temporal workflow can do for the same traffic as a case. It is started with an
 * update (update-with-start, like POST /cases), accepts `updates` updates in all, each handled by one no-op
 * activity, and ends when the last one has been answered. No validation, no state machine, no timers, no search
 * attributes, no payload codec: whatever our case workflow costs beyond this is the price of those.
 */

export interface BaselineActivities {
  noop(request: unknown): Promise<void>;
}

export interface BaselineInput {
  /** How many updates (the opening one included) the workflow accepts before it ends. */
  updates: number;
  opening: unknown;
}

/** Answers once the opening has gone through its activity, like `opened` on the case workflow. */
export const baselineOpenUpdate = defineUpdate<number>('open');
export const baselineActUpdate = defineUpdate<number, [unknown]>('act');

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds' });

export async function baselineCaseWorkflow(input: BaselineInput): Promise<number> {
  let handled = 0;
  const handle = async (request: unknown): Promise<number> => {
    await noop(request);
    return ++handled;
  };
  setHandler(baselineOpenUpdate, () => handle(input.opening));
  setHandler(baselineActUpdate, handle);
  await condition(() => handled >= input.updates && allHandlersFinished());
  return handled;
}
