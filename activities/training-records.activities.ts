import { log } from '@temporalio/activity';
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../db/database.js';
import {
  candidateOpenings,
  districtPathOf,
  loadTraineeProfile,
  matchLabels,
} from '../db/repositories/training.repository.js';
import type { TraineePipeline } from '../db/tables/training.table.js';
import { FailureType } from '../workflows/shared/failure-types.js';
import { AUTO_PUSHED_OPENINGS, PIPELINE_STEP_LABELS } from '../workflows/shared/training-vocabulary.js';
import type {
  OpenOutcome,
  OpenRequest,
  PipelineRecord,
  RecordOutcome,
} from '../workflows/trainee-pipeline/trainee-pipeline.records.js';
import {
  openingTransition,
  type DeadlinePlan,
  type Effect,
  type PipelineClock,
} from '../workflows/trainee-pipeline/trainee-pipeline.state.js';
import { formatShanghai } from './format.js';
import { planPipelineClock } from './training-deadlines.js';
import { explainMatch, rankOpenings } from './training-matching.js';
import { loadHolidayCalendar } from './time-limits.js';

export interface TrainingRecordDeps {
  db: Db;
}

type Trx = Transaction<Database>;

/** A business refusal found inside a write: the transaction rolls back and the workflow answers with it. */
class Refused extends Error {
  constructor(
    readonly type: string,
    override readonly message: string,
  ) {
    super(message);
  }
}

const refusal = (error: unknown) =>
  error instanceof Refused ? { ok: false as const, type: error.type, message: error.message } : null;

function clockFromRow(row: Pick<TraineePipeline, 'step_seq' | 'opens_at' | 'due_at' | 'due_action'>) {
  if (!row.due_at || !row.due_action) {
    return null;
  }
  return {
    stepSeq: row.step_seq,
    opensAt: row.opens_at?.getTime() ?? null,
    dueAt: row.due_at.getTime(),
    onDue: row.due_action,
    opened: false,
    escalated: false,
  } satisfies PipelineClock;
}

/**
 * Read-model writes of the trainee pipeline workflow. Each is one transaction, idempotent on (pipeline id, event
 * seq): a retried activity finds its event stored, writes nothing twice and answers as the first attempt did.
 * Seats are decided under a lock on the course row, so a course is never overbooked, whatever runs at once.
 */
