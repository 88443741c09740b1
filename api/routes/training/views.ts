import type {
  Course,
  HiringFair,
  JobOpening,
  NeedsSurvey,
  TraineePipeline,
  TraineePipelineEvent,
} from '../../../db/tables/training.table.js';
import {
  PIPELINE_STATUS_LABELS,
  PIPELINE_STEP_LABELS,
  type PipelineStep,
} from '../../../workflows/shared/training-vocabulary.js';
import { toShanghaiIso } from '../../time.js';

/** Answers of the training routes: rows as JSON with Chinese labels, times in Asia/Shanghai. */

export interface Labels {
  skills: Map<string, string>;
  certificates: Map<string, string>;
}

const labelled = (codes: readonly string[], labels: Map<string, string>) =>
  codes.map((code) => ({ code, label: labels.get(code) ?? code }));

const shanghai = (iso: unknown) =>
  typeof iso === 'string' ? (toShanghaiIso(Date.parse(iso)) ?? '').slice(0, 16).replace('T', ' ') : '';

export type CourseStatus = 'upcoming' | 'running' | 'ended';

export function courseStatus(row: Pick<Course, 'starts_at' | 'ends_at' | 'ended_at'>, now = Date.now()): CourseStatus {
  if (row.ended_at) {
    return 'ended';
  }
  return row.starts_at.getTime() > now ? 'upcoming' : 'running';
}

const COURSE_STATUS_LABELS: Record<CourseStatus, string> = { upcoming: '未开班', running: '培训中', ended: '已结业' };

export interface SeatCounts {
  offered: number;
  confirmed: number;
  waitlisted: number;
}

export function courseView(
  row: Course,
  labels: Labels,
  seats: SeatCounts,
  extra: { openingIds: string[]; fairId: string | null },
) {
  const status = courseStatus(row);
  return {
    id: row.id,
    title: row.title,
    unitId: row.owner_unit_id,
    skills: labelled(row.skills, labels.skills),
    capacity: row.capacity,
    waitlistCapacity: row.waitlist_capacity,
    startsAt: toShanghaiIso(row.starts_at),
    endsAt: toShanghaiIso(row.ends_at),
    endedAt: toShanghaiIso(row.ended_at),
    status,
    statusLabel: COURSE_STATUS_LABELS[status],
    sessions: row.sessions,
    requiredAttendancePct: row.required_attendance_pct,
    exam: row.exam_certificate_code
      ? {
          id: row.id,
          certificate: row.exam_certificate_code,
          certificateLabel: labels.certificates.get(row.exam_certificate_code) ?? row.exam_certificate_code,
        }
      : null,
    openingIds: extra.openingIds,
    fairWithin: row.fair_within,
    fairId: extra.fairId,
    timeLimits: row.time_limits,
    seats: { ...seats, free: Math.max(0, row.capacity - seats.offered - seats.confirmed) },
    createdAt: toShanghaiIso(row.created_at),
  };
}

/** A needs survey, with the name of its worker (staff in scope see names, as on every roster). */
export function surveyView(row: NeedsSurvey, labels: Labels, workerName: string) {
  return {
    id: row.id,
    workerId: row.worker_id,
    workerName,
    skills: labelled(row.skills, labels.skills),
    wishedSkills: labelled(row.wished_skills, labels.skills),
    hours: row.hours,
    districtIds: row.district_ids,
    wishedMonthlyPayFen: row.wished_pay_fen,
    note: row.note,
    surveyedBy: row.surveyed_by,
    surveyedAt: toShanghaiIso(row.surveyed_at),
  };
}

export function openingView(row: JobOpening & { enterprise_name: string }, labels: Labels) {
  const filled = row.placed_count >= row.headcount;
  return {
    id: row.id,
    enterpriseId: row.enterprise_id,
    enterpriseName: row.enterprise_name,
    unitId: row.owner_unit_id,
    title: row.title,
    skills: labelled(row.skills, labels.skills),
    certificate: row.certificate_code,
    certificateLabel: row.certificate_code ? (labels.certificates.get(row.certificate_code) ?? null) : null,
    districtId: row.district_id,
    monthlyPayFen: row.monthly_pay_fen,
    headcount: row.headcount,
    placedCount: row.placed_count,
    hours: row.hours,
    status: row.status === 'closed' ? 'closed' : filled ? 'filled' : 'open',
    createdAt: toShanghaiIso(row.created_at),
  };
}

