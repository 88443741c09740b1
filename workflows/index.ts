/** The single entry the worker bundles: every workflow type the worker runs. Re-exports only. */
export { caseLifecycleWorkflow } from './case-lifecycle/case-lifecycle.workflow.js';
export { calendarRolloutWorkflow } from './calendar-rollout/calendar-rollout.workflow.js';
export { stationInspectionWorkflow } from './station-inspection/station-inspection.workflow.js';
export { inspectionRoundWorkflow } from './station-inspection/inspection-round.workflow.js';
export { traineePipelineWorkflow } from './trainee-pipeline/trainee-pipeline.workflow.js';
export { courseWorkflow } from './course/course.workflow.js';
export { portalLoginCleanupWorkflow } from './portal-login-cleanup/portal-login-cleanup.workflow.js';
export { perceptionScanWorkflow } from './perception-scan/perception-scan.workflow.js';
export { perceptionLeadReviewWorkflow } from './lead-review/lead-review.workflow.js';
