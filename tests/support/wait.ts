import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What was awaited, for the error thrown on timeout ("case reaches step 2"). */
  message: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `fn` until it returns a value other than `undefined`, `null` or `false`, and returns that value. Errors
 * thrown by `fn` count as "not yet"; the last one is attached as the cause when the wait times out. For
 * visibility and read-model assertions, which lag the action that caused them.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  { message, timeoutMs = 20_000, intervalMs = 100 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${message}`, { cause: lastError });
    }
    await delay(intervalMs);
  }
}
