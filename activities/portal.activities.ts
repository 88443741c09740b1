import { log } from '@temporalio/activity';
import type { Db } from '../db/database.js';
import { purgeLoginRecords } from '../db/repositories/portal-auth.repository.js';

export interface PortalDeps {
  db: Db;
}

/** Side effects of the worker portal's periodic work. */
export function createPortalActivities({ db }: PortalDeps) {
  return {
    /**
     * Deletes sign-in codes and attempts created more than `olderThanHours` ago. Idempotent: a retry deletes
     * whatever the first attempt left, and the cut-off moves forward only with the clock.
     */
    async purgePortalLoginRecords(request: { olderThanHours: number }): Promise<{ codes: number; attempts: number }> {
      const purged = await purgeLoginRecords(db, request.olderThanHours);
      log.info('Portal sign-in records purged', purged);
      return purged;
    },
  };
}
