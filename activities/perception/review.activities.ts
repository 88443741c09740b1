import { ApplicationFailure, log } from '@temporalio/activity';
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../../db/database.js';
import type { StaffRole } from '../../workflows/shared/case-vocabulary.js';
import { parseDuration } from '../../workflows/shared/duration.js';
import { FailureType } from '../../workflows/shared/failure-types.js';
import { deadlineAfter } from '../../workflows/shared/working-time.js';
import { formatShanghai } from '../format.js';
import { loadHolidayCalendar } from '../time-limits.js';

export interface LeadReviewDeps {
  db: Db;
}

/**
 * Escalation levels of unreviewed leads: the reviewing unit's parent at the deadline, the next level after two.
 * Known limit: a lead first raised by one scan keeps that scan's deadline when later scans update it; leads
 * escalate per scan and reviewing unit, in one notice per unit, not one per lead.
 */
export const LEAD_ESCALATION_LEVELS = 2;

export interface LeadReviewPlan {
  leads: number;
  dueAt: number | null;
  escalations: { level: number; at: number }[];
}

interface UnitNotice {
  unitId: string;
  kind: string;
  title: string;
  data: Record<string, unknown>;
  dedupeKey: string;
}

/**
 * Tells one unit's supervisors (its admins when it has none), once per person: the dedupe key makes a retried
 * activity a no-op. Returns how many people it reached.
 */
