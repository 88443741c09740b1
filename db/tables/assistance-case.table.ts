import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CaseStatus, Step } from '../../workflows/shared/case-vocabulary.js';

type Json = ColumnType<Record<string, unknown>, string, string>;
type BigCount = ColumnType<string, number | string, number | string>;

/** The read model of one case, written only by the case workflow's activities. */
export interface AssistanceCaseTable {
  id: string;
  number: Generated<string>;
  worker_id: string;
  household_id: string;
  worker_unit_id: string;
  worker_unit_path: string;
  category: string;
  urgency: string;
  source: string;
  summary: string;
  status: CaseStatus;
  step: Step;
  holder_unit_id: string;
  holder_unit_path: string;
  assignee_unit_id: string;
  opened_unit_id: string;
  opened_by_user_id: string | null;
  policy_version: number;
  step_seq: number;
  step_started_at: Date;
  due_at: Date | null;
  remind_at: Date | null;
  suspended_until: Date | null;
  escalation_level: Generated<number>;
  last_seq: number;
  opened_at: Date;
  closed_at: Date | null;
  fund: Generated<string>;
  funding_blocked_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Append-only: one row per thing that happened to a case, unique on (case_id, seq). */
export interface CaseEventTable {
  id: Generated<string>;
  case_id: string;
  seq: number;
  kind: string;
  from_step: string;
  to_step: string;
  actor_user_id: string | null;
  actor_unit_id: string | null;
  holder_unit_id: string | null;
  data: Json;
  occurred_at: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One row per step a case went through: its limit, deadline and whether it finished late. */
export interface CaseStepTable {
  id: Generated<string>;
  case_id: string;
  step_seq: number;
  step: string;
  holder_unit_id: string;
  started_at: Date;
  duration: string;
  calendar: string;
  max_suspension: string;
  due_at: Date;
  remind_at: Date;
  paused_ms: Generated<BigCount>;
  completed_at: Date | null;
  late_ms: BigCount | null;
  max_escalation_level: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AssistanceCase = Selectable<AssistanceCaseTable>;
export type CaseEvent = Selectable<CaseEventTable>;
