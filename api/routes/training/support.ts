import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../../db/database.js';
import { relatedTo } from '../../../db/repositories/training.repository.js';
import type { Course } from '../../../db/tables/training.table.js';
import { parseDuration } from '../../../workflows/shared/duration.js';
import { isWithin } from '../../../workflows/shared/org-path.js';
import type { PipelineActor } from '../../../workflows/trainee-pipeline/trainee-pipeline.state.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import type { Staff } from '../../staff.js';
import type { Labels } from './views.js';

/** Helpers shared by the training routes: scope checks, vocabulary checks, Temporal calls with a deadline. */

export const actorOf = (staff: Staff): PipelineActor => ({
  userId: staff.id,
  role: staff.role,
  unit: { id: staff.unitId, path: staff.unitPath },
});

export async function loadLabels(db: Db): Promise<Labels> {
  const [skills, certificates] = await Promise.all([
    db.selectFrom('skill').select(['code', 'label']).execute(),
    db.selectFrom('certificate_type').select(['code', 'label']).execute(),
  ]);
  return {
    skills: new Map(skills.map((row) => [row.code, row.label])),
    certificates: new Map(certificates.map((row) => [row.code, row.label])),
  };
}

/** 422 naming the field when a code is not in the skill (or certificate) vocabulary. */
export async function requireKnownCodes(
  db: Db,
  table: 'skill' | 'certificate_type',
  codes: readonly string[],
  field: string,
): Promise<void> {
  if (codes.length === 0) {
    return;
  }
  const known = await db
    .selectFrom(table)
    .select('code')
    .where('code', 'in', [...codes])
    .execute();
  const missing = codes.filter((code) => !known.some((row) => row.code === code));
  if (missing.length > 0) {
    const [what, code] = table === 'skill' ? ['技能', 'SKILL_UNKNOWN'] : ['证书', 'CERTIFICATE_UNKNOWN'];
    throw invalid(field, `未知的${what}代码：${missing.join('、')}`, code);
  }
}

/** A course the caller may see (owned in their subtree or above their unit), or 404 as if it did not exist. */
export async function visibleCourse(db: Db, staff: Staff, courseId: string): Promise<Course> {
  const course = await db
    .selectFrom('course')
    .selectAll()
    .where('id', '=', courseId)
    .where(({ ref }) => relatedTo(ref('owner_unit_path'), staff.unitPath))
    .executeTakeFirst();
  if (!course) {
    throw notFound('COURSE_NOT_FOUND', '课程不存在或不在您的管辖范围内');
  }
  return course;
}

/** Only staff of the owning unit or above may run a course (attendance, exams, ending it). */
export function requireCourseOwner(staff: Staff, course: Course): void {
  if (!isWithin(course.owner_unit_path, staff.unitPath)) {
    throw forbidden('NOT_COURSE_OWNER', '该课程由上级单位开办，只有开课单位及其上级的培训师可以办理');
  }
}

export const courseHasEnded = (course: Course, now = Date.now()) =>
  course.ended_at !== null || course.ends_at.getTime() <= now;

/** A worker in the caller's subtree, or 422 naming the field. */
export async function workerInScope(db: Db, staff: Staff, workerId: string, field = 'workerId') {
  const worker = await db
    .selectFrom('worker as w')
    .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
    .select(['w.id', 'w.name', 'w.unit_id', 'o.path'])
    .where('w.id', '=', workerId)
    .where(sql<SqlBool>`o.path like ${`${staff.unitPath}%`}`)
    .executeTakeFirst();
  if (!worker) {
    throw invalid(field, '职工不存在或不在您的管辖范围内', 'WORKER_NOT_FOUND');
  }
  return worker;
}

/** A duration of this project's ISO-8601 subset, at most `maxDays` long, or 422 naming the field. */
export function checkDuration(field: string, value: string, maxDays: number): number {
  const ms = parseDuration(value);
  if (ms === null) {
    throw invalid(field, `时长格式不正确：${value}（例如 P3D、PT4H、PT30S）`, 'DURATION_INVALID');
  }
  if (ms > maxDays * 86_400_000) {
    throw invalid(field, `时长不能超过 ${maxDays} 天`, 'DURATION_INVALID');
  }
  return ms;
}

/** An id made from the request's Idempotency-Key (so a retry reaches the same thing), else a fresh one. */
export const idFor = (request: FastifyRequest, staff: Staff, kind: string, extra = '') =>
  request.idempotency ? uuidFromKey(`${kind}:${staff.id}${extra}`, request.idempotency.key) : randomUUID();

/**
 * Runs a Temporal call within the API's update deadline. A workflow that has already ended answers 409: the
 * read model said it was open a moment ago, and it closed meanwhile.
 */
export function temporalCall({ temporal, config }: Pick<AppDeps, 'temporal' | 'config'>) {
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await temporal.client.withDeadline(Date.now() + config.updateTimeoutMs, fn);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw conflict('PIPELINE_NOT_OPEN', '该流程已经结束，不能再办理');
      }
      throw error;
    }
  };
}

/** 422 when `to` is not after `from`. */
export function checkPeriod(from: string, to: string): { from: Date; to: Date } {
  const period = { from: new Date(from), to: new Date(to) };
  if (!(period.from < period.to)) {
    throw new ApiError(422, 'VALIDATION_FAILED', 'to：结束时间须晚于开始时间', [
      { field: 'to', reason: '须晚于 from' },
    ]);
  }
  return period;
}
