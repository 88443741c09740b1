import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseSnapshot, ActionRequest, SuspendRequest } from './case-lifecycle.state.js';

/**
 * Answers once the opening of the case is in the read model. Sent together with the start
 * (update-with-start), so that POST /cases returns a case a client can read at once.
 */
export const openedUpdate = defineUpdate<CaseSnapshot>('opened');

/**
 * One step of the case (dispatch, accept, return, verify, plan, approve, reject, deliver, report, close,
 * withdraw, resume). The validator rejects an action that does not fit the step or comes from the wrong unit
 * before anything reaches history; the handler returns after the read model has been written.
 * Failure types: StepMismatchError, NotStepHolderError, CaseNotOpenError, InvalidActionError,
 * DispatchTargetInvalidError, RoleNotAllowedError.
 */
export const actUpdate = defineUpdate<CaseSnapshot, [ActionRequest]>('act');

/** Pauses the current step's clock until a date, within the policy's maximum. Failure type SuspensionInvalidError. */
export const suspendUpdate = defineUpdate<CaseSnapshot, [SuspendRequest]>('suspend');

/** The holiday calendar of a year changed: a running working-day step recomputes its deadline. */
export const calendarChangedSignal = defineSignal<[{ year: number; revision: string }]>('calendarChanged');

/** The workflow's live state of the case. */
export const caseSnapshotQuery = defineQuery<CaseSnapshot>('caseSnapshot');
