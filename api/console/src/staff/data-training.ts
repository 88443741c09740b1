import {
  ACTION_ROLES,
  COURSE_ROLES,
  ENROLMENT_ROLES,
  JOB_ROLES,
  PIPELINE_ACTION_LABELS,
  PIPELINE_ACTION_STEPS,
  PIPELINE_STATUS_LABELS,
  PIPELINE_STEP_LABELS,
  PIPELINE_STEPS,
  WORK_HOURS_LABELS,
  type PipelineAction,
  type PipelineStatus,
  type PipelineStep,
} from '../../../../workflows/shared/training-vocabulary.js';
import { api, type Page } from './data.js';

/**
 * The console's calls to the training-to-job API (培训就业, API.md "Training to job"), their answer types, and the one
 * place that decides which pipeline actions a person may take now. Labels come from the vocabulary the workflows
 * use, so the console's words never drift from the server's.
 */

export { PIPELINE_ACTION_LABELS, PIPELINE_STEPS, PIPELINE_STEP_LABELS, WORK_HOURS_LABELS };
export type { PipelineAction, PipelineStep };

export { MATCH_ROLES, TRAINING_READ_ROLES, TRAINING_REPORT_ROLES } from './roles.js';

export const stepLabel = (step: string) => PIPELINE_STEP_LABELS[step as PipelineStep] ?? step;
export const statusLabel = (status: string) => PIPELINE_STATUS_LABELS[status as PipelineStatus] ?? status;

export interface Labelled {
  code: string;
  label: string;
}

export interface Course {
  id: string;
  title: string;
  unitId: string;
  skills: Labelled[];
  capacity: number;
  waitlistCapacity: number;
  startsAt: string;
  endsAt: string;
  endedAt: string | null;
  status: 'upcoming' | 'running' | 'ended';
  statusLabel: string;
  sessions: number;
  requiredAttendancePct: number;
  exam: { id: string; certificate: string; certificateLabel: string } | null;
  openingIds: string[];
  fairWithin: string;
  fairId: string | null;
  seats: { offered: number; confirmed: number; waitlisted: number; free: number };
}

export interface RosterEntry {
  pipelineId: string;
  workerId: string;
  name: string;
  seat: string;
  status: string;
  step: string;
  certified: boolean;
  attendedSessions: number;
}

export interface CourseDetail extends Course {
  trainees: RosterEntry[];
}

export interface Opening {
  id: string;
  enterpriseName: string;
  title: string;
  skills: Labelled[];
  certificateLabel: string | null;
  monthlyPayFen: number;
  headcount: number;
  placedCount: number;
  hours: string;
  status: string;
}

export interface Fair {
  id: string;
  title: string;
  courseId: string | null;
  heldAt: string;
  arrangedBy: 'staff' | 'course';
  enterprises: { id: string; name: string; openings: number; profilesReceived: number }[];
  openings: Opening[];
  invitedTrainees: number;
  profilesPushed: number;
}

export interface PipelineSummary {
  id: string;
  courseId: string;
  workerId: string;
  workerUnitId: string;
  status: string;
  statusLabel: string;
  step: PipelineStep;
  stepLabel: string;
  seat: string | null;
  certified: boolean;
  fairId: string | null;
  currentOfferId: string | null;
  placedOpeningId: string | null;
  openedAt: string;
  stepStartedAt: string;
  opensAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  stalled: boolean;
  escalatedAt: string | null;
  escalatedUnitId: string | null;
}

/** A list row with the names the list answer leaves out, read from the courses' rosters. */
export interface PipelineRow extends PipelineSummary {
  workerName: string | null;
  courseTitle: string | null;
}

export interface PipelineDetail extends PipelineSummary {
  courseTitle: string;
  worker?: { id: string; name: string; unitId: string };
  offers: {
    id: string;
    openingId: string;
    openingTitle: string;
    enterpriseName: string;
    status: string;
    offeredAt: string;
    answeredAt: string | null;
  }[];
  examResults: { sitting: number; passed: boolean; recordedAt: string }[];
  certificate: { id: string; code: string; issuedAt: string } | null;
  pushedOpenings: { openingId: string; rank: number; score: number; reason: string; pushedAt: string }[];
  profilesSentToEnterprises: number;
  timeline: {
    seq: number;
    kind: string;
    description: string;
    fromStep: string;
    toStep: string;
    occurredAt: string;
  }[];
}

