/** Workflow ids are built from business keys so that a second start for the same thing finds the first. */
export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

export const calendarRolloutWorkflowId = (year: number, revision: string): string =>
  `calendar-rollout-${year}-${revision}`;
