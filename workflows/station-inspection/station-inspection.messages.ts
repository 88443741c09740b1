import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { InspectionActionRequest, InspectionSnapshot } from './station-inspection.state.js';

/**
 * Answers once the inspection is in the read model (its row, first event and the inspector's assignment). Sent
 * with the start of a spot inspection (update-with-start), so POST /inspections returns a readable inspection.
 */
export const inspectionOpenedUpdate = defineUpdate<InspectionSnapshot>('inspectionOpened');

/**
 * One action on the inspection: `submit` (the inspector's scores), `rectify` (the station's report) or `reinspect`
 * (the re-inspection's scores). The validator rejects an action that does not fit the step, the actor or the
 * checklist before anything reaches history; the handler answers after the read model has been written.
 * Failure types: InspectionNotOpenError, RectificationNotRequiredError, InspectionStepMismatchError,
 * NotInspectionActorError, ScoresInvalidError.
 */
export const inspectionActionUpdate = defineUpdate<InspectionSnapshot, [InspectionActionRequest]>('inspectionAction');

/** The workflow's live state of the inspection. */
export const inspectionSnapshotQuery = defineQuery<InspectionSnapshot>('inspectionSnapshot');
