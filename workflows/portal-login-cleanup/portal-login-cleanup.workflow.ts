import { log, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { shortIo } from '../shared/activity-options.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);

export interface PortalLoginCleanupInput {
  /** Rows older than this are deleted; longer than every rate-limit window (one hour). */
  retentionHours: number;
}

/**
 * Deletes the portal's old sign-in codes and sign-in attempts, which no longer count towards any limit. Started
 * by the daily `portal-login-cleanup` schedule (worker/schedules.ts); safe to run at any time and any number of
 * times, since it only deletes rows past the cut-off.
 */
export async function portalLoginCleanupWorkflow(
  input: PortalLoginCleanupInput,
): Promise<{ codes: number; attempts: number }> {
  const purged = await records.purgePortalLoginRecords({ olderThanHours: input.retentionHours });
  log.info('Portal sign-in records purged', purged);
  return purged;
}
