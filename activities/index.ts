import type { Db } from '../db/database.js';
import { createCaseRecordActivities } from './case-records.activities.js';
import { withFailureMapping } from './failures.js';
import { createFundActivities } from './funds.activities.js';
import { createNotificationActivities } from './notifications.activities.js';
import { createStationInspectionActivities } from './stations-inspection.activities.js';
import { createTrainingCourseActivities } from './training-course.activities.js';
import { createTrainingRecordActivities } from './training-records.activities.js';
import { createPortalActivities } from './portal.activities.js';
import { createLeadReviewActivities } from './perception/review.activities.js';
import { createPerceptionScanActivities } from './perception/scan.activities.js';

export interface ActivityDeps {
  db: Db;
}

/**
 * Every activity the worker registers, built from its dependencies. Workflows type their proxies from this
 * function's return type and import it as a type only.
 */
export function createActivities(deps: ActivityDeps) {
  return withFailureMapping({
    ...createCaseRecordActivities(deps),
    ...createNotificationActivities(deps),
    ...createFundActivities(deps),
    ...createStationInspectionActivities(deps),
    ...createTrainingRecordActivities(deps),
    ...createTrainingCourseActivities(deps),
    ...createPortalActivities(deps),
    ...createPerceptionScanActivities(deps),
    ...createLeadReviewActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
