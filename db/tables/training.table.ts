import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DueAction } from '../../workflows/trainee-pipeline/trainee-pipeline.state.js';
import type {
  PipelineLimits,
  PipelineStatus,
  PipelineStep,
  WorkHours,
} from '../../workflows/shared/training-vocabulary.js';

type Json<T> = ColumnType<T, string, string>;
type Stamps = { created_at: Generated<Date>; updated_at: Generated<Date> };

/** Vocabulary rows: a skill (电工) or a certificate type (无人机驾驶员证), known by a stable code. */
export interface VocabularyTable extends Stamps {
  id: Generated<string>;
  code: string;
  label: string;
}

/** A worker's needs (需求摸排): skills held, skills and jobs wished for, and constraints. The newest one counts. */
export interface NeedsSurveyTable extends Stamps {
  id: Generated<string>;
  worker_id: string;
  worker_unit_path: string;
  skills: string[];
  wished_skills: string[];
  hours: WorkHours[];
  /** District org units the worker can work in; empty means anywhere. */
  district_ids: string[];
  wished_pay_fen: number | null;
  note: string | null;
  surveyed_by: string | null;
  surveyed_at: Generated<Date>;
}

export interface EnterpriseTable extends Stamps {
  id: Generated<string>;
  name: string;
  /** 统一社会信用代码, 18 characters. */
  credit_code: string;
  unit_id: string;
  unit_path: string;
  industry: string | null;
  created_by: string | null;
}

export interface JobOpeningTable extends Stamps {
  id: Generated<string>;
  enterprise_id: string;
  owner_unit_id: string;
  owner_unit_path: string;
  title: string;
  skills: string[];
  certificate_code: string | null;
  /** The district (org unit of level `district`) where the job is. */
  district_id: string;
  monthly_pay_fen: number;
  headcount: number;
  /** Trainees placed in it; a CHECK keeps it within the headcount. */
  placed_count: Generated<number>;
  hours: WorkHours;
  status: Generated<'open' | 'closed'>;
  created_by: string | null;
}

export interface CourseTable extends Stamps {
  id: Generated<string>;
  owner_unit_id: string;
  owner_unit_path: string;
  title: string;
  skills: string[];
  capacity: number;
  waitlist_capacity: number;
  starts_at: Date;
  ends_at: Date;
  /** Set by the course workflow when the course is closed (at its end, or earlier by a trainer). */
  ended_at: Date | null;
  sessions: number;
  required_attendance_pct: number;
  exam_certificate_code: string | null;
  /** ISO-8601 duration from the course's end to its hiring fair. */
  fair_within: string;
  time_limits: Json<PipelineLimits>;
  created_by: string | null;
}

export interface CourseOpeningTable extends Stamps {
  id: Generated<string>;
  course_id: string;
  opening_id: string;
}

export type EnrolmentStatus = 'waitlisted' | 'offered' | 'confirmed' | 'released';

/** The seat ledger of a course; `offered` and `confirmed` hold a seat. Its id is the pipeline's id. */
export interface CourseEnrolmentTable extends Stamps {
  id: string;
  course_id: string;
  worker_id: string;
  status: EnrolmentStatus;
  /** Order of the waiting list. */
  position: Generated<string>;
  released_reason: string | null;
}

export interface CourseAttendanceTable extends Stamps {
  id: Generated<string>;
  course_id: string;
  worker_id: string;
  session: number;
  present: boolean;
  recorded_by: string | null;
}

export interface HiringFairTable extends Stamps {
  id: Generated<string>;
  /** The course whose trainees the fair is for; null for a fair staff arranged on its own. */
  course_id: string | null;
  owner_unit_id: string;
  owner_unit_path: string;
  title: string;
  held_at: Date;
  /** Null when the course workflow arranged it. */
  created_by: string | null;
}

export interface FairOpeningTable extends Stamps {
  id: Generated<string>;
  fair_id: string;
  opening_id: string;
  enterprise_id: string;
}

/** The read model of one trainee's pipeline, written only by the pipeline workflow's activities. */
export interface TraineePipelineTable extends Stamps {
  id: string;
  course_id: string;
  worker_id: string;
  worker_unit_id: string;
  worker_unit_path: string;
  survey_id: string;
  status: PipelineStatus;
  step: PipelineStep;
  step_seq: number;
  step_started_at: Date;
  /** When the current step opens for action (follow-ups); null when it is open at once. */
  opens_at: Date | null;
  due_at: Date | null;
  due_action: DueAction | null;
  /** Set when the current step was escalated as stalled; cleared when the step changes. */
  escalated_at: Date | null;
  escalated_unit_id: string | null;
  certified: Generated<boolean>;
  fair_id: string | null;
  current_offer_id: string | null;
  placed_opening_id: string | null;
  placed_at: Date | null;
  last_seq: number;
  opened_by_user_id: string | null;
  opened_at: Date;
  closed_at: Date | null;
}

/** Append-only: one row per thing that happened to a pipeline, unique on (pipeline_id, seq). */
export interface TraineePipelineEventTable extends Stamps {
  id: Generated<string>;
  pipeline_id: string;
  seq: number;
  kind: string;
  from_step: string;
  to_step: string;
  actor_user_id: string | null;
  data: Json<Record<string, unknown>>;
  occurred_at: Date;
}

export interface ExamResultTable extends Stamps {
  id: Generated<string>;
  pipeline_id: string;
  course_id: string;
  worker_id: string;
  sitting: 1 | 2;
  passed: boolean;
  recorded_by: string | null;
  recorded_at: Date;
}

export interface CertificateTable extends Stamps {
  id: Generated<string>;
  worker_id: string;
  certificate_code: string;
  course_id: string;
  pipeline_id: string;
  issued_at: Date;
}

export type OfferStatus = 'pending' | 'accepted' | 'declined' | 'lapsed' | 'withdrawn' | 'left';

export interface JobOfferTable extends Stamps {
  id: string;
  pipeline_id: string;
  opening_id: string;
  worker_id: string;
  status: OfferStatus;
  recorded_by: string | null;
  offered_at: Date;
  answered_at: Date | null;
}

/** A trainee's profile sent to an enterprise of the course's hiring fair. */
export interface ProfilePushTable extends Stamps {
  id: Generated<string>;
  fair_id: string;
  enterprise_id: string;
  pipeline_id: string;
  worker_id: string;
  pushed_at: Date;
}

/** An opening pushed to a trainee, with its rank and the reasons, as the matching gave them at the time. */
export interface OpeningPushTable extends Stamps {
  id: Generated<string>;
  pipeline_id: string;
  worker_id: string;
  opening_id: string;
  rank: number;
  score: number;
  reason: string;
  pushed_at: Date;
}

export type Course = Selectable<CourseTable>;
export type JobOpening = Selectable<JobOpeningTable>;
export type NeedsSurvey = Selectable<NeedsSurveyTable>;
export type TraineePipeline = Selectable<TraineePipelineTable>;
export type TraineePipelineEvent = Selectable<TraineePipelineEventTable>;
export type HiringFair = Selectable<HiringFairTable>;
export type Enterprise = Selectable<EnterpriseTable>;
