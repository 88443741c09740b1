import { ApplicationFailure, log } from '@temporalio/activity';
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../db/database.js';
import type { Inspection } from '../db/tables/station.table.js';
import type {
  InspectionNotice,
  InspectionTransitionRecord,
  OpenInspectionRequest,
  RoundPageRequest,
} from '../workflows/station-inspection/station-inspection.records.js';
import type { InspectionClock, InspectionOpening } from '../workflows/station-inspection/station-inspection.state.js';
import type { StaffRole } from '../workflows/shared/case-vocabulary.js';
import { FailureType } from '../workflows/shared/failure-types.js';
import { selfAndAncestorIds } from '../workflows/shared/org-path.js';
import {
  INSPECTION_STEP_LABELS,
  STATION_STAFF_ROLES,
  type StationType,
} from '../workflows/shared/station-vocabulary.js';
import { inspectionWorkflowId } from '../workflows/shared/workflow-ids.js';
import type { HolidayCalendar } from '../workflows/shared/working-time.js';
import { formatShanghai } from './format.js';
import { currentInspectionPolicy, inspectionPolicyAt, planInspectionClock } from './stations-policy.js';
import { loadHolidayCalendar } from './time-limits.js';

type Trx = Transaction<Database>;

export interface StationInspectionDeps {
  db: Db;
}

interface Notice {
  kind: string;
  title: string;
  data: Record<string, unknown>;
  dedupeKey: string;
  deliverAt: Date;
}

type Recipients = { userId: string } | { unitId: string; roles: readonly StaffRole[] };