export interface Match {
  rank: number;
  openingId: string;
  title: string;
  enterpriseName: string;
  monthlyPayFen: number;
  hours: string;
  headcount: number;
  placedCount: number;
  score: number;
  reasons: string[];
}

export interface TrainingFigures {
  trainees: number;
  completions: number;
  certificates: number;
  fairs: number;
  offers: number;
  placements: number;
  followedUpAtThreeMonths: number;
  retainedAtThreeMonths: number;
  retentionAtThreeMonthsPct: number | null;
}

export interface TrainingReport {
  unitId: string;
  from: string;
  to: string;
  totals: TrainingFigures;
  byUnit: (TrainingFigures & { unitId: string; unitName: string })[];
}

const path = (id: string) => encodeURIComponent(id);

export const fetchCourses = (query: { status?: string; cursor?: string | null }) =>
  api.get<Page<Course>>('/courses', { limit: 50, ...query });
export const fetchCourse = (id: string) => api.get<CourseDetail>(`/courses/${path(id)}`);
export const fetchFair = (id: string) => api.get<Fair>(`/fairs/${path(id)}`);
export const endCourse = (id: string, idempotencyKey: string) =>
  api.post<Course>(`/courses/${path(id)}/actions/end`, {}, { idempotencyKey });
export const arrangeFair = (body: { title: string; heldAt: string; courseId: string }, idempotencyKey: string) =>
  api.post<Fair>('/fairs', body, { idempotencyKey });

export interface Survey {
  id: string;
  workerId: string;
  workerName: string;
  skills: Labelled[];
  wishedSkills: Labelled[];
  surveyedAt: string;
}

/** The newest needs surveys of the caller's subtree: the workers who may be enrolled on a course. */
export const fetchSurveys = () => api.get<Page<Survey>>('/surveys', { limit: 100 });

/** Enrols a surveyed worker: a free seat is offered to confirm, else a place on the waiting list. */
export const enrolTrainee = (courseId: string, workerId: string, idempotencyKey: string) =>
  api.post<PipelineSummary>(`/courses/${path(courseId)}/enrolments`, { workerId }, { idempotencyKey });

export interface AttendanceRecorded {
  courseId: string;
  session: number;
  recorded: number;
  present: number;
  absent: number;
}

/** One session's register (trainers); the same session again corrects it. */
export const recordAttendance = (
  courseId: string,
  body: { session: number; records: { workerId: string; present: boolean }[] },
  idempotencyKey: string,
) => api.post<AttendanceRecorded>(`/courses/${path(courseId)}/attendance`, body, { idempotencyKey });

export interface ExamResultsRecorded {
  courseId: string;
  items: { workerId: string; pipelineId: string; sitting: number; passed: boolean; certified: boolean; step: string }[];
}

/** Exam results (trainers): POST /exams/:id/results takes the course's id, each course having at most one exam. */
export const recordExamResults = (
  courseId: string,
  results: { workerId: string; passed: boolean }[],
  idempotencyKey: string,
) => api.post<ExamResultsRecorded>(`/exams/${path(courseId)}/results`, { results }, { idempotencyKey });

/**
 * The openings a course links to, by id. GET /openings has no id filter, so they are looked up among the open and
 * filled openings for the course's skills. Known limit: a linked opening that shares no skill with the course, or
 * lies beyond the first 500 for a skill, is shown by its number only.
 */
export async function fetchLinkedOpenings(course: Course): Promise<Map<string, Opening>> {
  const found = new Map<string, Opening>();
  if (course.openingIds.length === 0) {
    return found;
  }
  for (const skill of course.skills) {
    const page = await api.get<Page<Opening>>('/openings', { limit: 500, skill: skill.code });
    for (const opening of page.items) {
      if (course.openingIds.includes(opening.id)) {
        found.set(opening.id, opening);
      }
    }
    if (found.size === course.openingIds.length) {
      break;
    }
  }
  return found;
}