export function createTrainingRecordActivities({ db }: TrainingRecordDeps) {
  return {
    /**
     * Claims a seat for a new pipeline (a seat to confirm while the course has one free, else a place on the
     * waiting list while the course has not started and the list has room) and writes the pipeline's first row
     * and event. Refuses, writing nothing, when the course has ended, is full, or the worker is already enrolled.
     */
    async openPipeline({ opening, occurredAt }: OpenRequest): Promise<OpenOutcome> {
      const holidays = await loadHolidayCalendar(db);
      try {
        return await db.transaction().execute(async (trx) => {
          const course = await trx
            .selectFrom('course')
            .select(['id', 'capacity', 'waitlist_capacity', 'starts_at', 'ends_at', 'ended_at'])
            .where('id', '=', opening.course.courseId)
            .forUpdate()
            .executeTakeFirst();
          if (!course) {
            throw new Refused(FailureType.CourseEnded, '课程不存在或已撤销，不能报名');
          }
          const existing = await trx
            .selectFrom('course_enrolment')
            .select('id')
            .where('course_id', '=', course.id)
            .where('worker_id', '=', opening.workerId)
            .executeTakeFirst();
          if (existing) {
            if (existing.id !== opening.pipelineId) {
              throw new Refused(FailureType.AlreadyEnrolled, '该职工已报名此课程，请勿重复报名');
            }
            return firstAnswer(trx, opening.pipelineId);
          }
          const now = Date.now();
          if (course.ended_at || course.ends_at.getTime() <= now) {
            throw new Refused(FailureType.CourseEnded, '课程已结束，不能再报名');
          }
          const counts = await trx
            .selectFrom('course_enrolment')
            .select(['status', sql<number>`count(*)::int`.as('count')])
            .where('course_id', '=', course.id)
            .where('status', '<>', 'released')
            .groupBy('status')
            .execute();
          const count = (status: string) => counts.find((row) => row.status === status)?.count ?? 0;
          const seatsHeld = count('offered') + count('confirmed');
          const seat =
            seatsHeld < course.capacity
              ? 'offered'
              : now < course.starts_at.getTime() && count('waitlisted') < course.waitlist_capacity
                ? 'waitlisted'
                : null;
          if (!seat) {
            const waitlist = course.waitlist_capacity > 0 ? `、候补 ${course.waitlist_capacity} 人` : '';
            throw new Refused(
              FailureType.CourseFull,
              `课程名额已满（${course.capacity} 个名额${waitlist}），不能再报名`,
            );
          }

          await trx
            .insertInto('course_enrolment')
            .values({ id: opening.pipelineId, course_id: course.id, worker_id: opening.workerId, status: seat })
            .execute();
          const transition = openingTransition(opening, seat, occurredAt);
          const clock = planPipelineClock(transition.deadline as DeadlinePlan, opening.limits, holidays, 1);
          const at = new Date(occurredAt);
          await trx
            .insertInto('trainee_pipeline')
            .values({
              id: opening.pipelineId,
              course_id: course.id,
              worker_id: opening.workerId,
              worker_unit_id: opening.workerUnit.id,
              worker_unit_path: opening.workerUnit.path,
              survey_id: opening.surveyId,
              status: 'open',
              step: transition.state.step,
              step_seq: 1,
              step_started_at: at,
              opens_at: null,
              due_at: new Date(clock.dueAt),
              due_action: clock.onDue,
              last_seq: 1,
              opened_by_user_id: opening.openedBy.userId,
              opened_at: at,
            })
            .execute();
          await appendEvent(trx, opening.pipelineId, transition.event, occurredAt);
          log.info('Pipeline enrolment recorded', { pipelineId: opening.pipelineId, seat });
          return { ok: true as const, seat, clock };
        });
      } catch (error) {
        const refused = refusal(error);
        if (refused) {
          return refused;
        }
        throw error;
      }
    },

    /**
     * Writes one transition of a pipeline: its side effects (seats, exam results and certificates, offers and
     * placements against the opening's headcount, pushed openings, notices to employment officers), the pipeline
     * row with the new step's deadline, and the event, all in one transaction. A refusal (the opening filled
     * meanwhile) rolls everything back and is answered as `{ ok: false }`.
     */
    async recordPipelineTransition(record: PipelineRecord): Promise<RecordOutcome> {
      const plan = record.deadline === 'keep' ? null : record.deadline;
      const holidays = plan ? await loadHolidayCalendar(db) : null;
      try {
        return await db.transaction().execute(async (trx) => {
          const stored = await trx
            .selectFrom('trainee_pipeline_event')
            .select('data')
            .where('pipeline_id', '=', record.pipelineId)
            .where('seq', '=', record.event.seq)
            .executeTakeFirst();
          if (stored) {
            log.info('Pipeline transition already recorded', { pipelineId: record.pipelineId, seq: record.event.seq });
            const row = await trx
              .selectFrom('trainee_pipeline')
              .select(['step_seq', 'opens_at', 'due_at', 'due_action'])
              .where('id', '=', record.pipelineId)
              .executeTakeFirstOrThrow();
            return {
              ok: true as const,
              clock: plan ? clockFromRow(row) : null,
              promotedWorkerId: (stored.data.promotedWorkerId as string | undefined) ?? null,
            };
          }

          const results: Record<string, unknown> = {};
          for (const effect of record.effects) {
            Object.assign(results, await applyEffect(trx, record, effect));
          }
          const clock = plan ? planPipelineClock(plan, record.limits, holidays!, record.row.stepSeq) : null;
          await updateRow(trx, record, plan !== null || record.deadline === null, clock, results);
          await appendEvent(
            trx,
            record.pipelineId,
            { ...record.event, data: { ...record.event.data, ...results } },
            record.occurredAt,
          );
          return {
            ok: true as const,
            clock,
            promotedWorkerId: (results.promotedWorkerId as string | undefined) ?? null,
          };
        });
      } catch (error) {
        const refused = refusal(error);
        if (refused) {
          log.info('Pipeline transition refused', { pipelineId: record.pipelineId, type: refused.type });
          return refused;
        }
        throw error;
      }
    },
  };
}

