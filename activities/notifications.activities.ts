import { log } from '@temporalio/activity';
import { appendCaseEvent } from './case-events.js';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { StepNotice } from '../workflows/case-lifecycle/case-lifecycle.records.js';
import { STEP_LABELS } from '../workflows/shared/case-vocabulary.js';
import { nextOfficeMoment } from '../workflows/shared/working-time.js';
import { notifyUnitStaff } from './case-records.activities.js';
import { formatShanghai } from './format.js';
import { loadHolidayCalendar } from './time-limits.js';

export interface NotificationDeps {
  db: Db;
}

/** Reminders, overdue notices and escalations of late steps. */
export function createNotificationActivities({ db }: NotificationDeps) {
  return {
    /**
     * Records a deadline notice in the case timeline and tells the people who must act: a reminder goes to the
     * holder's staff, delivered in office hours; an overdue notice (level 1) goes to the holder's staff and the
     * supervisors of its parent; a further escalation goes to the supervisors of the unit one level higher.
     * Idempotent on (case, seq): a retry sends nothing twice.
     */
    async sendStepNotice(notice: StepNotice): Promise<{ recipients: number }> {
      const holidays = await loadHolidayCalendar(db);
      return db.transaction().execute(async (trx) => {
        const inserted = await appendCaseEvent(trx, {
          caseId: notice.caseId,
          seq: notice.seq,
          kind: notice.kind,
          fromStep: notice.step,
          toStep: notice.step,
          actorUserId: null,
          actorUnitId: null,
          holderUnitId: null,
          data: {
            level: notice.level,
            unitId: notice.unitId,
            stepSeq: notice.stepSeq,
            dueAt: new Date(notice.dueAt).toISOString(),
          },
          occurredAt: notice.occurredAt,
        });
        if (!inserted) {
          return { recipients: 0 };
        }

        const current = await trx
          .selectFrom('assistance_case')
          .select(['number', 'holder_unit_id', 'step_seq'])
          .where('id', '=', notice.caseId)
          .executeTakeFirstOrThrow();
        const stepLabel = STEP_LABELS[notice.step];
        const due = formatShanghai(notice.dueAt);
        const base = { caseId: notice.caseId, data: { step: notice.step, level: notice.level, dueAt: due } };
        const dedupe = `${notice.caseId}:${notice.seq}`;
        let recipients = 0;
        if (notice.kind === 'reminder') {
          recipients += await notifyUnitStaff(trx, {
            ...base,
            unitId: notice.unitId,
            kind: 'reminder',
            dedupeKey: `${dedupe}:reminder`,
            deliverAt: new Date(nextOfficeMoment(notice.occurredAt, holidays)),
            title: `工单 #${current.number}「${stepLabel}」将于 ${due} 到期，请及时办理`,
          });
        } else {
          if (notice.level === 1) {
            recipients += await notifyUnitStaff(trx, {
              ...base,
              unitId: current.holder_unit_id,
              kind: 'overdue',
              dedupeKey: `${dedupe}:overdue`,
              deliverAt: new Date(notice.occurredAt),
              title: `工单 #${current.number}「${stepLabel}」已超时（时限 ${due}），已报上级督办`,
            });
          }
          const supervisorNotice = {
            ...base,
            unitId: notice.unitId,
            kind: 'escalation',
            dedupeKey: `${dedupe}:escalation`,
            deliverAt: new Date(notice.occurredAt),
            title: `督办：工单 #${current.number}「${stepLabel}」超时未办（时限 ${due}），督办级别 ${notice.level}`,
          };
          const supervisors = await notifyUnitStaff(trx, { ...supervisorNotice, roles: ['supervisor'] });
          recipients += supervisors || (await notifyUnitStaff(trx, { ...supervisorNotice, roles: ['admin'] }));
          await trx
            .updateTable('assistance_case')
            .set({ escalation_level: sql`greatest(escalation_level, ${notice.level})`, updated_at: sql`now()` })
            .where('id', '=', notice.caseId)
            .where('step_seq', '=', notice.stepSeq)
            .where('status', '=', 'open')
            .execute();
          await trx
            .updateTable('case_step')
            .set({ max_escalation_level: sql`greatest(max_escalation_level, ${notice.level})`, updated_at: sql`now()` })
            .where('case_id', '=', notice.caseId)
            .where('step_seq', '=', notice.stepSeq)
            .execute();
        }
        log.info('Step notice sent', { caseId: notice.caseId, kind: notice.kind, level: notice.level, recipients });
        return { recipients };
      });
    },
  };
}