export interface PipelineFilters {
  step?: string;
  courseId?: string;
  stalled?: string;
  cursor?: string | null;
}

/**
 * One page of GET /pipelines, with each trainee's name and course title read from the rosters of the page's
 * courses (GET /courses/:id, scoped to the caller's subtree like the list), one call per course on the page.
 */
export async function fetchPipelines(filters: PipelineFilters): Promise<Page<PipelineRow>> {
  const page = await api.get<Page<PipelineSummary>>('/pipelines', {
    limit: 50,
    step: filters.step,
    courseId: filters.courseId,
    stalled: filters.stalled === 'true' ? true : undefined,
    cursor: filters.cursor,
  });
  const courseIds = [...new Set(page.items.map((p) => p.courseId))];
  const courses = await Promise.all(courseIds.map((id) => fetchCourse(id).catch(() => null)));
  const names = new Map<string, string>();
  const titles = new Map<string, string>();
  for (const course of courses) {
    if (course) {
      titles.set(course.id, course.title);
      course.trainees.forEach((t) => names.set(t.pipelineId, t.name));
    }
  }
  const items = page.items.map((p) => ({
    ...p,
    workerName: names.get(p.id) ?? null,
    courseTitle: titles.get(p.courseId) ?? null,
  }));
  return { items, nextCursor: page.nextCursor };
}

export const fetchPipeline = (id: string) => api.get<PipelineDetail>(`/pipelines/${path(id)}`);
export const fetchMatches = (traineeId: string) =>
  api.get<Page<Match> & { traineeId: string }>('/matches', { traineeId, limit: 10 });

export const actOnPipeline = (
  id: string,
  action: PipelineAction,
  body: Record<string, unknown>,
  idempotencyKey: string,
) => api.post<PipelineDetail>(`/pipelines/${path(id)}/actions/${action}`, body, { idempotencyKey });

export const fetchTrainingReport = (query: { unitId?: string; from: string; to: string }) =>
  api.get<TrainingReport>('/reports/training', query);

/**
 * Whether the caller's role may run a course (registers, exams, ending it), the job side (arranging its fair) or
 * enrol trainees, as the API checks.
 */
export const mayRunCourse = (role: string) => COURSE_ROLES.includes(role as never);
export const mayRunJobs = (role: string) => JOB_ROLES.includes(role as never);
export const mayEnrol = (role: string) => ENROLMENT_ROLES.includes(role as never);

/**
 * The actions a person may take on a pipeline now. The pipeline answer does not list them, so they come from the
 * same table the workflow's state machine checks (PIPELINE_ACTION_STEPS and ACTION_ROLES): the step, the role, an
 * open pipeline, and for a follow-up the moment it opens. The API still decides; a refusal shows its words.
 */
export function availablePipelineActions(
  pipeline: Pick<PipelineSummary, 'status' | 'step' | 'opensAt'>,
  role: string,
  now = Date.now(),
): PipelineAction[] {
  if (pipeline.status !== 'open') {
    return [];
  }
  const allowed = (action: PipelineAction) => ACTION_ROLES[action].includes(role as never);
  const fits = (action: PipelineAction) =>
    action === 'withdraw' || PIPELINE_ACTION_STEPS[action].includes(pipeline.step);
  const due = (action: PipelineAction) =>
    action !== 'follow-up' || !pipeline.opensAt || Date.parse(pipeline.opensAt) <= now;
  const order: PipelineAction[] = [
    'confirm',
    'record-offer',
    'accept-offer',
    'follow-up',
    'decline',
    'decline-offer',
    'withdraw',
  ];
  return order.filter((action) => allowed(action) && fits(action) && due(action));
}

/** Seconds left to a pipeline step's deadline (negative when late), or null when the step has none. */
export const secondsLeft = (dueAt: string | null, now = Date.now()): number | null =>
  dueAt ? Math.round((Date.parse(dueAt) - now) / 1000) : null;
