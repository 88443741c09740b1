import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CalendarKind } from '../../workflows/shared/case-vocabulary.js';
import type { OpeningHours } from '../../workflows/shared/opening-hours.js';
import type {
  InspectionKind,
  InspectionOutcome,
  InspectionStatus,
  InspectionStep,
  StationService,
  StationStatus,
  StationType,
  TimedInspectionStep,
} from '../../workflows/shared/station-vocabulary.js';

type Json<T> = ColumnType<T, string, string>;

/**
 * A rest station. `weekly_open` and `holiday_open` are `int4multirange`s derived from `hours` on every write (see
 * workflows/shared/opening-hours.ts openRanges): the database answers "open at" with them. The responsible person's
 * phone is stored encrypted, with a masked copy for lists.
 */
export interface StationTable {
  id: Generated<string>;
  name: string;
  type: StationType;
  status: StationStatus;
  latitude: number;
  longitude: number;
  address: string;
  services: ColumnType<StationService[], StationService[], StationService[]>;
  hours: Json<OpeningHours>;
  weekly_open: string;
  holiday_open: string | null;
  owner_unit_id: string;
  owner_unit_path: string;
  responsible_name: string;
  responsible_phone_enc: string;
  responsible_phone_masked: string;
  /** Internal notes of the owning unit; never shown to the public. */
  notes: string | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StationActivityTable {
  id: Generated<string>;
  station_id: string;
  held_on: string;
  title: string;
  participants: number;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Visitors of one station on one day, as the station reported them; a second report for the day replaces it. */
export interface StationVisitTable {
  id: Generated<string>;
  station_id: string;
  visit_date: string;
  visitors: number;
  reported_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ChecklistEntry {
  id: string;
  label: string;
  maxScore: number;
}

export type InspectionLimits = Record<TimedInspectionStep, { duration: string; calendar: CalendarKind }>;

/** A saved inspection policy of one station type; version 0, the built-in default, is never stored. */
export interface InspectionPolicyTable {
  id: Generated<string>;
  station_type: StationType;
  version: number;
  limits: Json<InspectionLimits>;
  pass_mark: number;
  excellent_mark: number;
  checklist: Json<ChecklistEntry[]>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The read model of one inspection, written only by the inspection workflow's activities. */
export interface InspectionTable {
  id: string;
  workflow_id: string;
  station_id: string;
  station_type: StationType;
  owner_unit_id: string;
  owner_unit_path: string;
  period: string;
  kind: InspectionKind;
  policy_version: number;
  checklist: Json<ChecklistEntry[]>;
  pass_mark: number;
  excellent_mark: number;
  status: InspectionStatus;
  step: InspectionStep;
  outcome: InspectionOutcome | null;
  inspector_user_id: string | null;
  ordered_by_user_id: string | null;
  step_seq: number;
  step_started_at: Date;
  step_duration: string | null;
  step_calendar: CalendarKind | null;
  due_at: Date | null;
  escalation_level: Generated<number>;
  scores: Json<Record<string, number>> | null;
  first_score: number | null;
  reinspection_scores: Json<Record<string, number>> | null;
  final_score: number | null;
  rectification_due_at: Date | null;
  rectified_at: Date | null;
  last_seq: number;
  opened_at: Date;
  closed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Append-only: one row per thing that happened to an inspection, unique on (inspection_id, seq). */
export interface InspectionEventTable {
  id: Generated<string>;
  inspection_id: string;
  seq: number;
  kind: string;
  from_step: string;
  to_step: string;
  actor_user_id: string | null;
  actor_unit_id: string | null;
  data: Json<Record<string, unknown>>;
  occurred_at: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One commendation per excellent inspection. */
export interface StationCommendationTable {
  id: Generated<string>;
  station_id: string;
  inspection_id: string;
  period: string;
  score: number;
  commended_at: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type Station = Selectable<StationTable>;
export type Inspection = Selectable<InspectionTable>;
export type InspectionEventRow = Selectable<InspectionEventTable>;
