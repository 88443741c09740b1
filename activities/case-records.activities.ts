import { ApplicationFailure, log } from '@temporalio/activity';
import { appendCaseEvent } from './case-events.js';
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../db/database.js';
import type {
  RescheduleRecord,
  SuspensionRecord,
  TransitionRecord,
} from '../workflows/case-lifecycle/case-lifecycle.records.js';
import type { StepClock } from '../workflows/case-lifecycle/case-lifecycle.state.js';
import {
  CASE_ROLES,
  CATEGORY_LABELS,
  STEP_LABELS,
  type Category,
  type StaffRole,
} from '../workflows/shared/case-vocabulary.js';
import { FailureType } from '../workflows/shared/failure-types.js';
import { countedTimeBetween } from '../workflows/shared/working-time.js';
import { loadHolidayCalendar, planClock, policyAt } from './time-limits.js';

export interface CaseRecordDeps {
  db: Db;
}

/**
 * Read-model writes of the case workflow. Each is one transaction and idempotent on (case id, event seq):
 * a retried activity finds its event already stored, writes nothing twice and answers as the first attempt did.
 */
export function createCaseRecordActivities({ db }: CaseRecordDeps) {
  async function stepClockFromRow(trx: Transaction<Database>, caseId: string, stepSeq: number, holderPath: string) {
    const row = await trx
      .selectFrom('case_step')
      .select(['step', 'started_at', 'duration', 'calendar', 'max_suspension'])
      .where('case_id', '=', caseId)
      .where('step_seq', '=', stepSeq)
      .executeTakeFirst();
    if (!row) {
      return null;
    }
    return planClock(
      {
        stepSeq,
        step: row.step as StepClock['step'],
        holderPath,
        startedAt: row.started_at.getTime(),
        duration: row.duration,
        calendar: row.calendar as StepClock['calendar'],
        maxSuspension: row.max_suspension,
        pauses: [],
      },
      await loadHolidayCalendar(trx),
    );
  }

  return {
    /**
     * Writes one transition of a case: its event, the case row, the step it completed (with any lateness) and
     * the step it began, whose deadline is computed here from the case's policy version and the holiday
     * calendar. New work at another unit, and a worker's own application, notifies that unit's staff. Returns the
     * new step's clock.
     */
    async recordCaseTransition(record: TransitionRecord): Promise<StepClock | null> {
      const { caseId, event, caseRow, newStep } = record;
      const occurredAt = new Date(record.occurredAt);
      return db.transaction().execute(async (trx) => {
        if (record.opening) {
          const opening = record.opening;
          const worker = await trx
            .selectFrom('worker')
            .select(['household_id'])
            .where('id', '=', opening.workerId)
            .executeTakeFirst();
          if (!worker) {
            throw ApplicationFailure.nonRetryable(`Worker ${opening.workerId} not found`, FailureType.CaseNotFound);
          }
          await trx
            .insertInto('assistance_case')
            .values({
              id: caseId,
              worker_id: opening.workerId,
              household_id: worker.household_id,
              worker_unit_id: opening.workerUnit.id,
              worker_unit_path: opening.workerUnit.path,
              category: opening.category,
              urgency: opening.urgency,
              source: opening.source,
              fund: opening.fund ?? 'warmth',
              summary: opening.summary,
              status: 'open',
              step: 'dispatch',
              holder_unit_id: caseRow.holder.id,
              holder_unit_path: caseRow.holder.path,
              assignee_unit_id: caseRow.assigneeUnitId,
              opened_unit_id: opening.openedBy.unit.id,
              opened_by_user_id: opening.openedBy.userId,
              policy_version: opening.policyVersion,
              step_seq: 0,
              step_started_at: occurredAt,
              last_seq: 0,
              opened_at: occurredAt,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }

        const inserted = await appendCaseEvent(trx, {
          caseId,
          seq: event.seq,
          kind: event.kind,
          fromStep: event.fromStep,
          toStep: event.toStep,
          actorUserId: event.actorUserId,
          actorUnitId: event.actorUnitId,
          holderUnitId: caseRow.holder.id,
          data: event.data,
          occurredAt: record.occurredAt,
        });
        if (!inserted) {
          log.info('Case transition already recorded', { caseId, seq: event.seq });
          return newStep ? stepClockFromRow(trx, caseId, newStep.stepSeq, newStep.holder.path) : null;
        }

        let clock: StepClock | null = null;
        if (newStep) {
          const policy = await policyAt(trx, record.category, record.urgency, record.policyVersion);
          const limit = policy.limits[newStep.step];
          if (!limit) {
            throw ApplicationFailure.nonRetryable(`Policy has no limit for ${newStep.step}`, FailureType.PolicyInvalid);
          }
          clock = planClock(
            {
              stepSeq: newStep.stepSeq,
              step: newStep.step,
              holderPath: newStep.holder.path,
              startedAt: newStep.startedAt,
              duration: limit.duration,
              calendar: limit.calendar,
              maxSuspension: policy.maxSuspension,
              pauses: [],
            },
            await loadHolidayCalendar(trx),
          );
          await trx
            .insertInto('case_step')
            .values({
              case_id: caseId,
              step_seq: newStep.stepSeq,
              step: newStep.step,
              holder_unit_id: newStep.holder.id,
              started_at: new Date(newStep.startedAt),
              duration: limit.duration,
              calendar: limit.calendar,
              max_suspension: policy.maxSuspension,
              due_at: new Date(clock.dueAt),
              remind_at: new Date(clock.remindAt),
            })
            .onConflict((oc) => oc.columns(['case_id', 'step_seq']).doNothing())
            .execute();
        }

        if (record.completedStepSeq !== null) {
          await trx
            .updateTable('case_step')
            .set({
              completed_at: occurredAt,
              late_ms: sql<string>`greatest(0, (extract(epoch from ${occurredAt}::timestamptz - due_at) * 1000)::bigint)`,
              updated_at: sql`now()`,
            })
            .where('case_id', '=', caseId)
            .where('step_seq', '=', record.completedStepSeq)
            .where('completed_at', 'is', null)
            .execute();
        }

        const ended = caseRow.status !== 'open';
        await trx
          .updateTable('assistance_case')
          .set({
            status: caseRow.status,
            step: caseRow.step,
            holder_unit_id: caseRow.holder.id,
            holder_unit_path: caseRow.holder.path,
            assignee_unit_id: caseRow.assigneeUnitId,
            step_seq: caseRow.stepSeq,
            step_started_at: occurredAt,
            due_at: clock ? new Date(clock.dueAt) : null,
            remind_at: clock ? new Date(clock.remindAt) : null,
            suspended_until: null,
            escalation_level: 0,
            last_seq: event.seq,
            closed_at: ended ? occurredAt : null,
            updated_at: sql`now()`,
          })
          .where('id', '=', caseId)
          .where('last_seq', '<', event.seq)
          .execute();

        // A worker's own application opens at their union with no one there having acted: its staff must hear of it.
        const openedByWorker = event.kind === 'opened' && event.actorUserId === null;
        if (newStep && (newStep.holder.id !== event.actorUnitId || openedByWorker)) {
          const title = await assignedTitle(trx, caseId, newStep.step, record.category);
          await notifyUnitStaff(trx, {
            caseId,
            unitId: newStep.holder.id,
            kind: 'assigned',
            dedupeKey: `${caseId}:${event.seq}:assigned`,
            deliverAt: occurredAt,
            title: openedByWorker ? `职工自主申报：${title}` : title,
            data: { step: newStep.step, dueAt: clock ? new Date(clock.dueAt).toISOString() : null },
          });
        }
        log.info('Case transition recorded', { caseId, seq: event.seq, kind: event.kind, step: caseRow.step });
        return clock;
      });
    },

    /** Stops the step's clock until a date: the case stops counting towards overdue meanwhile. */
    async recordSuspension(record: SuspensionRecord): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const inserted = await appendCaseEvent(trx, {
          caseId: record.caseId,
          seq: record.seq,
          kind: 'suspended',
          fromStep: record.step,
          toStep: record.step,
          actorUserId: record.actorUserId,
          actorUnitId: record.actorUnitId,
          holderUnitId: record.actorUnitId,
          data: { reason: record.reason, until: new Date(record.until).toISOString() },
          occurredAt: record.occurredAt,
        });
        if (!inserted) {
          return;
        }
        await trx
          .updateTable('assistance_case')
          .set({ suspended_until: new Date(record.until), due_at: null, last_seq: record.seq, updated_at: sql`now()` })
          .where('id', '=', record.caseId)
          .where('step_seq', '=', record.stepSeq)
          .where('last_seq', '<', record.seq)
          .execute();
      });
    },

    /**
     * Recomputes the running step's deadline after a suspension ends or the holiday calendar changes, from the
     * step's start, its limit and every pause so far. The timeline records the old and new deadline and, for a
     * suspension, the counted time it paused.
     */
    async rescheduleStep(record: RescheduleRecord): Promise<StepClock> {
      const holidays = await loadHolidayCalendar(db);
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('assistance_case')
          .select(['holder_unit_path', 'step_seq'])
          .where('id', '=', record.caseId)
          .executeTakeFirstOrThrow();
        const clock = planClock({ ...record.clock, holderPath: current.holder_unit_path }, holidays);
        const pausedMs = record.endedPause
          ? countedTimeBetween(record.endedPause.from, record.endedPause.to, clock.calendar, holidays)
          : 0;
        const inserted = await appendCaseEvent(trx, {
          caseId: record.caseId,
          seq: record.seq,
          kind: record.kind,
          fromStep: record.step,
          toStep: record.step,
          actorUserId: record.actorUserId ?? null,
          actorUnitId: record.actorUnitId ?? null,
          holderUnitId: null,
          data: {
            previousDueAt: new Date(record.clock.dueAt).toISOString(),
            dueAt: new Date(clock.dueAt).toISOString(),
            ...(record.endedPause ? { pausedMs, calendar: clock.calendar } : {}),
            ...(record.year ? { year: record.year } : {}),
          },
          occurredAt: record.occurredAt,
        });
        if (!inserted) {
          return clock;
        }
        await trx
          .updateTable('case_step')
          .set({
            due_at: new Date(clock.dueAt),
            remind_at: new Date(clock.remindAt),
            paused_ms: sql`paused_ms + ${pausedMs}`,
            updated_at: sql`now()`,
          })
          .where('case_id', '=', record.caseId)
          .where('step_seq', '=', clock.stepSeq)
          .execute();
        await trx
          .updateTable('assistance_case')
          .set({
            due_at: new Date(clock.dueAt),
            remind_at: new Date(clock.remindAt),
            suspended_until: null,
            last_seq: record.seq,
            updated_at: sql`now()`,
          })
          .where('id', '=', record.caseId)
          .where('step_seq', '=', clock.stepSeq)
          .where('last_seq', '<', record.seq)
          .execute();
        log.info('Step deadline recomputed', { caseId: record.caseId, kind: record.kind, stepSeq: clock.stepSeq });
        return clock;
      });
    },

    /** The deadline a running step would have under the current calendar, without writing anything. */
    async previewDeadline(request: { caseId: string; clock: StepClock }): Promise<number> {
      const current = await db
        .selectFrom('assistance_case')
        .select('holder_unit_path')
        .where('id', '=', request.caseId)
        .executeTakeFirstOrThrow();
      return planClock({ ...request.clock, holderPath: current.holder_unit_path }, await loadHolidayCalendar(db)).dueAt;
    },

    /** Open cases whose current step runs on the working-day clock, in id order, one page at a time. */
    async listCasesOnWorkingClock(page: { afterCaseId: string | null; limit: number }): Promise<string[]> {
      let query = db
        .selectFrom('assistance_case as c')
        .innerJoin('case_step as s', (join) =>
          join.onRef('s.case_id', '=', 'c.id').onRef('s.step_seq', '=', 'c.step_seq'),
        )
        .select('c.id')
        .where('c.status', '=', 'open')
        .where('s.calendar', '=', 'working')
        .where('c.suspended_until', 'is', null)
        .orderBy('c.id')
        .limit(page.limit);
      if (page.afterCaseId) {
        query = query.where('c.id', '>', page.afterCaseId);
      }
      return (await query.execute()).map((row) => row.id);
    },
  };
}

