import type { CaseStatus, Step, TimedStep } from '../shared/case-vocabulary.js';
import type { UnitRef } from '../shared/org-path.js';
import type { Interval } from '../shared/working-time.js';
import type { CaseOpening, StepClock, TransitionEvent } from './case-lifecycle.state.js';

/** What the case workflow asks its activities to write. Plain JSON; times are epoch milliseconds. */

export interface NewStepRequest {
  stepSeq: number;
  step: TimedStep;
  holder: UnitRef;
  startedAt: number;
}

export interface TransitionRecord {
  caseId: string;
  occurredAt: number;
  event: TransitionEvent;
  /** Present on the first write of a case only. */
  opening?: CaseOpening;
  caseRow: {
    status: CaseStatus;
    step: Step;
    holder: UnitRef;
    assigneeUnitId: string;
    stepSeq: number;
  };
  /** The step that this transition completed, if any. */
  completedStepSeq: number | null;
  newStep: NewStepRequest | null;
  category: string;
  urgency: string;
  policyVersion: number;
}

export interface SuspensionRecord {
  caseId: string;
  seq: number;
  stepSeq: number;
  occurredAt: number;
  actorUserId: string;
  actorUnitId: string;
  step: Step;
  reason: string;
  until: number;
}

export interface RescheduleRecord {
  caseId: string;
  seq: number;
  occurredAt: number;
  kind: 'resumed' | 'deadline_moved';
  step: Step;
  clock: StepClock;
  /** The pause that just ended, for `resumed`. */
  endedPause?: Interval;
  actorUserId?: string;
  actorUnitId?: string;
  /** For `deadline_moved`: the calendar year whose change caused it. */
  year?: number;
}

export interface StepNotice {
  caseId: string;
  seq: number;
  stepSeq: number;
  occurredAt: number;
  step: Step;
  kind: 'reminder' | 'overdue' | 'escalation';
  level: number;
  /** The unit to notify: the holder for a reminder, the escalation target otherwise. */
  unitId: string;
  dueAt: number;
}
