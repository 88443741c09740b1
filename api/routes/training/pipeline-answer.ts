import type { Db } from '../../../db/database.js';
import { findVisiblePipeline, pipelineTimeline } from '../../../db/repositories/training.repository.js';
import { notFound } from '../../errors.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';
import { pipelineSummaryView, pipelineTimelineView } from './views.js';

/**
 * One pipeline as the API answers it: the row, its seat, offers, exam results, certificate, pushed openings and
 * timeline, read in one snapshot so they agree. With `staff` the read is scoped to the caller's subtree; without
 * it, unscoped, which only answering an action or an enrolment the caller was just allowed to make may do.
 */
export async function pipelineAnswer(db: Db, pipelineId: string, staff: Staff | null) {
  const snapshot = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const row = staff
        ? await findVisiblePipeline(trx, pipelineId, staff.unitPath)
        : await trx.selectFrom('trainee_pipeline').selectAll().where('id', '=', pipelineId).executeTakeFirst();
      if (!row) {
        return null;
      }
      const [seat, course, offers, exams, certificate, pushes, profiles, events] = await Promise.all([
        trx.selectFrom('course_enrolment').select('status').where('id', '=', pipelineId).executeTakeFirst(),
        trx.selectFrom('course').select('title').where('id', '=', row.course_id).executeTakeFirstOrThrow(),
        trx
          .selectFrom('job_offer as f')
          .innerJoin('job_opening as o', 'o.id', 'f.opening_id')
          .innerJoin('enterprise as e', 'e.id', 'o.enterprise_id')
          .select(['f.id', 'f.opening_id', 'o.title', 'e.name', 'f.status', 'f.offered_at', 'f.answered_at'])
          .where('f.pipeline_id', '=', pipelineId)
          .orderBy('f.offered_at')
          .execute(),
        trx
          .selectFrom('exam_result')
          .select(['sitting', 'passed', 'recorded_at'])
          .where('pipeline_id', '=', pipelineId)
          .orderBy('sitting')
          .execute(),
        trx
          .selectFrom('certificate')
          .select(['id', 'certificate_code', 'issued_at'])
          .where('pipeline_id', '=', pipelineId)
          .executeTakeFirst(),
        trx
          .selectFrom('opening_push')
          .select(['opening_id', 'rank', 'score', 'reason', 'pushed_at'])
          .where('pipeline_id', '=', pipelineId)
          .orderBy('pushed_at')
          .orderBy('rank')
          .execute(),
        trx
          .selectFrom('profile_push')
          .select(({ fn }) => fn.countAll<number>().as('count'))
          .where('pipeline_id', '=', pipelineId)
          .executeTakeFirstOrThrow(),
        pipelineTimeline(trx, pipelineId),
      ]);
      return { row, seat, course, offers, exams, certificate, pushes, profiles, events };
    });
  if (!snapshot) {
    throw notFound('PIPELINE_NOT_FOUND', '学员流程不存在或不在您的管辖范围内');
  }
  const { row, seat, course, offers, exams, certificate, pushes, profiles, events } = snapshot;
  return {
    ...pipelineSummaryView({ ...row, seat: seat?.status ?? null }),
    courseTitle: course.title,
    offers: offers.map((offer) => ({
      id: offer.id,
      openingId: offer.opening_id,
      openingTitle: offer.title,
      enterpriseName: offer.name,
      status: offer.status,
      offeredAt: toShanghaiIso(offer.offered_at),
      answeredAt: toShanghaiIso(offer.answered_at),
    })),
    examResults: exams.map((exam) => ({
      sitting: exam.sitting,
      passed: exam.passed,
      recordedAt: toShanghaiIso(exam.recorded_at),
    })),
    certificate: certificate
      ? { id: certificate.id, code: certificate.certificate_code, issuedAt: toShanghaiIso(certificate.issued_at) }
      : null,
    pushedOpenings: pushes.map((push) => ({
      openingId: push.opening_id,
      rank: push.rank,
      score: push.score,
      reason: push.reason,
      pushedAt: toShanghaiIso(push.pushed_at),
    })),
    profilesSentToEnterprises: Number(profiles.count),
    timeline: pipelineTimelineView(events),
  };
}