async function firstAnswer(trx: Trx, pipelineId: string): Promise<OpenOutcome> {
  const [first, row] = await Promise.all([
    trx
      .selectFrom('trainee_pipeline_event')
      .select('data')
      .where('pipeline_id', '=', pipelineId)
      .where('seq', '=', 1)
      .executeTakeFirstOrThrow(),
    trx
      .selectFrom('trainee_pipeline')
      .select(['step_seq', 'opens_at', 'due_at', 'due_action'])
      .where('id', '=', pipelineId)
      .executeTakeFirstOrThrow(),
  ]);
  return { ok: true, seat: first.data.seat as 'offered' | 'waitlisted', clock: clockFromRow(row)! };
}

async function appendEvent(
  trx: Trx,
  pipelineId: string,
  event: PipelineRecord['event'],
  occurredAt: number,
): Promise<void> {
  await trx
    .insertInto('trainee_pipeline_event')
    .values({
      pipeline_id: pipelineId,
      seq: event.seq,
      kind: event.kind,
      from_step: event.fromStep,
      to_step: event.toStep,
      actor_user_id: event.actorUserId,
      data: JSON.stringify(event.data),
      occurred_at: new Date(occurredAt),
    })
    .execute();
}

async function updateRow(
  trx: Trx,
  record: PipelineRecord,
  newStep: boolean,
  clock: PipelineClock | null,
  results: Record<string, unknown>,
): Promise<void> {
  const { row } = record;
  const occurredAt = new Date(record.occurredAt);
  await trx
    .updateTable('trainee_pipeline')
    .set({
      status: row.status,
      step: row.step,
      step_seq: row.stepSeq,
      certified: row.certified,
      fair_id: row.fairId,
      current_offer_id: row.currentOfferId,
      placed_opening_id: row.placedOpeningId,
      placed_at: row.placedAt === null ? null : new Date(row.placedAt),
      last_seq: record.event.seq,
      closed_at: row.status === 'open' ? null : occurredAt,
      updated_at: sql`now()`,
      ...(newStep
        ? {
            step_started_at: occurredAt,
            opens_at: clock?.opensAt ? new Date(clock.opensAt) : null,
            due_at: clock ? new Date(clock.dueAt) : null,
            due_action: clock?.onDue ?? null,
            escalated_at: null,
            escalated_unit_id: null,
          }
        : {}),
      ...(results.escalatedUnitId !== undefined
        ? { escalated_at: occurredAt, escalated_unit_id: results.escalatedUnitId as string | null }
        : {}),
    })
    .where('id', '=', record.pipelineId)
    .where('last_seq', '<', record.event.seq)
    .execute();
}

