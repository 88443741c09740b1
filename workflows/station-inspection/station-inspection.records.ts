import type { StationType, TimedInspectionStep } from '../shared/station-vocabulary.js';
import type {
  InspectionEffect,
  InspectionEvent,
  InspectionStart,
  InspectionState,
} from './station-inspection.state.js';

/** What the inspection workflows ask their activities to write or read. Plain JSON; times are epoch milliseconds. */

export interface OpenInspectionRequest extends InspectionStart {
  occurredAt: number;
}

export interface InspectionTransitionRecord {
  inspectionId: string;
  occurredAt: number;
  event: InspectionEvent;
  row: Pick<InspectionState, 'status' | 'step' | 'outcome' | 'firstScore' | 'finalScore' | 'stepSeq'>;
  /** The step the transition began, when it has a time limit. */
  newStep: { stepSeq: number; step: TimedInspectionStep; startedAt: number } | null;
  effect: InspectionEffect | null;
}

export interface InspectionNotice {
  inspectionId: string;
  seq: number;
  stepSeq: number;
  step: TimedInspectionStep;
  occurredAt: number;
  level: number;
  /** The unit whose supervisors are told: the owning unit at level 1, one level higher at each further level. */
  unitId: string;
  dueAt: number;
}

export interface RoundPageRequest {
  stationType: StationType;
  /** Only stations owned by this unit or below it; the whole city when null. */
  scopeUnitId: string | null;
  period: string;
  afterStationId: string | null;
  limit: number;
}
