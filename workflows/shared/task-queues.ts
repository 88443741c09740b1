/** Task queue served by the worker that runs case workflows and their activities. */
export const CASE_MANAGEMENT_QUEUE = 'case-management';