async function assignedTitle(trx: Transaction<Database>, caseId: string, step: string, category: string) {
  const row = await trx.selectFrom('assistance_case').select('number').where('id', '=', caseId).executeTakeFirst();
  const label = CATEGORY_LABELS[category as Category] ?? category;
  return `工单 #${row?.number ?? ''}（${label}）待您${STEP_LABELS[step as keyof typeof STEP_LABELS]}`;
}

export interface UnitNotice {
  caseId: string;
  unitId: string;
  kind: string;
  dedupeKey: string;
  deliverAt: Date;
  title: string;
  data: Record<string, unknown>;
  /** Limit to these roles; by default everyone at the unit who handles cases. */
  roles?: readonly StaffRole[];
}

/**
 * Fans a notice out to the staff of one unit, once per person: the dedupe key makes a retried activity a no-op.
 * Returns how many people it reached.
 */
export async function notifyUnitStaff(trx: Transaction<Database>, notice: UnitNotice): Promise<number> {
  const roles = notice.roles ?? CASE_ROLES;
  const result = await trx
    .insertInto('notification')
    .columns(['user_id', 'unit_id', 'case_id', 'kind', 'title', 'data', 'dedupe_key', 'deliver_at'])
    .expression((eb) =>
      eb
        .selectFrom('app_user')
        .select([
          'id',
          sql<string>`${notice.unitId}::uuid`.as('unit_id'),
          sql<string>`${notice.caseId}::uuid`.as('case_id'),
          sql<string>`${notice.kind}::text`.as('kind'),
          sql<string>`${notice.title}::text`.as('title'),
          sql<string>`${JSON.stringify(notice.data)}::jsonb`.as('data'),
          sql<string>`${notice.dedupeKey}::text`.as('dedupe_key'),
          sql<Date>`${notice.deliverAt}::timestamptz`.as('deliver_at'),
        ])
        .where('unit_id', '=', notice.unitId)
        .where('role', 'in', [...roles])
        .where('disabled_at', 'is', null),
    )
    .onConflict((oc) => oc.columns(['dedupe_key', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