/** Carries out one effect inside the transition's transaction; answers what the event should remember of it. */
async function applyEffect(trx: Trx, record: PipelineRecord, effect: Effect): Promise<Record<string, unknown>> {
  const occurredAt = new Date(record.occurredAt);
  switch (effect.kind) {
    case 'confirm_seat':
      await trx
        .updateTable('course_enrolment')
        .set({ status: 'confirmed', updated_at: sql`now()` })
        .where('id', '=', record.pipelineId)
        .where('status', '=', 'offered')
        .execute();
      return {};
    case 'release_seat':
      return releaseSeat(trx, record, effect.reason, effect.promoteNext);
    case 'exam_result':
      await trx
        .insertInto('exam_result')
        .values({
          pipeline_id: record.pipelineId,
          course_id: record.courseId,
          worker_id: record.workerId,
          sitting: effect.sitting,
          passed: effect.passed,
          recorded_by: record.event.actorUserId,
          recorded_at: occurredAt,
        })
        .onConflict((oc) => oc.columns(['pipeline_id', 'sitting']).doNothing())
        .execute();
      if (effect.passed && effect.certificate) {
        await trx
          .insertInto('certificate')
          .values({
            worker_id: record.workerId,
            certificate_code: effect.certificate,
            course_id: record.courseId,
            pipeline_id: record.pipelineId,
            issued_at: occurredAt,
          })
          .onConflict((oc) => oc.column('pipeline_id').doNothing())
          .execute();
      }
      return {};
    case 'open_offer': {
      const opening = await trx
        .selectFrom('job_opening')
        .select(['status', 'headcount', 'placed_count'])
        .where('id', '=', effect.openingId)
        .forUpdate()
        .executeTakeFirst();
      if (!opening) {
        throw new Refused(FailureType.InvalidAction, 'openingId：岗位不存在');
      }
      if (opening.status !== 'open' || opening.placed_count >= opening.headcount) {
        throw new Refused(
          FailureType.OpeningFilled,
          `该岗位已招满或已关闭（已录用 ${opening.placed_count}/${opening.headcount} 人），不能再登记录用`,
        );
      }
      await trx
        .insertInto('job_offer')
        .values({
          id: effect.offerId,
          pipeline_id: record.pipelineId,
          opening_id: effect.openingId,
          worker_id: record.workerId,
          status: 'pending',
          recorded_by: record.event.actorUserId,
          offered_at: occurredAt,
        })
        .execute();
      return {};
    }
    case 'close_offer': {
      // Known limit: a trainee who leaves the job (`left`) does not give the opening's place back; the enterprise
      // posts a new opening if it wants to fill it again.
      if (effect.status === 'accepted') {
        const placed = await trx
          .updateTable('job_opening')
          .set({ placed_count: sql`placed_count + 1`, updated_at: sql`now()` })
          .where('id', '=', (eb) => eb.selectFrom('job_offer').select('opening_id').where('id', '=', effect.offerId))
          .where('status', '=', 'open')
          .where(sql<boolean>`placed_count < headcount`)
          .returning(['placed_count', 'headcount'])
          .executeTakeFirst();
        if (!placed) {
          throw new Refused(
            FailureType.OpeningFilled,
            '该岗位在此期间已招满或已关闭，不能上岗；请登记拒绝此录用后继续对接其他岗位',
          );
        }
      }
      await trx
        .updateTable('job_offer')
        .set({ status: effect.status, answered_at: occurredAt, updated_at: sql`now()` })
        .where('id', '=', effect.offerId)
        .execute();
      return {};
    }
    case 'push_openings':
      return pushOpenings(trx, record);
    case 'notify_officers':
      return notifyOfficers(trx, record, effect.reason);
  }
}

/**
 * Gives the seat back, under the course row's lock. A released seat (not a place on the waiting list) goes to the
 * first on the waiting list, while the course has not started: that enrolment is offered the seat here, in the
 * same transaction, and its pipeline is told by signal.
 */