export function fairSummaryView(row: HiringFair) {
  return {
    id: row.id,
    title: row.title,
    unitId: row.owner_unit_id,
    courseId: row.course_id,
    heldAt: toShanghaiIso(row.held_at),
    arrangedBy: row.created_by ? 'staff' : 'course',
    createdAt: toShanghaiIso(row.created_at),
  };
}

/** The timeline line staff read for one event of a pipeline, in Chinese. */
export function describePipelineEvent(event: TraineePipelineEvent): string {
  const d = event.data;
  const reason = typeof d.reason === 'string' ? `：${d.reason}` : '';
  switch (event.kind) {
    case 'opened':
      return d.seat === 'offered' ? '报名：已分配名额，待学员确认' : '报名：名额已满，进入候补名单';
    case 'seat_offered':
      return '候补递补：获得名额，待学员确认';
    case 'confirm':
      return '学员确认报名';
    case 'decline':
      return `学员放弃报名${reason}`;
    case 'expired':
      return '逾期未确认报名，名额转给候补学员';
    case 'not_admitted':
      return '开班时仍在候补名单，未获名额';
    case 'course_ended':
      if (event.from_step === 'waitlist') {
        return '课程已结束，候补未获名额';
      }
      if (event.from_step === 'confirm') {
        return '课程已结束，报名未确认';
      }
      return d.completed
        ? `课程结业：出勤 ${String(d.attended)}/${String(d.sessions)} 次`
        : `出勤 ${String(d.attended)}/${String(d.sessions)} 次，未达到结业要求`;
    case 'exam_result':
      return `第 ${String(d.sitting)} 次考试${d.passed ? '通过' : '未通过'}${d.certificate ? '，取得证书' : ''}`;
    case 'fair_invited':
      return `受邀参加结业专场招聘会（${shanghai(d.heldAt)}）`;
    case 'fair_held':
      return `招聘会已举行，进入求职对接${d.pushedOpenings ? `，推送 ${Number(d.pushedOpenings)} 个岗位` : ''}`;
    case 'record-offer':
      return '登记企业录用意向，待学员答复';
    case 'accept-offer':
      return '学员接受录用，已上岗';
    case 'decline-offer':
      return `学员拒绝录用${reason}`;
    case 'offer_lapsed':
      return '录用意向逾期未答复，已失效';
    case 'follow_up_due':
      return '回访到期，已提醒就业指导员';
    case 'follow-up':
      return `上岗${d.round === 1 ? '一' : '三'}个月回访：${d.stillEmployed ? '仍在岗' : '已离岗，重新对接岗位'}`;
    case 'escalated':
      return `「${PIPELINE_STEP_LABELS[d.step as PipelineStep] ?? String(d.step)}」超过时限未推进，已督办至就业指导员`;
    case 'withdraw':
      return `退出培训就业流程${reason}`;
    default:
      return event.kind;
  }
}

export function pipelineSummaryView(row: TraineePipeline & { seat?: string | null }, now = Date.now()) {
  const open = row.status === 'open';
  return {
    id: row.id,
    courseId: row.course_id,
    workerId: row.worker_id,
    workerUnitId: row.worker_unit_id,
    surveyId: row.survey_id,
    status: row.status,
    statusLabel: PIPELINE_STATUS_LABELS[row.status],
    step: row.step,
    stepLabel: PIPELINE_STEP_LABELS[row.step],
    seat: row.seat ?? null,
    certified: row.certified,
    fairId: row.fair_id,
    currentOfferId: row.current_offer_id,
    placedOpeningId: row.placed_opening_id,
    placedAt: toShanghaiIso(row.placed_at),
    openedAt: toShanghaiIso(row.opened_at),
    closedAt: toShanghaiIso(row.closed_at),
    stepStartedAt: toShanghaiIso(row.step_started_at),
    opensAt: toShanghaiIso(row.opens_at),
    dueAt: toShanghaiIso(row.due_at),
    overdue: open && row.due_action === 'escalate' && row.due_at !== null && row.due_at.getTime() < now,
    stalled: open && row.escalated_at !== null,
    escalatedAt: open ? toShanghaiIso(row.escalated_at) : null,
    escalatedUnitId: open ? row.escalated_unit_id : null,
  };
}

export function pipelineTimelineView(events: TraineePipelineEvent[]) {
  return events.map((event) => ({
    seq: event.seq,
    kind: event.kind,
    description: describePipelineEvent(event),
    fromStep: event.from_step,
    toStep: event.to_step,
    actorUserId: event.actor_user_id,
    occurredAt: toShanghaiIso(event.occurred_at),
    data: event.data,
  }));
}
