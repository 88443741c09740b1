import { log } from '@temporalio/activity';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { relatedTo } from '../db/repositories/training.repository.js';
import { parseDuration } from '../workflows/shared/duration.js';
import { attendanceMet } from '../workflows/shared/training-vocabulary.js';

export interface TrainingCourseDeps {
  db: Db;
}

export interface CloseCourseRequest {
  courseId: string;
  endedAt: number;
  endedByUserId: string | null;
}

export interface CourseClosing {
  /** False when the course row is gone (its creation was rolled back): nothing to do. */
  found: boolean;
  /** When the course closed; the first close's time on a retry. */
  endedAt: number;
  sessions: number;
  /** Every enrolment still holding a seat or a place on the waiting list, with its attendance. */
  trainees: { workerId: string; attended: number }[];
}

export interface ArrangeFairRequest {
  courseId: string;
  /** The id a new fair gets; made by the workflow, so a retry finds the same fair. */
  fairId: string;
  endedAt: number;
}

export interface ArrangedFair {
  fairId: string;
  heldAt: number;
  enterprises: number;
  openings: number;
  profilesPushed: number;
  /** Trainees whose attendance completed the course: they are invited. */
  inviteeWorkerIds: string[];
}

/** The course workflow's writes: closing a course and arranging its hiring fair. Idempotent on the course id. */
export function createTrainingCourseActivities({ db }: TrainingCourseDeps) {
  return {
    /** Marks the course ended (the first time only) and answers each enrolled or waiting trainee's attendance. */
    async closeCourse(request: CloseCourseRequest): Promise<CourseClosing> {
      const course = await db
        .updateTable('course')
        .set({ ended_at: sql`coalesce(ended_at, ${new Date(request.endedAt)}::timestamptz)`, updated_at: sql`now()` })
        .where('id', '=', request.courseId)
        .returning(['ended_at', 'sessions'])
        .executeTakeFirst();
      if (!course) {
        return { found: false, endedAt: request.endedAt, sessions: 0, trainees: [] };
      }
      const rows = await db
        .selectFrom('course_enrolment as e')
        .leftJoin('course_attendance as a', (join) =>
          join
            .onRef('a.course_id', '=', 'e.course_id')
            .onRef('a.worker_id', '=', 'e.worker_id')
            .on('a.present', '=', true),
        )
        .select(['e.worker_id', sql<number>`count(a.id)::int`.as('attended')])
        .where('e.course_id', '=', request.courseId)
        .where('e.status', '<>', 'released')
        .groupBy('e.worker_id')
        .execute();
      log.info('Course closed', { courseId: request.courseId, trainees: rows.length, endedBy: request.endedByUserId });
      return {
        found: true,
        endedAt: course.ended_at!.getTime(),
        sessions: course.sessions,
        trainees: rows.map((row) => ({ workerId: row.worker_id, attended: row.attended })),
      };
    },

    /**
     * Arranges the course's hiring fair: the one staff already set up for the course, or a new one held the
     * course's `fair_within` after its end. Adds every open opening with a free place that fits the course's
     * skills (or is linked to the course) and is visible from the course's unit, and records the profile of each
     * trainee who completed the course as sent to each enterprise of those openings.
     * Known limit: the push is recorded, not delivered; enterprises have no portal or mailbox here yet.
     */
    async arrangeCourseFair(request: ArrangeFairRequest): Promise<ArrangedFair> {
      return db.transaction().execute(async (trx) => {
        const course = await trx
          .selectFrom('course')
          .selectAll()
          .where('id', '=', request.courseId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const withinMs = parseDuration(course.fair_within);
        if (withinMs === null) {
          throw new Error(`Stored fair_within "${course.fair_within}" of course ${course.id} is not a valid duration`);
        }
        await trx
          .insertInto('hiring_fair')
          .values({
            id: request.fairId,
            course_id: course.id,
            owner_unit_id: course.owner_unit_id,
            owner_unit_path: course.owner_unit_path,
            title: `${course.title}结业专场招聘会`,
            held_at: new Date(request.endedAt + withinMs),
            created_by: null,
          })
          .onConflict((oc) => oc.column('course_id').doNothing())
          .execute();
        const fair = await trx
          .selectFrom('hiring_fair')
          .select(['id', 'held_at'])
          .where('course_id', '=', course.id)
          .executeTakeFirstOrThrow();

        await trx
          .insertInto('fair_opening')
          .columns(['fair_id', 'opening_id', 'enterprise_id'])
          .expression((eb) =>
            eb
              .selectFrom('job_opening as o')
              .select([sql<string>`${fair.id}::uuid`.as('fair_id'), 'o.id', 'o.enterprise_id'])
              .where('o.status', '=', 'open')
              .where(sql<boolean>`o.placed_count < o.headcount`)
              .where(({ or, exists, selectFrom }) =>
                or([
                  sql<boolean>`o.skills && ${sql.val(course.skills)}::text[]`,
                  exists(
                    selectFrom('course_opening as co')
                      .select('co.id')
                      .whereRef('co.opening_id', '=', 'o.id')
                      .where('co.course_id', '=', course.id),
                  ),
                ]),
              )
              .where(({ ref }) => relatedTo(ref('o.owner_unit_path'), course.owner_unit_path)),
          )
          .onConflict((oc) => oc.columns(['fair_id', 'opening_id']).doNothing())
          .execute();

        const attendance = await trx
          .selectFrom('course_enrolment as e')
          .leftJoin('course_attendance as a', (join) =>
            join
              .onRef('a.course_id', '=', 'e.course_id')
              .onRef('a.worker_id', '=', 'e.worker_id')
              .on('a.present', '=', true),
          )
          .select(['e.id', 'e.worker_id', sql<number>`count(a.id)::int`.as('attended')])
          .where('e.course_id', '=', course.id)
          .where('e.status', '=', 'confirmed')
          .groupBy(['e.id', 'e.worker_id'])
          .execute();
        const completed = attendance.filter((row) =>
          attendanceMet(row.attended, course.sessions, course.required_attendance_pct),
        );
        let profilesPushed = 0;
        if (completed.length > 0) {
          const pushed = await trx
            .insertInto('profile_push')
            .columns(['fair_id', 'enterprise_id', 'pipeline_id', 'worker_id', 'pushed_at'])
            .expression(
              sql`select distinct ${fair.id}::uuid, fo.enterprise_id, t.pipeline_id, t.worker_id, now()
                  from fair_opening fo
                  cross join unnest(${sql.val(completed.map((row) => row.id))}::uuid[],
                                    ${sql.val(completed.map((row) => row.worker_id))}::uuid[]) as t(pipeline_id, worker_id)
                  where fo.fair_id = ${fair.id}`,
            )
            .onConflict((oc) => oc.columns(['fair_id', 'enterprise_id', 'pipeline_id']).doNothing())
            .executeTakeFirst();
          profilesPushed = Number(pushed.numInsertedOrUpdatedRows ?? 0);
        }
        const counts = await trx
          .selectFrom('fair_opening')
          .select([
            sql<number>`count(*)::int`.as('openings'),
            sql<number>`count(distinct enterprise_id)::int`.as('enterprises'),
          ])
          .where('fair_id', '=', fair.id)
          .executeTakeFirstOrThrow();
        log.info('Course fair arranged', { courseId: course.id, fairId: fair.id, ...counts, profilesPushed });
        return {
          fairId: fair.id,
          heldAt: fair.held_at.getTime(),
          enterprises: counts.enterprises,
          openings: counts.openings,
          profilesPushed,
          inviteeWorkerIds: completed.map((row) => row.worker_id),
        };
      });
    },
  };
}
