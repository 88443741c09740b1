import { FailureType } from '../workflows/shared/failure-types.js';

export interface FieldProblem {
  field: string;
  reason: string;
}

/**
 * An error the API answers on purpose: an HTTP status, a stable UPPER_SNAKE code and a message in Chinese
 * that a caseworker can act on. The one error handler (plugins/error-handler.ts) turns it into
 * `{ error: { code, message, details } }`.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const forbidden = (code: string, message: string) => new ApiError(403, code, message);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);
export const invalid = (field: string, reason: string, code = 'VALIDATION_FAILED') =>
  new ApiError(422, code, `${field}：${reason}`, [{ field, reason }] satisfies FieldProblem[]);

/** HTTP status and stable code for each failure type raised by workflows and activities. */
export const FAILURE_STATUS: Record<string, { status: number; code: string }> = {
  [FailureType.StepMismatch]: { status: 409, code: 'STEP_MISMATCH' },
  [FailureType.NotStepHolder]: { status: 403, code: 'NOT_STEP_HOLDER' },
  [FailureType.CaseNotOpen]: { status: 409, code: 'CASE_NOT_OPEN' },
  [FailureType.InvalidAction]: { status: 422, code: 'INVALID_ACTION' },
  [FailureType.DispatchTargetInvalid]: { status: 422, code: 'DISPATCH_TARGET_INVALID' },
  [FailureType.SuspensionInvalid]: { status: 422, code: 'SUSPENSION_INVALID' },
  [FailureType.RoleNotAllowed]: { status: 403, code: 'ROLE_NOT_ALLOWED' },
  [FailureType.CaseNotFound]: { status: 404, code: 'CASE_NOT_FOUND' },
  [FailureType.PolicyInvalid]: { status: 422, code: 'POLICY_INVALID' },
  [FailureType.FundsUnavailable]: { status: 409, code: 'FUNDS_UNAVAILABLE' },
  [FailureType.SelfApproval]: { status: 403, code: 'SELF_APPROVAL' },
  [FailureType.InspectionStepMismatch]: { status: 409, code: 'INSPECTION_STEP_MISMATCH' },
  [FailureType.InspectionNotOpen]: { status: 409, code: 'INSPECTION_CLOSED' },
  [FailureType.RectificationNotRequired]: { status: 409, code: 'RECTIFICATION_NOT_REQUIRED' },
  [FailureType.NotInspectionActor]: { status: 403, code: 'NOT_INSPECTION_ACTOR' },
  [FailureType.ScoresInvalid]: { status: 422, code: 'SCORES_INVALID' },
  [FailureType.StationNotFound]: { status: 404, code: 'STATION_NOT_FOUND' },
  [FailureType.CourseFull]: { status: 409, code: 'COURSE_FULL' },
  [FailureType.CourseEnded]: { status: 409, code: 'COURSE_ENDED' },
  [FailureType.AlreadyEnrolled]: { status: 409, code: 'ALREADY_ENROLLED' },
  [FailureType.OpeningFilled]: { status: 409, code: 'OPENING_FILLED' },
  [FailureType.PipelineNotOpen]: { status: 409, code: 'PIPELINE_NOT_OPEN' },
  [FailureType.PipelineNotFound]: { status: 404, code: 'PIPELINE_NOT_FOUND' },
  [FailureType.NotDueYet]: { status: 409, code: 'NOT_DUE_YET' },
  [FailureType.ScanNotFound]: { status: 404, code: 'SCAN_NOT_FOUND' },
};
