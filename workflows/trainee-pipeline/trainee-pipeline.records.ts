import type { PipelineLimits, PipelineStatus, PipelineStep } from '../shared/training-vocabulary.js';
import type {
  DeadlinePlan,
  Effect,
  PipelineClock,
  PipelineEvent,
  PipelineOpening,
  PipelineState,
} from './trainee-pipeline.state.js';

/** What the pipeline workflow asks its activities to write, and what they answer. Plain JSON; times in ms. */

export interface PipelineRow {
  status: PipelineStatus;
  step: PipelineStep;
  stepSeq: number;
  certified: boolean;
  fairId: string | null;
  currentOfferId: string | null;
  placedOpeningId: string | null;
  placedAt: number | null;
}

export const rowOf = (state: PipelineState): PipelineRow => ({
  status: state.status,
  step: state.step,
  stepSeq: state.stepSeq,
  certified: state.certified,
  fairId: state.fair?.fairId ?? null,
  currentOfferId: state.offer?.offerId ?? null,
  placedOpeningId: state.placement?.openingId ?? null,
  placedAt: state.placement?.placedAt ?? null,
});

export interface PipelineRecord {
  pipelineId: string;
  courseId: string;
  workerId: string;
  occurredAt: number;
  event: PipelineEvent;
  row: PipelineRow;
  deadline: DeadlinePlan | null | 'keep';
  limits: PipelineLimits;
  effects: Effect[];
}

export type RecordOutcome =
  | {
      ok: true;
      /** The new step's clock; null when the step kept its clock or the pipeline ended. */
      clock: PipelineClock | null;
      /** The trainee the waiting list handed the released seat to, if any. */
      promotedWorkerId: string | null;
    }
  | { ok: false; type: string; message: string };

export interface OpenRequest {
  opening: PipelineOpening;
  occurredAt: number;
}

export type OpenOutcome =
  { ok: true; seat: 'offered' | 'waitlisted'; clock: PipelineClock } | { ok: false; type: string; message: string };
