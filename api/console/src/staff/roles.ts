/**
 * Which staff roles may open each area of the console, as the API allows them. Kept apart from the data modules
 * (which need a browser) so the menu's rules can be checked by plain unit tests.
 */

export const CASE_ROLES = ['admin', 'supervisor', 'caseworker'] as const;
/** Training pages; the report and matching leave caseworkers out. */
export const TRAINING_READ_ROLES = ['admin', 'supervisor', 'caseworker', 'trainer', 'employment_officer'] as const;
export const TRAINING_REPORT_ROLES = ['admin', 'supervisor', 'employment_officer', 'trainer'] as const;
export const MATCH_ROLES = TRAINING_REPORT_ROLES;
/** Stations, inspections and the ranking (the API's STATION_READ_ROLES). */
export const STATION_ROLES = ['admin', 'supervisor', 'caseworker', 'inspector'] as const;
/** Lead review, rules and scans are read by supervisors and admins; feeds are uploaded and scans started by admins. */
export const PERCEPTION_ROLES = ['admin', 'supervisor'] as const;