/** Fans a notice out once per person (the dedupe key makes a retry a no-op); returns how many it reached. */
async function notify(trx: Trx, to: Recipients, notice: Notice): Promise<number> {
  const result = await trx
    .insertInto('notification')
    .columns(['user_id', 'unit_id', 'case_id', 'kind', 'title', 'data', 'dedupe_key', 'deliver_at'])
    .expression((eb) => {
      let recipients = eb
        .selectFrom('app_user')
        .select([
          'id',
          'unit_id',
          sql<string>`null::uuid`.as('case_id'),
          sql<string>`${notice.kind}::text`.as('kind'),
          sql<string>`${notice.title}::text`.as('title'),
          sql<string>`${JSON.stringify(notice.data)}::jsonb`.as('data'),
          sql<string>`${notice.dedupeKey}::text`.as('dedupe_key'),
          sql<Date>`${notice.deliverAt}::timestamptz`.as('deliver_at'),
        ])
        .where('disabled_at', 'is', null);
      recipients =
        'userId' in to
          ? recipients.where('id', '=', to.userId)
          : recipients.where('unit_id', '=', to.unitId).where('role', 'in', [...to.roles]);
      return recipients;
    })
    .onConflict((oc) => oc.columns(['dedupe_key', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * The unit's supervisors; its admins when it has no supervisor; and when it has neither (a grassroots union often
 * has caseworkers only), the nearest unit above that has, so an escalation always reaches someone.
 */
async function notifySupervisors(trx: Trx, unitId: string, notice: Notice): Promise<number> {
  const unit = await trx.selectFrom('org_unit').select('path').where('id', '=', unitId).executeTakeFirst();
  for (const candidate of unit ? selfAndAncestorIds(unit.path) : [unitId]) {
    const reached =
      (await notify(trx, { unitId: candidate, roles: ['supervisor'] }, notice)) ||
      (await notify(trx, { unitId: candidate, roles: ['admin'] }, notice));
    if (reached > 0) {
      return reached;
    }
  }
  return 0;
}

async function appendEvent(
  trx: Trx,
  event: {
    inspectionId: string;
    seq: number;
    kind: string;
    fromStep: string;
    toStep: string;
    actorUserId: string | null;
    actorUnitId: string | null;
    data: Record<string, unknown>;
    occurredAt: number;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('inspection_event')
    .values({
      inspection_id: event.inspectionId,
      seq: event.seq,
      kind: event.kind,
      from_step: event.fromStep,
      to_step: event.toStep,
      actor_user_id: event.actorUserId,
      actor_unit_id: event.actorUnitId,
      data: JSON.stringify(event.data),
      occurred_at: new Date(event.occurredAt),
    })
    .onConflict((oc) => oc.columns(['inspection_id', 'seq']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * The inspector for a station: someone with the inspector role at the owning unit, or else at the nearest unit
 * above it that has one; among several, the one with the fewest open inspections.
 */
async function pickInspector(trx: Trx, ownerPath: string): Promise<string | null> {
  const ancestors = selfAndAncestorIds(ownerPath);
  const row = await trx
    .selectFrom('app_user as u')
    .select([
      'u.id',
      sql<number>`array_position(${ancestors}::uuid[], u.unit_id)`.as('distance'),
      sql<number>`(select count(*) from inspection i where i.inspector_user_id = u.id and i.status = 'open')`.as(
        'load',
      ),
    ])
    .where('u.role', '=', 'inspector')
    .where('u.disabled_at', 'is', null)
    .where('u.unit_id', 'in', ancestors)
    .orderBy('distance')
    .orderBy('load')
    .orderBy('u.id')
    .executeTakeFirst();
  return row?.id ?? null;
}

const periodLabel = (period: string) => (period.startsWith('spot-') ? '临时抽查' : `${period} 期检查`);

function clockOf(row: Inspection, holidays: HolidayCalendar): InspectionClock | null {
  if (row.status !== 'open' || !row.step_duration || !row.step_calendar || row.step === 'done') {
    return null;
  }
  return planInspectionClock(
    {
      stepSeq: row.step_seq,
      step: row.step,
      startedAt: row.step_started_at.getTime(),
      duration: row.step_duration,
      calendar: row.step_calendar,
      ownerPath: row.owner_unit_path,
      escalatedLevel: row.escalation_level,
    },
    holidays,
  );
}

function openingOf(row: Inspection, holidays: HolidayCalendar): InspectionOpening {
  return {
    owner: { id: row.owner_unit_id, path: row.owner_unit_path },
    inspectorUserId: row.inspector_user_id,
    rules: {
      checklist: row.checklist.map((item) => ({ id: item.id, maxScore: item.maxScore })),
      passMark: row.pass_mark,
      excellentMark: row.excellent_mark,
    },
    clock: clockOf(row, holidays)!,
  };
}

/**
 * Read-model writes and reads of the inspection workflows. Every write is one transaction, idempotent on
 * (inspection id, event seq): a retried activity finds its event stored, writes nothing twice and answers as the
 * first attempt did.
 */
export function createStationInspectionActivities({ db }: StationInspectionDeps) {
  return {
    /**
     * Records a new inspection: its row (with the checklist and marks of its policy version), the first event,
     * the assigned inspector and the deadline of the first step; tells the inspector (or, when no inspector is
     * found up the tree, the owning unit's supervisors). Fails with StationNotFoundError for an unknown station.
     */
    async openInspection(request: OpenInspectionRequest): Promise<InspectionOpening> {
      const holidays = await loadHolidayCalendar(db);
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('inspection')
          .selectAll()
          .where('id', '=', request.inspectionId)
          .executeTakeFirst();
        if (existing) {
          return openingOf(existing, holidays);
        }
        const station = await trx
          .selectFrom('station')
          .select(['id', 'name', 'type', 'owner_unit_id', 'owner_unit_path'])
          .where('id', '=', request.stationId)
          .executeTakeFirst();
        if (!station) {
          throw ApplicationFailure.nonRetryable(`Station ${request.stationId} not found`, FailureType.StationNotFound);
        }
        const policy = await inspectionPolicyAt(trx, station.type, request.policyVersion);
        const inspectorUserId = await pickInspector(trx, station.owner_unit_path);
        const limit = policy.limits.inspect;
        const clock = planInspectionClock(
          {
            stepSeq: 1,
            step: 'inspect',
            startedAt: request.occurredAt,
            duration: limit.duration,
            calendar: limit.calendar,
            ownerPath: station.owner_unit_path,
          },
          holidays,
        );
        const inserted = await trx
          .insertInto('inspection')
          .values({
            id: request.inspectionId,
            workflow_id: inspectionWorkflowId(station.id, request.period),
            station_id: station.id,
            station_type: station.type,
            owner_unit_id: station.owner_unit_id,
            owner_unit_path: station.owner_unit_path,
            period: request.period,
            kind: request.kind,
            policy_version: policy.version,
            checklist: JSON.stringify(policy.checklist),
            pass_mark: policy.passMark,
            excellent_mark: policy.excellentMark,
            status: 'open',
            step: 'inspect',
            inspector_user_id: inspectorUserId,
            ordered_by_user_id: request.orderedByUserId,
            step_seq: 1,
            step_started_at: new Date(request.occurredAt),
            step_duration: limit.duration,
            step_calendar: limit.calendar,
            due_at: new Date(clock.dueAt),
            last_seq: 1,
            opened_at: new Date(request.occurredAt),
          })
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) {
          // An earlier attempt of this activity that timed out may have committed meanwhile: that is success.
          const earlier = await trx
            .selectFrom('inspection')
            .selectAll()
            .where('id', '=', request.inspectionId)
            .executeTakeFirst();
          if (earlier) {
            return openingOf(earlier, holidays);
          }
          throw ApplicationFailure.nonRetryable(
            `Station ${station.id} already has an inspection for period ${request.period}`,
            FailureType.InvalidData,
          );
        }
        await appendEvent(trx, {
          inspectionId: request.inspectionId,
          seq: 1,
          kind: 'opened',
          fromStep: 'inspect',
          toStep: 'inspect',
          actorUserId: request.orderedByUserId,
          actorUnitId: null,
          data: {
            kind: request.kind,
            period: request.period,
            inspectorUserId,
            policyVersion: policy.version,
            dueAt: new Date(clock.dueAt).toISOString(),
          },
          occurredAt: request.occurredAt,
        });
        const due = formatShanghai(clock.dueAt);
        const notice = {
          data: { inspectionId: request.inspectionId, stationId: station.id, step: 'inspect', dueAt: due },
          dedupeKey: `inspection:${request.inspectionId}:1:assigned`,
          deliverAt: new Date(request.occurredAt),
        };
        if (inspectorUserId) {
          await notify(
            trx,
            { userId: inspectorUserId },
            {
              ...notice,
              kind: 'inspection_assigned',
              title: `驿站「${station.name}」${periodLabel(request.period)}已分配给您，请于 ${due} 前提交评分`,
            },
          );
        } else {
          await notifySupervisors(trx, station.owner_unit_id, {
            ...notice,
            kind: 'inspection_unassigned',
            title: `驿站「${station.name}」${periodLabel(request.period)}暂无可指派的检查员，请安排人员于 ${due} 前检查`,
          });
        }
        log.info('Inspection opened', {
          inspectionId: request.inspectionId,
          stationId: station.id,
          period: request.period,
          assigned: inspectorUserId !== null,
        });
        return openingOf(inserted, holidays);
      });
    },

    /**
     * Writes one action of an inspection: its event, the row, the next step's deadline and the action's effect: a
     * commendation (excellent), a rectification order to the station's staff (failed), a re-inspection request to
     * the inspector (rectified) or, on a second failure, the station suspended and the owning unit's supervisors
     * told. Returns the new step's clock, if the action began one.
     */
    async recordInspectionTransition(record: InspectionTransitionRecord): Promise<InspectionClock | null> {
      const { event, row: next, newStep } = record;
      const holidays = await loadHolidayCalendar(db);
      return db.transaction().execute(async (trx) => {
        const inserted = await appendEvent(trx, {
          inspectionId: record.inspectionId,
          seq: event.seq,
          kind: event.kind,
          fromStep: event.fromStep,
          toStep: event.toStep,
          actorUserId: event.actorUserId,
          actorUnitId: event.actorUnitId,
          data: event.data,
          occurredAt: record.occurredAt,
        });
        const current = await trx
          .selectFrom('inspection as i')
          .innerJoin('station as s', 's.id', 'i.station_id')
          .selectAll('i')
          .select(['s.name as station_name'])
          .where('i.id', '=', record.inspectionId)
          .executeTakeFirstOrThrow();
        if (!inserted) {
          log.info('Inspection transition already recorded', { inspectionId: record.inspectionId, seq: event.seq });
          return newStep && current.step_seq === newStep.stepSeq ? clockOf(current, holidays) : null;
        }

        const occurredAt = new Date(record.occurredAt);
        let clock: InspectionClock | null = null;
        if (newStep) {
          const policy = await inspectionPolicyAt(trx, current.station_type, current.policy_version);
          const limit = policy.limits[newStep.step];
          clock = planInspectionClock(
            {
              stepSeq: newStep.stepSeq,
              step: newStep.step,
              startedAt: newStep.startedAt,
              duration: limit.duration,
              calendar: limit.calendar,
              ownerPath: current.owner_unit_path,
            },
            holidays,
          );
        }
        const scores = event.data.scores ? JSON.stringify(event.data.scores) : null;
        await trx
          .updateTable('inspection')
          .set({
            status: next.status,
            step: next.step,
            outcome: next.outcome,
            first_score: next.firstScore,
            final_score: next.finalScore,
            ...(event.kind === 'submit' ? { scores } : {}),
            ...(event.kind === 'reinspect' ? { reinspection_scores: scores } : {}),
            ...(event.kind === 'rectify' ? { rectified_at: occurredAt } : {}),
            ...(record.effect === 'order_rectification' && clock
              ? { rectification_due_at: new Date(clock.dueAt) }
              : {}),
            step_seq: next.stepSeq,
            // The clock's own start, so a retry that recomputes the clock from this row answers the same deadline.
            step_started_at: newStep ? new Date(newStep.startedAt) : occurredAt,
            step_duration: clock?.duration ?? null,
            step_calendar: clock?.calendar ?? null,
            due_at: clock ? new Date(clock.dueAt) : null,
            escalation_level: 0,
            last_seq: event.seq,
            closed_at: next.status === 'closed' ? occurredAt : null,
            updated_at: sql`now()`,
          })
          .where('id', '=', record.inspectionId)
          .where('last_seq', '<', event.seq)
          .execute();

        const name = current.station_name;
        const total = Number(event.data.total ?? 0);
        const base = {
          data: { inspectionId: current.id, stationId: current.station_id, step: next.step, score: total },
          deliverAt: occurredAt,
        };
        const key = (kind: string) => `inspection:${current.id}:${event.seq}:${kind}`;
        const due = clock ? formatShanghai(clock.dueAt) : '';
        const ownerStaff = { unitId: current.owner_unit_id, roles: STATION_STAFF_ROLES };
        switch (record.effect) {
          case 'commend':
            await trx
              .insertInto('station_commendation')
              .values({
                station_id: current.station_id,
                inspection_id: current.id,
                period: current.period,
                score: total,
                commended_at: occurredAt,
              })
              .onConflict((oc) => oc.column('inspection_id').doNothing())
              .execute();
            await notify(trx, ownerStaff, {
              ...base,
              kind: 'station_commended',
              dedupeKey: key('commended'),
              title: `驿站「${name}」${periodLabel(current.period)}得分 ${total}，评为优秀，予以表彰`,
            });
            break;
          case 'order_rectification':
            await notify(trx, ownerStaff, {
              ...base,
              kind: 'rectification_order',
              dedupeKey: key('rectification_order'),
              title: `驿站「${name}」检查得分 ${total}，未达合格线 ${current.pass_mark} 分，请于 ${due} 前完成整改并报告`,
            });
            break;
          case 'request_reinspection': {
            const notice = {
              ...base,
              kind: 'reinspection_due',
              dedupeKey: key('reinspection_due'),
              title: `驿站「${name}」已报告整改，请于 ${due} 前复查`,
            };
            if (!current.inspector_user_id || !(await notify(trx, { userId: current.inspector_user_id }, notice))) {
              await notifySupervisors(trx, current.owner_unit_id, notice);
            }
            break;
          }
          case 'suspend_station':
            await trx
              .updateTable('station')
              .set({ status: 'suspended', updated_at: sql`now()` })
              .where('id', '=', current.station_id)
              .where('status', '=', 'open')
              .execute();
            await notifySupervisors(trx, current.owner_unit_id, {
              ...base,
              kind: 'station_suspended',
              dedupeKey: key('station_suspended'),
              title: `督办：驿站「${name}」复查仍不合格（${total} 分），已暂停服务，请督促整改`,
            });
            break;
          case null:
            break;
        }
        log.info('Inspection transition recorded', {
          inspectionId: record.inspectionId,
          seq: event.seq,
          kind: event.kind,
          step: next.step,
          outcome: next.outcome,
        });
        return clock;
      });
    },

    /**
     * Records that a step is late and tells who must know: at level 1 the inspector (inspect, reinspect) or the
     * station's staff (rectify), and the owning unit's supervisors; at each further level the supervisors of the
     * unit one level higher. Idempotent on (inspection, seq).
     */
    async sendInspectionNotice(notice: InspectionNotice): Promise<{ recipients: number }> {
      return db.transaction().execute(async (trx) => {
        const kind = notice.level === 1 ? 'overdue' : 'escalation';
        const inserted = await appendEvent(trx, {
          inspectionId: notice.inspectionId,
          seq: notice.seq,
          kind,
          fromStep: notice.step,
          toStep: notice.step,
          actorUserId: null,
          actorUnitId: null,
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
          .selectFrom('inspection as i')
          .innerJoin('station as s', 's.id', 'i.station_id')
          .select(['i.id', 'i.station_id', 'i.owner_unit_id', 'i.inspector_user_id', 's.name'])
          .where('i.id', '=', notice.inspectionId)
          .executeTakeFirstOrThrow();
        const stepLabel = INSPECTION_STEP_LABELS[notice.step];
        const due = formatShanghai(notice.dueAt);
        const base = {
          data: {
            inspectionId: current.id,
            stationId: current.station_id,
            step: notice.step,
            level: notice.level,
            dueAt: due,
          },
          deliverAt: new Date(notice.occurredAt),
        };
        const key = (suffix: string) => `inspection:${current.id}:${notice.seq}:${suffix}`;
        let recipients = 0;
        if (notice.level === 1) {
          const overdue = {
            ...base,
            kind: 'overdue',
            dedupeKey: key('overdue'),
            title: `驿站「${current.name}」${stepLabel}已超时（时限 ${due}），已报所属单位督办`,
          };
          recipients +=
            notice.step === 'rectify' || !current.inspector_user_id
              ? await notify(trx, { unitId: current.owner_unit_id, roles: STATION_STAFF_ROLES }, overdue)
              : await notify(trx, { userId: current.inspector_user_id }, overdue);
        }
        recipients += await notifySupervisors(trx, notice.unitId, {
          ...base,
          kind: 'escalation',
          dedupeKey: key('escalation'),
          title: `督办：驿站「${current.name}」${stepLabel}超时未完成（时限 ${due}），督办级别 ${notice.level}`,
        });
        await trx
          .updateTable('inspection')
          .set({ escalation_level: sql`greatest(escalation_level, ${notice.level})`, updated_at: sql`now()` })
          .where('id', '=', notice.inspectionId)
          .where('step_seq', '=', notice.stepSeq)
          .where('status', '=', 'open')
          .execute();
        log.info('Inspection notice sent', {
          inspectionId: notice.inspectionId,
          step: notice.step,
          level: notice.level,
          recipients,
        });
        return { recipients };
      });
    },

    /** The version of a station type's inspection policy in force now (0: the built-in default). */
    async currentInspectionPolicyVersion(request: { stationType: StationType }): Promise<number> {
      return (await currentInspectionPolicy(db, request.stationType)).version;
    },

    /**
     * One page of the stations a round must inspect, in id order: in service (`open`), of the type, owned within
     * the scope, and without an inspection for the period yet.
     */
    async listStationsForRound(request: RoundPageRequest): Promise<string[]> {
      let query = db
        .selectFrom('station as s')
        .select('s.id')
        .where('s.type', '=', request.stationType)
        .where('s.status', '=', 'open')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('inspection as i')
                .select('i.id')
                .whereRef('i.station_id', '=', 's.id')
                .where('i.period', '=', request.period),
            ),
          ),
        )
        .orderBy('s.id')
        .limit(request.limit);
      if (request.scopeUnitId) {
        const scope = await db
          .selectFrom('org_unit')
          .select('path')
          .where('id', '=', request.scopeUnitId)
          .executeTakeFirst();
        if (!scope) {
          return [];
        }
        query = query.where('s.owner_unit_path', 'like', `${scope.path}%`);
      }
      if (request.afterStationId) {
        query = query.where('s.id', '>', request.afterStationId);
      }
      return (await query.execute()).map((row) => row.id);
    },
  };
}
