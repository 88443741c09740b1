/** Workflow ids are built from business keys so that a second start for the same thing finds the first. */
export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

export const calendarRolloutWorkflowId = (year: number, revision: string): string =>
  `calendar-rollout-${year}-${revision}`;

/** One inspection of one station in one period (`2026Q4`, `2026-12`, or `spot-<id>` for a spot check). */
export const inspectionWorkflowId = (stationId: string, period: string): string => `inspection-${stationId}-${period}`;

/** A round started by hand for a station type, a period and the unit whose stations it covers. */
export const inspectionRoundWorkflowId = (stationType: string, period: string, unitId: string): string =>
  `inspection-round-${stationType}-${period}-${unitId}`;

/** One pipeline per trainee per course: a second enrolment of the same worker in the same course finds the first. */
export const traineePipelineWorkflowId = (courseId: string, workerId: string): string =>
  `trainee-pipeline-${courseId}-${workerId}`;

export const courseWorkflowId = (courseId: string): string => `course-${courseId}`;
/** One scan or dry run of perception; the scan id is its business key. */
export const perceptionScanWorkflowId = (scanId: string): string => `perception-scan-${scanId}`;

/** The review deadlines of the leads one scan raised. */
export const leadReviewWorkflowId = (scanId: string): string => `perception-review-${scanId}`;
