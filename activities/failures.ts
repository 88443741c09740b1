import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../workflows/shared/failure-types.js';

/**
 * PostgreSQL data exceptions (SQLSTATE class 22, for example a NUL byte in text) and check violations (23514)
 * are permanent: retrying writes the same bad row again. Everything else (connections, deadlocks, timeouts) is
 * left to the retry policy.
 */
export function toActivityFailure(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('22') || code === '23514')) {
    return ApplicationFailure.nonRetryable(`Database refused the data (SQLSTATE ${code})`, FailureType.InvalidData);
  }
  return error;
}

/** Wraps every activity so that permanent database errors fail at once instead of retrying without end. */
export function withFailureMapping<T extends Record<string, (...args: any[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (...args: any[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await activity(...args);
      } catch (error) {
        throw toActivityFailure(error);
      }
    };
  }
  return wrapped as T;
}
