/** Workflow ids are built from business keys so that a second start for the same thing finds the first. */
export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

export const calendarRolloutWorkflowId = (year: number, revision: string): string =>
  `calendar-rollout-${year}-${revision}`;

/** One scan or dry run of perception; the scan id is its business key. */
export const perceptionScanWorkflowId = (scanId: string): string => `perception-scan-${scanId}`;

/** The review deadlines of the leads one scan raised. */
export const leadReviewWorkflowId = (scanId: string): string => `perception-review-${scanId}`;
