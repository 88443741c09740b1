import { loadHolidayCalendar } from '../../../activities/time-limits.js';
import type { Db } from '../../../db/database.js';
import { currentStepCalendars } from '../../../db/repositories/case.repository.js';
import type { AssistanceCase, CaseEvent } from '../../../db/tables/assistance-case.table.js';
import {
  availableActions,
  caseFacts,
  dispatchTargets,
  maySuspend,
  type TimelineFact,
} from '../../../workflows/case-lifecycle/case-lifecycle.available.js';
import type { CaseAction } from '../../../workflows/shared/case-vocabulary.js';
import { countedTimeLeft, type HolidayCalendar } from '../../../workflows/shared/working-time.js';
import type { Staff } from '../../staff.js';

/** How much time a step has left, as the console shows it. */
export interface TimeLeft {
  /** The calendar the step's limit counts on; null when the case has no running step. */
  stepCalendar: 'working' | 'natural' | null;
  /** Wall-clock seconds to the deadline, negative once late; null without a running deadline (suspended, ended). */
  timeLeftSeconds: number | null;
  /** The same span counted on working days only (weekends and holidays of the calendar left out); negative once late. */
  timeLeftWorkingSeconds: number | null;
}

export function timeLeftOf(
  row: Pick<AssistanceCase, 'status' | 'due_at'>,
  stepCalendar: string | undefined,
  holidays: HolidayCalendar,
  now: number,
): TimeLeft {
  const calendar = stepCalendar === 'working' || stepCalendar === 'natural' ? stepCalendar : null;
  if (row.status !== 'open' || !row.due_at) {
    return {
      stepCalendar: row.status === 'open' ? calendar : null,
      timeLeftSeconds: null,
      timeLeftWorkingSeconds: null,
    };
  }
  const dueMs = row.due_at.getTime();
  return {
    stepCalendar: calendar,
    timeLeftSeconds: Math.trunc((dueMs - now) / 1000),
    timeLeftWorkingSeconds: Math.trunc(countedTimeLeft(now, dueMs, 'working', holidays) / 1000),
  };
}

/** Time left for a page of cases: one read of the holiday calendar and of the current steps' calendars. */
export async function timeLeftOfMany(db: Db, rows: AssistanceCase[], now: number): Promise<Map<string, TimeLeft>> {
  const [holidays, calendars] = await Promise.all([loadHolidayCalendar(db), currentStepCalendars(db, rows)]);
  return new Map(rows.map((row) => [row.id, timeLeftOf(row, calendars.get(row.id), holidays, now)]));
}

export interface CaseExtras extends TimeLeft {
  /** The actions the caller may take now, by the case state machine's own rules. */
  availableActions: CaseAction[];
  /** Whether the caller may pause the step's clock now (POST /cases/:id/suspensions). */
  canSuspend: boolean;
}

const toFact = (event: CaseEvent): TimelineFact => ({
  kind: event.kind,
  fromStep: event.from_step,
  actorUserId: event.actor_user_id,
  data: event.data,
});

/** What a case answer adds for the caller: the actions open to them and the time left on the step. */
export async function caseExtras(
  db: Db,
  row: AssistanceCase,
  events: CaseEvent[],
  staff: Staff,
  now = Date.now(),
): Promise<CaseExtras> {
  const facts = events.map(toFact);
  const unitIds = [row.opened_unit_id, ...dispatchTargets(facts)];
  const [units, child, times] = await Promise.all([
    db.selectFrom('org_unit').select(['id', 'path']).where('id', 'in', unitIds).execute(),
    db.selectFrom('org_unit').select('id').where('parent_id', '=', staff.unitId).limit(1).executeTakeFirst(),
    timeLeftOfMany(db, [row], now),
  ]);
  const paths = new Map(units.map((unit) => [unit.id, unit.path]));
  const pathOf = (id: string) => paths.get(id) ?? '';
  const state = caseFacts(
    {
      status: row.status,
      step: row.step,
      holder: { id: row.holder_unit_id, path: row.holder_unit_path },
      openerUnit: { id: row.opened_unit_id, path: pathOf(row.opened_unit_id) },
      suspendedUntil: row.suspended_until?.getTime() ?? null,
      dueAt: row.due_at?.getTime() ?? null,
    },
    facts,
    pathOf,
  );
  const viewer = {
    userId: staff.id,
    role: staff.role,
    unit: { id: staff.unitId, path: staff.unitPath },
    hasSubUnits: child !== undefined,
  };
  return {
    availableActions: availableActions(state, viewer),
    canSuspend: maySuspend(state, viewer),
    ...times.get(row.id)!,
  };
}
