/**
 * Every ApplicationFailure type the workflows and activities may raise, listed once.
 * The API maps each of them to an HTTP status and a stable error code (api/errors.ts).
 */
export const FailureType = {
  StepMismatch: 'StepMismatchError',
  NotStepHolder: 'NotStepHolderError',
  CaseNotOpen: 'CaseNotOpenError',
  InvalidAction: 'InvalidActionError',
  DispatchTargetInvalid: 'DispatchTargetInvalidError',
  SuspensionInvalid: 'SuspensionInvalidError',
  RoleNotAllowed: 'RoleNotAllowedError',
  CaseNotFound: 'CaseNotFoundError',
  PolicyInvalid: 'PolicyInvalidError',
  FundsUnavailable: 'FundsUnavailableError',
  SelfApproval: 'SelfApprovalError',
  InvalidData: 'InvalidDataError',
  InspectionStepMismatch: 'InspectionStepMismatchError',
  InspectionNotOpen: 'InspectionNotOpenError',
  NotInspectionActor: 'NotInspectionActorError',
  ScoresInvalid: 'ScoresInvalidError',
  RectificationNotRequired: 'RectificationNotRequiredError',
  StationNotFound: 'StationNotFoundError',
  CourseFull: 'CourseFullError',
  CourseEnded: 'CourseEndedError',
  AlreadyEnrolled: 'AlreadyEnrolledError',
  OpeningFilled: 'OpeningFilledError',
  PipelineNotOpen: 'PipelineNotOpenError',
  PipelineNotFound: 'PipelineNotFoundError',
  NotDueYet: 'NotDueYetError',
  ScanNotFound: 'ScanNotFoundError',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that no retry can fix; activity presets list them as non-retryable. */
export const PERMANENT_FAILURE_TYPES: string[] = [
  FailureType.CaseNotFound,
  FailureType.PolicyInvalid,
  FailureType.InvalidData,
  FailureType.StationNotFound,
  FailureType.PipelineNotFound,
  FailureType.ScanNotFound,
];
