import type { Static } from '@sinclair/typebox';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../../db/database.js';
import { relatedTo } from '../../../db/repositories/training.repository.js';
import type { Course } from '../../../db/tables/training.table.js';
import { endCourseUpdate } from '../../../workflows/course/course.messages.js';
import { courseWorkflow } from '../../../workflows/course/course.workflow.js';
import {
  COURSE_ROLES,
  DEFAULT_FAIR_WITHIN,
  DEFAULT_PIPELINE_LIMITS,
  DEFAULT_REQUIRED_ATTENDANCE_PCT,
  ENROLMENT_ROLES,
  TIME_LIMIT_NAMES,
  TRAINING_READ_ROLES,
  type PipelineLimits,
} from '../../../workflows/shared/training-vocabulary.js';
import { isWithin } from '../../../workflows/shared/org-path.js';
import { courseWorkflowId, traineePipelineWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import {
  pipelineActUpdate,
  pipelineOpenedUpdate,
} from '../../../workflows/trainee-pipeline/trainee-pipeline.messages.js';
import type { PipelineOpening } from '../../../workflows/trainee-pipeline/trainee-pipeline.state.js';
import { traineePipelineWorkflow } from '../../../workflows/trainee-pipeline/trainee-pipeline.workflow.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, invalid } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, errorResponses } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import { toShanghaiIso } from '../../time.js';
import { pipelineAnswer } from './pipeline-answer.js';
import { AttendanceBody, CourseListQuery, EnrolmentBody, ExamResultsBody, NewCourseBody } from './schemas.js';
import {
  actorOf,
  checkDuration,
  courseHasEnded,
  idFor,
  loadLabels,
  requireCourseOwner,
  requireKnownCodes,
  temporalCall,
  visibleCourse,
  workerInScope,
} from './support.js';
import { courseView, type SeatCounts } from './views.js';

/** The pipeline of a worker on a course has an id made from both: one enrolment per trainee per course. */
export const pipelineIdFor = (courseId: string, workerId: string) => uuidFromKey('pipeline', `${courseId}:${workerId}`);

async function seatCounts(db: Db, courseIds: string[]): Promise<Map<string, SeatCounts>> {
  const counts = new Map<string, SeatCounts>(courseIds.map((id) => [id, { offered: 0, confirmed: 0, waitlisted: 0 }]));
  if (courseIds.length === 0) {
    return counts;
  }
  const rows = await db
    .selectFrom('course_enrolment')
    .select(['course_id', 'status', sql<number>`count(*)::int`.as('count')])
    .where('course_id', 'in', courseIds)
    .where('status', '<>', 'released')
    .groupBy(['course_id', 'status'])
    .execute();
  for (const row of rows) {
    counts.get(row.course_id)![row.status as keyof SeatCounts] = row.count;
  }
  return counts;
}

/**
 * Courses (培训课程): creation (which starts the course's workflow), lists and details with their roster, enrolment
 * of trainees (which starts each trainee's pipeline), attendance, ending a course early, and exam results. Courses
 * belong to an owning unit: staff see those of their subtree and of the units above them; only the owning unit's
 * trainers (or those above) run them.
 */
export async function courseRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, temporal } = deps;
  const call = temporalCall(deps);

  async function answerCourse(course: Course) {
    const [labels, seats, openings, fair] = await Promise.all([
      loadLabels(db),
      seatCounts(db, [course.id]),
      db.selectFrom('course_opening').select('opening_id').where('course_id', '=', course.id).orderBy('id').execute(),
      db.selectFrom('hiring_fair').select('id').where('course_id', '=', course.id).executeTakeFirst(),
    ]);
    return courseView(course, labels, seats.get(course.id)!, {
      openingIds: openings.map((row) => row.opening_id),
      fairId: fair?.id ?? null,
    });
  }

  function timeLimitsOf(body: Static<typeof NewCourseBody>): PipelineLimits {
    const limits = { ...DEFAULT_PIPELINE_LIMITS };
    const given = (body.timeLimits ?? {}) as Partial<PipelineLimits>;
    for (const name of TIME_LIMIT_NAMES) {
      const limit = given[name];
      if (limit) {
        checkDuration(`timeLimits.${name}.duration`, limit.duration, 400);
        limits[name] = { duration: limit.duration, calendar: limit.calendar };
      }
    }
    return limits;
  }

  // Known limit: a course's dates, capacity and time limits cannot be changed once it is created; a trainer ends
  // it early with POST /courses/:id/actions/end.
  app.post(
    '/courses',
    {
      schema: { tags: ['training'], summary: '开设培训课程（培训师）', body: NewCourseBody, response: errorResponses },
    },
    async (request: FastifyRequest<{ Body: Static<typeof NewCourseBody> }>, reply) => {
      const staff = requireRole(request, COURSE_ROLES);
      const body = request.body;
      const unit = await unitInScope(db, staff, body.unitId ?? staff.unitId);
      const startsAt = new Date(body.startsAt);
      const endsAt = new Date(body.endsAt);
      if (endsAt <= startsAt) {
        throw invalid('endsAt', '结课时间须晚于开班时间', 'COURSE_DATES_INVALID');
      }
      if (endsAt.getTime() <= Date.now()) {
        throw invalid('endsAt', '结课时间须晚于当前时间', 'COURSE_DATES_INVALID');
      }
      await requireKnownCodes(db, 'skill', body.skills, 'skills');
      if (body.exam) {
        await requireKnownCodes(db, 'certificate_type', [body.exam.certificate], 'exam.certificate');
      }
      const fairWithin = body.fairWithin ?? DEFAULT_FAIR_WITHIN;
      checkDuration('fairWithin', fairWithin, 60);
      const limits = timeLimitsOf(body);
      const openingIds = body.openingIds ?? [];
      if (openingIds.length > 0) {
        const visible = await db
          .selectFrom('job_opening')
          .select('id')
          .where('id', 'in', openingIds)
          .where(({ ref }) => relatedTo(ref('owner_unit_path'), unit.path))
          .execute();
        if (visible.length !== openingIds.length) {
          throw invalid('openingIds', '岗位不存在或不在开课单位的管辖范围内', 'OPENING_NOT_FOUND');
        }
      }

      const courseId = idFor(request, staff, 'course');
      // The workflow is started inside the transaction: if the start fails nothing is stored; if the commit fails
      // after the start, the workflow finds no course at its end and stops (course.workflow.ts).
      const course = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('course')
          .values({
            id: courseId,
            owner_unit_id: unit.id,
            owner_unit_path: unit.path,
            title: body.title.trim(),
            skills: body.skills,
            capacity: body.capacity,
            waitlist_capacity: body.waitlistCapacity ?? 0,
            starts_at: startsAt,
            ends_at: endsAt,
            sessions: body.sessions,
            required_attendance_pct: body.requiredAttendancePct ?? DEFAULT_REQUIRED_ATTENDANCE_PCT,
            exam_certificate_code: body.exam?.certificate ?? null,
            fair_within: fairWithin,
            time_limits: JSON.stringify(limits),
            created_by: staff.id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (openingIds.length > 0) {
          await trx
            .insertInto('course_opening')
            .values(openingIds.map((openingId) => ({ course_id: courseId, opening_id: openingId })))
            .execute();
        }
        await call(() =>
          temporal.client.workflow.start(courseWorkflow, {
            workflowId: courseWorkflowId(courseId),
            taskQueue: temporal.taskQueue,
            args: [{ courseId, ownerUnit: { id: unit.id, path: unit.path }, endsAt: endsAt.getTime() }],
          }),
        );
        return row;
      });
      request.audit = { action: 'course.create', targetType: 'course', targetId: courseId };
      return reply.status(201).send(await answerCourse(course));
    },
  );

  app.get(
    '/courses',
    { schema: { tags: ['training'], summary: '培训课程列表（本辖区及上级开办的）', querystring: CourseListQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof CourseListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      const q = request.query;
      let query = db
        .selectFrom('course')
        .selectAll()
        .where(({ ref }) => relatedTo(ref('owner_unit_path'), staff.unitPath))
        .orderBy('starts_at', 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (q.unitId) {
        query = query.where('owner_unit_id', '=', q.unitId);
      }
      if (q.skill) {
        query = query.where(sql<SqlBool>`${q.skill} = any(skills)`);
      }
      if (q.status === 'ended') {
        query = query.where('ended_at', 'is not', null);
      } else if (q.status) {
        query = query
          .where('ended_at', 'is', null)
          .where('starts_at', q.status === 'upcoming' ? '>' : '<=', sql<Date>`now()`);
      }
      const after = decodeCursor(q.cursor, ['instant', 'uuid']);
      if (after) {
        query = query.where(sql<SqlBool>`(starts_at, id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`);
      }
      const rows = await query.execute();
      const [labels, seats, fairs] = await Promise.all([
        loadLabels(db),
        seatCounts(
          db,
          rows.map((row) => row.id),
        ),
        rows.length
          ? db
              .selectFrom('hiring_fair')
              .select(['id', 'course_id'])
              .where(
                'course_id',
                'in',
                rows.map((row) => row.id),
              )
              .execute()
          : Promise.resolve([]),
      ]);
      return toPage(
        rows,
        q.limit,
        (row) => [row.starts_at.toISOString(), row.id],
        (row) =>
          courseView(row, labels, seats.get(row.id)!, {
            openingIds: [],
            fairId: fairs.find((fair) => fair.course_id === row.id)?.id ?? null,
          }),
      );
    },
  );

  app.get(
    '/courses/:id',
    {
      config: { audit: 'read' },
      schema: { tags: ['training'], summary: '课程详情与学员名单（本辖区学员）', params: IdParams },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, TRAINING_READ_ROLES);
      request.audit = { action: 'course.read', targetType: 'course', targetId: request.params.id };
      const course = await visibleCourse(db, staff, request.params.id);
      const roster = await db
        .selectFrom('course_enrolment as e')
        .innerJoin('trainee_pipeline as p', 'p.id', 'e.id')
        .innerJoin('worker as w', 'w.id', 'e.worker_id')
        .leftJoin('course_attendance as a', (join) =>
          join
            .onRef('a.course_id', '=', 'e.course_id')
            .onRef('a.worker_id', '=', 'e.worker_id')
            .on('a.present', '=', true),
        )
        .select([
          'e.id',
          'e.worker_id',
          'w.name',
          'e.status as seat',
          'p.status',
          'p.step',
          'p.certified',
          sql<number>`count(a.id)::int`.as('attended'),
        ])
        .where('e.course_id', '=', course.id)
        .where(sql<SqlBool>`p.worker_unit_path like ${`${staff.unitPath}%`}`)
        .groupBy(['e.id', 'e.worker_id', 'w.name', 'e.status', 'p.status', 'p.step', 'p.certified', 'e.position'])
        .orderBy('e.position')
        .execute();
      return {
        ...(await answerCourse(course)),
        trainees: roster.map((row) => ({
          pipelineId: row.id,
          workerId: row.worker_id,
          name: row.name,
          seat: row.seat,
          status: row.status,
          step: row.step,
          certified: row.certified,
          attendedSessions: row.attended,
        })),
      };
    },
  );

  app.post(
    '/courses/:id/enrolments',
    {
      schema: {
        tags: ['training'],
        summary: '为职工报名课程：有空余名额则待确认，否则进入候补',
        params: IdParams,
        body: EnrolmentBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof EnrolmentBody> }>, reply) => {
      const staff = requireRole(request, ENROLMENT_ROLES);
      const course = await visibleCourse(db, staff, request.params.id);
      request.audit = { action: 'course.enrol', targetType: 'course', targetId: course.id };
      if (courseHasEnded(course)) {
        throw conflict('COURSE_ENDED', '课程已结束，不能再报名');
      }
      const worker = await workerInScope(db, staff, request.body.workerId);
      // A course is for the trainees under its owning unit, so its trainers can run the exam for each of them.
      if (!isWithin(worker.path, course.owner_unit_path)) {
        throw invalid('workerId', '该职工不属于开课单位，只能报名本单位或上级工会开办的课程', 'WORKER_OUTSIDE_COURSE');
      }
      const survey = await db
        .selectFrom('needs_survey')
        .select('id')
        .where('worker_id', '=', worker.id)
        .orderBy('surveyed_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!survey) {
        throw invalid('workerId', '该职工尚未做就业需求摸排，请先登记（POST /surveys）', 'SURVEY_REQUIRED');
      }
      // One enrolment per trainee per course: a trainee who declined or lapsed enrols in a later course instead.
      const existing = await db
        .selectFrom('course_enrolment')
        .select('id')
        .where('course_id', '=', course.id)
        .where('worker_id', '=', worker.id)
        .executeTakeFirst();
      if (existing) {
        throw conflict('ALREADY_ENROLLED', '该职工已报名此课程，请勿重复报名', { pipelineId: existing.id });
      }
      const seats = (await seatCounts(db, [course.id])).get(course.id)!;
      const waitlistOpen = course.starts_at.getTime() > Date.now() && seats.waitlisted < course.waitlist_capacity;
      if (seats.offered + seats.confirmed >= course.capacity && !waitlistOpen) {
        throw conflict('COURSE_FULL', `课程名额已满（${course.capacity} 个名额），不能再报名`);
      }

      const pipelineId = pipelineIdFor(course.id, worker.id);
      const requestId = idFor(request, staff, 'enrol', `:${course.id}:${worker.id}`);
      const opening: PipelineOpening = {
        pipelineId,
        requestId,
        workerId: worker.id,
        workerUnit: { id: worker.unit_id, path: worker.path },
        surveyId: survey.id,
        openedBy: actorOf(staff),
        course: {
          courseId: course.id,
          startsAt: course.starts_at.getTime(),
          endsAt: course.ends_at.getTime(),
          sessions: course.sessions,
          requiredAttendancePct: course.required_attendance_pct,
          examCertificate: course.exam_certificate_code,
        },
        limits: course.time_limits,
      };
      const start = new WithStartWorkflowOperation(traineePipelineWorkflow, {
        workflowId: traineePipelineWorkflowId(course.id, worker.id),
        taskQueue: temporal.taskQueue,
        args: [{ kind: 'open', opening }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await call(() =>
        temporal.client.workflow.executeUpdateWithStart(pipelineOpenedUpdate, {
          args: [{ requestId }],
          startWorkflowOperation: start,
          updateId: `enrol-${requestId}`,
        }),
      );
      request.audit = { action: 'course.enrol', targetType: 'pipeline', targetId: pipelineId };
      return reply.status(201).send(await pipelineAnswer(db, pipelineId, null));
    },
  );

  app.post(
    '/courses/:id/attendance',
    {
      schema: {
        tags: ['training'],
        summary: '登记一次课的考勤（培训师）；同一课次再次登记即更正',
        params: IdParams,
        body: AttendanceBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof AttendanceBody> }>) => {
      const staff = requireRole(request, COURSE_ROLES);
      const course = await visibleCourse(db, staff, request.params.id);
      request.audit = { action: 'course.attendance', targetType: 'course', targetId: course.id };
      requireCourseOwner(staff, course);
      const { session, records } = request.body;
      if (courseHasEnded(course)) {
        throw conflict('COURSE_ENDED', '课程已结束，考勤已结算，不能再登记');
      }
      if (course.starts_at.getTime() > Date.now()) {
        throw conflict('COURSE_NOT_STARTED', '课程尚未开班，不能登记考勤');
      }
      if (session > course.sessions) {
        throw invalid('session', `本课程共 ${course.sessions} 次课`);
      }
      const workerIds = records.map((record) => record.workerId);
      const duplicate = workerIds.findIndex((id, i) => workerIds.indexOf(id) !== i);
      if (duplicate >= 0) {
        throw invalid(`records.${duplicate}.workerId`, '同一学员在一次考勤中只能出现一次', 'DUPLICATE_TRAINEE');
      }
      const enrolled = await db
        .selectFrom('course_enrolment')
        .select('worker_id')
        .where('course_id', '=', course.id)
        .where('status', '=', 'confirmed')
        .where('worker_id', 'in', workerIds)
        .execute();
      const stranger = workerIds.findIndex((id) => !enrolled.some((row) => row.worker_id === id));
      if (stranger >= 0) {
        throw invalid(`records.${stranger}.workerId`, '该职工未确认报名本课程，不能登记考勤', 'NOT_ENROLLED');
      }
      await db
        .insertInto('course_attendance')
        .values(
          records.map((record) => ({
            course_id: course.id,
            worker_id: record.workerId,
            session,
            present: record.present,
            recorded_by: staff.id,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['course_id', 'worker_id', 'session']).doUpdateSet((eb) => ({
            present: eb.ref('excluded.present'),
            recorded_by: eb.ref('excluded.recorded_by'),
            updated_at: sql`now()`,
          })),
        )
        .execute();
      return {
        courseId: course.id,
        session,
        recorded: records.length,
        present: records.filter((record) => record.present).length,
        absent: records.filter((record) => !record.present).length,
      };
    },
  );

  app.post(
    '/courses/:id/actions/end',
    {
      schema: {
        tags: ['training'],
        summary: '提前结课（培训师）：结算考勤，安排结业专场招聘会',
        params: IdParams,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, COURSE_ROLES);
      const course = await visibleCourse(db, staff, request.params.id);
      request.audit = { action: 'course.end', targetType: 'course', targetId: course.id };
      requireCourseOwner(staff, course);
      if (course.ended_at) {
        throw conflict('COURSE_ENDED', '课程已经结束，不能重复结束');
      }
      await call(() =>
        temporal.client.workflow
          .getHandle(courseWorkflowId(course.id))
          .executeUpdate(endCourseUpdate, { args: [{ actor: actorOf(staff) }] }),
      );
      const ended = await db.selectFrom('course').selectAll().where('id', '=', course.id).executeTakeFirstOrThrow();
      return answerCourse(ended);
    },
  );

  app.post(
    '/exams/:id/results',
    {
      schema: {
        tags: ['training'],
        summary: '登记结业考试成绩（培训师）：:id 为课程编号，每个课程至多一场考试（含一次补考）',
        params: IdParams,
        body: ExamResultsBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof ExamResultsBody> }>) => {
      const staff = requireRole(request, COURSE_ROLES);
      const course = await visibleCourse(db, staff, request.params.id);
      request.audit = { action: 'exam.results', targetType: 'course', targetId: course.id };
      requireCourseOwner(staff, course);
      if (!course.exam_certificate_code) {
        throw new ApiError(422, 'COURSE_HAS_NO_EXAM', '该课程没有结业考试，不能登记考试成绩', [
          { field: 'id', reason: '课程没有考试' },
        ]);
      }
      const results = request.body.results;
      const workerIds = results.map((result) => result.workerId);
      const duplicate = workerIds.findIndex((id, i) => workerIds.indexOf(id) !== i);
      if (duplicate >= 0) {
        throw invalid(`results.${duplicate}.workerId`, '同一学员在一次登记中只能出现一次', 'DUPLICATE_TRAINEE');
      }
      const pipelines = await db
        .selectFrom('trainee_pipeline')
        .select(['id', 'worker_id', 'status', 'step'])
        .where('course_id', '=', course.id)
        .where('worker_id', 'in', workerIds)
        .execute();
      for (const [i, workerId] of workerIds.entries()) {
        const pipeline = pipelines.find((row) => row.worker_id === workerId);
        if (!pipeline) {
          throw invalid(`results.${i}.workerId`, '该职工未报名本课程', 'NOT_ENROLLED');
        }
        if (pipeline.status !== 'open' || (pipeline.step !== 'exam' && pipeline.step !== 'retake')) {
          throw new ApiError(409, 'EXAM_NOT_DUE', `results.${i}.workerId：该学员当前不在待考试或待补考步骤`, [
            { field: `results.${i}.workerId`, reason: '不在待考试步骤' },
          ]);
        }
      }
      // Known limit: results are applied one trainee after another; should one fail midway (the workflow service
      // down), those before it stay recorded. Repeating the request with the same Idempotency-Key is safe.
      const items = [];
      for (const result of results) {
        const pipeline = pipelines.find((row) => row.worker_id === result.workerId)!;
        const updateId = `${idFor(request, staff, 'exam', `:${course.id}`)}:${result.workerId}`;
        const state = await call(() =>
          temporal.client.workflow
            .getHandle(traineePipelineWorkflowId(course.id, result.workerId))
            .executeUpdate(pipelineActUpdate, {
              args: [{ action: 'exam-result', passed: result.passed, actor: actorOf(staff) }],
              updateId,
            }),
        );
        items.push({
          workerId: result.workerId,
          pipelineId: pipeline.id,
          sitting: state.examSittings,
          passed: result.passed,
          certified: state.certified,
          step: state.step,
        });
      }
      return { courseId: course.id, items, recordedAt: toShanghaiIso(Date.now()) };
    },
  );
}
