import type { CalendarKind } from './case-vocabulary.js';

/**
 * Time limits counted on the calendar of mainland China, in Asia/Shanghai.
 *
 * A `working` limit only runs on working days: Monday to Friday, minus public holidays, plus the make-up working
 * days on which a weekend is worked. On a working day the clock runs all day, so `P1D` started at 10:00 on a
 * Friday ends at 10:00 on the next working day. A `natural` limit runs without pause. Suspensions stop either
 * clock. Asia/Shanghai has had no daylight saving since 1991, so a fixed +08:00 offset is exact.
 */

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAYS_SCANNED = 3 * 366;

/** Reminders reach staff only inside office hours on a working day. */
export const OFFICE_HOURS = { startMinute: 8 * 60 + 30, endMinute: 17 * 60 + 30 } as const;

export interface HolidayCalendar {
  /** `YYYY-MM-DD` dates that are public holidays (not worked even on a weekday). */
  holidays: ReadonlySet<string>;
  /** `YYYY-MM-DD` weekend dates that are worked (调休上班). */
  workdays: ReadonlySet<string>;
}

export interface Interval {
  from: number;
  to: number;
}

export const EMPTY_CALENDAR: HolidayCalendar = { holidays: new Set(), workdays: new Set() };

/** The Shanghai calendar date of an instant, as `YYYY-MM-DD`. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which the Shanghai day containing `ms` began. */
function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

export function isWorkingDay(ms: number, calendar: HolidayCalendar): boolean {
  const date = shanghaiDate(ms);
  if (calendar.workdays.has(date)) {
    return true;
  }
  if (calendar.holidays.has(date)) {
    return false;
  }
  const weekday = new Date(ms + SHANGHAI_OFFSET_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * Splits [from, ∞) into stretches where the clock either runs or stands still, and hands each to `visit`
 * until it returns false. Boundaries are Shanghai midnights (for the working calendar) and pause edges.
 */
function walk(
  from: number,
  kind: CalendarKind,
  calendar: HolidayCalendar,
  pauses: readonly Interval[],
  visit: (start: number, end: number, running: boolean) => boolean,
): void {
  const sorted = [...pauses].filter((p) => p.to > p.from).sort((a, b) => a.from - b.from);
  let cursor = from;
  for (let guard = 0; guard < MAX_DAYS_SCANNED * 4 + sorted.length * 2; guard++) {
    const pause = sorted.find((p) => p.to > cursor);
    let end = kind === 'working' ? shanghaiDayStart(cursor) + DAY_MS : Number.POSITIVE_INFINITY;
    let running = kind === 'natural' || isWorkingDay(cursor, calendar);
    if (pause && pause.from <= cursor) {
      end = Math.min(end, pause.to);
      running = false;
    } else if (pause) {
      end = Math.min(end, pause.from);
    }
    if (!visit(cursor, end, running)) {
      return;
    }
    cursor = end;
  }
  throw new RangeError('Time limit reaches more than three years ahead');
}

/** The instant at which `durationMs` of counted time has passed since `start`. */
export function deadlineAfter(
  start: number,
  durationMs: number,
  kind: CalendarKind,
  calendar: HolidayCalendar,
  pauses: readonly Interval[] = [],
): number {
  let remaining = durationMs;
  let result = start;
  walk(start, kind, calendar, pauses, (from, to, running) => {
    if (!running) {
      return true;
    }
    if (to - from >= remaining) {
      result = from + remaining;
      return false;
    }
    remaining -= to - from;
    return true;
  });
  return result;
}

/** Counted time between two instants (0 when `to` is not after `from`). */
export function countedTimeBetween(
  from: number,
  to: number,
  kind: CalendarKind,
  calendar: HolidayCalendar,
  pauses: readonly Interval[] = [],
): number {
  if (to <= from) {
    return 0;
  }
  let total = 0;
  walk(from, kind, calendar, pauses, (start, end, running) => {
    const stop = Math.min(end, to);
    if (running) {
      total += stop - start;
    }
    return end < to;
  });
  return total;
}

/** The first moment at or after `ms` that falls inside office hours on a working day. */
export function nextOfficeMoment(ms: number, calendar: HolidayCalendar): number {
  let day = shanghaiDayStart(ms);
  for (let i = 0; i < MAX_DAYS_SCANNED; i++, day += DAY_MS) {
    if (!isWorkingDay(day, calendar)) {
      continue;
    }
    const open = day + OFFICE_HOURS.startMinute * 60_000;
    const close = day + OFFICE_HOURS.endMinute * 60_000;
    if (ms < open) {
      return open;
    }
    if (ms < close) {
      return ms;
    }
  }
  throw new RangeError('No office hours within three years');
}

/**
 * Counted time from `now` to `dueAt`: positive while time is left, negative by the counted time late once the
 * deadline has passed. On the working calendar a late step stops adding lateness over weekends and holidays.
 */
export function countedTimeLeft(now: number, dueAt: number, kind: CalendarKind, calendar: HolidayCalendar): number {
  return dueAt >= now
    ? countedTimeBetween(now, dueAt, kind, calendar)
    : -countedTimeBetween(dueAt, now, kind, calendar);
}
