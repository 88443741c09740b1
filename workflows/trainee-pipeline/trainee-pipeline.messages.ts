import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CourseEnded, FairInvitation, PipelineActionRequest, PipelineSnapshot } from './trainee-pipeline.state.js';

/**
 * Answers once the enrolment is in the read model: the seat was offered or the trainee joined the waiting list.
 * Sent with the start (update-with-start). `requestId` must be the one the pipeline was started with; another
 * request for the same trainee and course is refused as AlreadyEnrolledError. Failure types CourseFullError,
 * CourseEndedError, AlreadyEnrolledError (the pipeline then ends without writing anything).
 */
export const pipelineOpenedUpdate = defineUpdate<PipelineSnapshot, [{ requestId: string }]>('pipelineOpened');

/**
 * One staff action on the pipeline (confirm, decline, withdraw, record-offer, accept-offer, decline-offer,
 * follow-up, exam-result). The validator refuses an action that does not fit the step, the role or the unit before
 * anything reaches history; the handler answers after the read model is written. Failure types
 * PipelineNotOpenError, StepMismatchError, RoleNotAllowedError, NotStepHolderError, NotDueYetError,
 * OpeningFilledError.
 */
export const pipelineActUpdate = defineUpdate<PipelineSnapshot, [PipelineActionRequest]>('pipelineAct');

/** A seat came free on the course and the waiting list reached this trainee. Ignored unless on the waiting list. */
export const seatOfferedSignal = defineSignal('seatOffered');

/** The course closed; carries this trainee's attendance. Ignored unless the trainee is enrolled or waiting. */
export const courseEndedSignal = defineSignal<[CourseEnded]>('courseEnded');

/** The course's hiring fair is arranged: its id and time. A repeat of the same fair is ignored. */
export const fairInvitedSignal = defineSignal<[FairInvitation]>('fairInvited');

/** The workflow's live state of the pipeline. */
export const pipelineSnapshotQuery = defineQuery<PipelineSnapshot | null>('pipelineSnapshot');