async function releaseSeat(trx: Trx, record: PipelineRecord, reason: string, promoteNext: boolean) {
  const course = await trx
    .selectFrom('course')
    .select(['starts_at', 'ended_at'])
    .where('id', '=', record.courseId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('course_enrolment')
    .set({ status: 'released', released_reason: reason, updated_at: sql`now()` })
    .where('id', '=', record.pipelineId)
    .where('status', '<>', 'released')
    .execute();
  if (!promoteNext || course.ended_at || course.starts_at.getTime() <= Date.now()) {
    return {};
  }
  const next = await trx
    .selectFrom('course_enrolment')
    .select(['id', 'worker_id'])
    .where('course_id', '=', record.courseId)
    .where('status', '=', 'waitlisted')
    .orderBy('position')
    .limit(1)
    .executeTakeFirst();
  if (!next) {
    return {};
  }
  await trx
    .updateTable('course_enrolment')
    .set({ status: 'offered', updated_at: sql`now()` })
    .where('id', '=', next.id)
    .execute();
  log.info('Seat handed to the waiting list', { pipelineId: record.pipelineId, promotedPipelineId: next.id });
  return { promotedWorkerId: next.worker_id, promotedPipelineId: next.id };
}

/** Pushes the trainee's best openings (by the matching in force now) and records each with its rank and reasons. */
async function pushOpenings(trx: Trx, record: PipelineRecord) {
  const profile = await loadTraineeProfile(trx, record.workerId);
  const pipeline = await trx
    .selectFrom('trainee_pipeline')
    .select('worker_unit_path')
    .where('id', '=', record.pipelineId)
    .executeTakeFirstOrThrow();
  if (!profile) {
    return { pushedOpenings: 0 };
  }
  // Openings of the trainee's district, those above it (the city's) and those below it.
  const scopePath = districtPathOf(pipeline.worker_unit_path);
  const candidates = await candidateOpenings(trx, [...profile.skills, ...profile.wishedSkills], scopePath);
  const ranked = rankOpenings(profile, candidates, AUTO_PUSHED_OPENINGS);
  if (ranked.length === 0) {
    return { pushedOpenings: 0 };
  }
  const labels = await matchLabels(trx);
  const byId = new Map(candidates.map((c) => [c.openingId, c]));
  await trx
    .insertInto('opening_push')
    .values(
      ranked.map((match, i) => ({
        pipeline_id: record.pipelineId,
        worker_id: record.workerId,
        opening_id: match.openingId,
        rank: i + 1,
        score: match.score,
        reason: explainMatch(match, byId.get(match.openingId)!, profile, labels).join('；'),
        pushed_at: new Date(record.occurredAt),
      })),
    )
    .onConflict((oc) => oc.columns(['pipeline_id', 'opening_id']).doNothing())
    .execute();
  return { pushedOpenings: ranked.length };
}

/**
 * Known limit: trainees themselves are not told of a seat offer, the fair or an offer (there is no portal or text
 * message for them yet); staff tell them and record their answer.
 *
 * Tells the employment officers of the trainee's union (the nearest unit upwards that has any) that a step
 * stalled or that a follow-up is due; with no officer anywhere up the tree, the city's admins. One notice per
 * person, deduplicated on the pipeline and event seq.
 */
async function notifyOfficers(trx: Trx, record: PipelineRecord, reason: 'stalled' | 'follow_up_due') {
  const pipeline = await trx
    .selectFrom('trainee_pipeline as p')
    .innerJoin('course as c', 'c.id', 'p.course_id')
    .select(['p.worker_unit_path', 'p.due_at', 'c.title'])
    .where('p.id', '=', record.pipelineId)
    .executeTakeFirstOrThrow();
  const nearest = await trx
    .selectFrom('org_unit as o')
    .select('o.id')
    .where(sql<boolean>`${pipeline.worker_unit_path} like o.path || '%'`)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('app_user as u')
          .select('u.id')
          .whereRef('u.unit_id', '=', 'o.id')
          .where('u.role', '=', 'employment_officer')
          .where('u.disabled_at', 'is', null),
      ),
    )
    .orderBy(sql`length(o.path)`, 'desc')
    .limit(1)
    .executeTakeFirst();
  const unitId = nearest?.id ?? pipeline.worker_unit_path.split('/').filter(Boolean)[0]!;
  const role = nearest ? 'employment_officer' : 'admin';
  const step = PIPELINE_STEP_LABELS[record.event.fromStep];
  const due = pipeline.due_at ? formatShanghai(pipeline.due_at.getTime()) : '';
  const title =
    reason === 'stalled'
      ? `培训就业督办：「${pipeline.title}」的学员在「${step}」步骤已超过时限（${due}），请跟进`
      : `回访提醒：「${pipeline.title}」的学员已到${step}时间，请于 ${due} 前登记回访结果`;
  const inserted = await trx
    .insertInto('notification')
    .columns(['user_id', 'unit_id', 'case_id', 'kind', 'title', 'data', 'dedupe_key', 'deliver_at'])
    .expression((eb) =>
      eb
        .selectFrom('app_user')
        .select([
          'id',
          sql<string>`${unitId}::uuid`.as('unit_id'),
          sql<null>`null::uuid`.as('case_id'),
          sql<string>`${reason === 'stalled' ? 'training_escalation' : 'training_follow_up'}::text`.as('kind'),
          sql<string>`${title}::text`.as('title'),
          sql<string>`${JSON.stringify({ pipelineId: record.pipelineId, courseId: record.courseId, step: record.event.fromStep })}::jsonb`.as(
            'data',
          ),
          sql<string>`${`pipeline:${record.pipelineId}:${record.event.seq}:${reason}`}::text`.as('dedupe_key'),
          sql<Date>`${new Date(record.occurredAt)}::timestamptz`.as('deliver_at'),
        ])
        .where('unit_id', '=', unitId)
        .where('role', '=', role)
        .where('disabled_at', 'is', null),
    )
    .onConflict((oc) => oc.columns(['dedupe_key', 'user_id']).doNothing())
    .executeTakeFirst();
  const recipients = Number(inserted.numInsertedOrUpdatedRows ?? 0);
  log.info('Employment officers notified', { pipelineId: record.pipelineId, reason, unitId, recipients });
  return reason === 'stalled' ? { escalatedUnitId: unitId, recipients } : { notifiedUnitId: unitId, recipients };
}
