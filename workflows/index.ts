/** The single entry the worker bundles: every workflow type the worker runs. Re-exports only. */
export { caseLifecycleWorkflow } from './case-lifecycle/case-lifecycle.workflow.js';
export { calendarRolloutWorkflow } from './calendar-rollout/calendar-rollout.workflow.js';
export { perceptionScanWorkflow } from './perception-scan/perception-scan.workflow.js';
export { perceptionLeadReviewWorkflow } from './lead-review/lead-review.workflow.js';
