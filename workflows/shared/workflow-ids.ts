/** Workflow ids are built from business keys so that a second start for the same thing finds the first. */
export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

export const calendarRolloutWorkflowId = (year: number, revision: string): string =>
  `calendar-rollout-${year}-${revision}`;

/** One pipeline per trainee per course: a second enrolment of the same worker in the same course finds the first. */
export const traineePipelineWorkflowId = (courseId: string, workerId: string): string =>
  `trainee-pipeline-${courseId}-${workerId}`;

export const courseWorkflowId = (courseId: string): string => `course-${courseId}`;