async function notifySupervisors(trx: Transaction<Database>, notice: UnitNotice): Promise<number> {
  const send = async (roles: readonly StaffRole[]) => {
    const result = await trx
      .insertInto('notification')
      .columns(['user_id', 'unit_id', 'case_id', 'kind', 'title', 'data', 'dedupe_key', 'deliver_at'])
      .expression((eb) =>
        eb
          .selectFrom('app_user')
          .select([
            'id',
            sql<string>`${notice.unitId}::uuid`.as('unit_id'),
            sql<null>`null::uuid`.as('case_id'),
            sql<string>`${notice.kind}::text`.as('kind'),
            sql<string>`${notice.title}::text`.as('title'),
            sql<string>`${JSON.stringify(notice.data)}::jsonb`.as('data'),
            sql<string>`${notice.dedupeKey}::text`.as('dedupe_key'),
            sql<Date>`now()`.as('deliver_at'),
          ])
          .where('unit_id', '=', notice.unitId)
          .where('role', 'in', [...roles])
          .where('disabled_at', 'is', null),
      )
      .onConflict((oc) => oc.columns(['dedupe_key', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  };
  const hasSupervisors = await trx
    .selectFrom('app_user')
    .select('id')
    .where('unit_id', '=', notice.unitId)
    .where('role', '=', 'supervisor')
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return send(hasSupervisors ? ['supervisor'] : ['admin']);
}

/** Review deadlines and escalations of the leads a scan raised. Idempotent on (scan, level, unit). */
export function createLeadReviewActivities({ db }: LeadReviewDeps) {
  return {
    /**
     * Sets the review deadline of the scan's new leads from the scan's review limit (counted on the working-day
     * calendar when the limit says so) and tells each reviewing unit's supervisors how many leads wait.
     */
    async planLeadReview({ scanId }: { scanId: string }): Promise<LeadReviewPlan> {
      const scan = await db
        .selectFrom('perception_scan as s')
        .innerJoin('perception_setting as p', 'p.version', 's.setting_version')
        .select(['s.id', 's.finished_at', 's.started_at', 'p.review_limit', 'p.review_calendar'])
        .where('s.id', '=', scanId)
        .executeTakeFirst();
      if (!scan) {
        throw ApplicationFailure.nonRetryable(`Perception scan ${scanId} not found`, FailureType.ScanNotFound);
      }
      const limitMs = parseDuration(scan.review_limit);
      if (limitMs === null) {
        throw ApplicationFailure.nonRetryable(
          `Review limit ${scan.review_limit} is not valid`,
          FailureType.PolicyInvalid,
        );
      }
      const holidays = await loadHolidayCalendar(db);
      const start = (scan.finished_at ?? scan.started_at).getTime();
      const at = (times: number) => deadlineAfter(start, limitMs * times, scan.review_calendar, holidays);
      const dueAt = at(1);
      const escalations = Array.from({ length: LEAD_ESCALATION_LEVELS }, (_, i) => ({ level: i + 1, at: at(i + 1) }));

      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('perception_lead')
          .set({ due_at: new Date(dueAt) })
          .where('raised_scan_id', '=', scanId)
          .where('status', '=', 'open')
          .where('due_at', 'is', null)
          .execute();
        const byUnit = await trx
          .selectFrom('perception_lead')
          .select(['review_unit_id', (eb) => eb.fn.countAll<number>().as('leads')])
          .where('raised_scan_id', '=', scanId)
          .where('status', '=', 'open')
          .groupBy('review_unit_id')
          .execute();
        for (const unit of byUnit) {
          await notifySupervisors(trx, {
            unitId: unit.review_unit_id,
            kind: 'lead_new',
            title: `感知发现 ${Number(unit.leads)} 条新线索待审核，请于 ${formatShanghai(dueAt)} 前确认或排除`,
            data: { scanId, leads: Number(unit.leads), dueAt: new Date(dueAt).toISOString() },
            dedupeKey: `lead-review:${scanId}:new:${unit.review_unit_id}`,
          });
        }
        const leads = byUnit.reduce((sum, unit) => sum + Number(unit.leads), 0);
        log.info('Lead review planned', { scanId, leads, units: byUnit.length });
        return { leads, dueAt: leads > 0 ? dueAt : null, escalations };
      });
    },

    /**
     * Escalates the scan's leads still open past their deadline: at level 1 the reviewing unit's supervisors are
     * told the leads are overdue and its parent's supervisors are asked to supervise; at each further level the
     * unit one higher is told, up to the city. Returns how many of the scan's leads are still open.
     */
    async escalateUnreviewedLeads({ scanId, level }: { scanId: string; level: number }): Promise<{ open: number }> {
      return db.transaction().execute(async (trx) => {
        const { rows: groups } = await sql<{
          review_unit_id: string;
          review_unit_name: string;
          target_unit_id: string;
          clamped: boolean;
          leads: number;
          due_at: Date;
        }>`
          select l.review_unit_id, r.name as review_unit_name,
                 ids[greatest(array_length(ids, 1) - ${level}::int, 1)]::uuid as target_unit_id,
                 array_length(ids, 1) - ${level}::int < 1 and ${level}::int > 1 as clamped,
                 count(*)::int as leads, min(l.due_at) as due_at
          from perception_lead l
          join org_unit r on r.id = l.review_unit_id
          cross join lateral (select string_to_array(trim(both '/' from l.review_unit_path), '/') as ids) p
          where l.raised_scan_id = ${scanId}::uuid and l.status = 'open' and l.due_at <= now()
            and l.escalation_level < ${level}::int
          group by l.review_unit_id, r.name, ids`.execute(trx);
        for (const group of groups) {
          const due = formatShanghai(group.due_at.getTime());
          if (level === 1) {
            await notifySupervisors(trx, {
              unitId: group.review_unit_id,
              kind: 'lead_overdue',
              title: `${group.leads} 条感知线索已超过审核时限（${due}），已报上级督办`,
              data: { scanId, leads: group.leads, level },
              dedupeKey: `lead-review:${scanId}:overdue:${group.review_unit_id}`,
            });
          }
          if (!group.clamped) {
            await notifySupervisors(trx, {
              unitId: group.target_unit_id,
              kind: 'lead_escalation',
              title: `督办：${group.review_unit_name}有 ${group.leads} 条感知线索超时未审核（时限 ${due}），督办级别 ${level}`,
              data: { scanId, leads: group.leads, level, reviewUnitId: group.review_unit_id },
              dedupeKey: `lead-review:${scanId}:${level}:${group.review_unit_id}:${group.target_unit_id}`,
            });
          }
        }
        await trx
          .updateTable('perception_lead')
          .set({ escalation_level: sql`greatest(escalation_level, ${level}::int)`, updated_at: sql`now()` })
          .where('raised_scan_id', '=', scanId)
          .where('status', '=', 'open')
          .where('due_at', '<=', sql<Date>`now()`)
          .execute();
        const open = await trx
          .selectFrom('perception_lead')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('raised_scan_id', '=', scanId)
          .where('status', '=', 'open')
          .executeTakeFirstOrThrow();
        return { open: Number(open.n) };
      });
    },
  };
}
