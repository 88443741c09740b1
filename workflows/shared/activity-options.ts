import type { ActivityOptions } from '@temporalio/workflow';
import { PERMANENT_FAILURE_TYPES } from './failure-types.js';

/** Short database writes: the read model, events, deadlines. Retried until they land. */
export const shortIo: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: PERMANENT_FAILURE_TYPES,
  },
};

/** Notifications to staff: idempotent on their dedupe key, so retries never send twice. */
export const notify: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 20,
    nonRetryableErrorTypes: PERMANENT_FAILURE_TYPES,
  },
};

/**
 * Long set-based database work (a chunk of a perception scan, its planning): up to 15 minutes, heartbeating
 * between statements so that a lost worker is noticed within two minutes rather than at the timeout.
 */
export const longIo: ActivityOptions = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: PERMANENT_FAILURE_TYPES,
  },
};
