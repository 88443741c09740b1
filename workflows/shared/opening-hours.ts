import { WEEKDAYS, type Weekday } from './station-vocabulary.js';
import { SHANGHAI_OFFSET_MS } from './working-time.js';

/**
 * Opening hours of a station, in Asia/Shanghai local time. Every weekday lists its opening intervals (an empty
 * list: closed that day); `holiday`, when present, replaces the weekday's intervals on public holidays (when
 * absent, the station keeps its weekday hours on holidays). An interval runs from `opens` up to, not including,
 * `closes`; `closes` may be `24:00`. Hours that cross midnight are written as two intervals, one on each day
 * (`22:00-24:00` and the next day's `00:00-06:00`), so an interval never ends before it begins.
 */
export interface OpeningInterval {
  opens: string;
  closes: string;
}

export type DayKey = Weekday | 'holiday';
export type OpeningHours = Record<Weekday, OpeningInterval[]> & { holiday?: OpeningInterval[] };

const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;

export const ALL_DAY: OpeningInterval = { opens: '00:00', closes: '24:00' };

/** The hours of a 24-hour station: every day, holidays included, all day. */
export function roundTheClock(): OpeningHours {
  const hours = Object.fromEntries(WEEKDAYS.map((day) => [day, [{ ...ALL_DAY }]])) as OpeningHours;
  hours.holiday = [{ ...ALL_DAY }];
  return hours;
}

/** Minutes since midnight of `HH:MM` (`24:00` is 1440), or null when it is not a time of day. */
export function minuteOf(time: string): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) {
    return null;
  }
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) {
    return null;
  }
  return hours * 60 + minutes;
}

const dayKeys = (hours: OpeningHours): DayKey[] => [...WEEKDAYS, ...(hours.holiday ? (['holiday'] as const) : [])];

/**
 * What is wrong with the hours, one entry per bad interval, naming it as `hours.<day>.<index>`: a time that is
 * not `HH:MM`, an interval that ends at or before it begins, one that overlaps another interval of the same day.
 */
export function hoursProblems(hours: OpeningHours, field = 'hours'): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  for (const day of dayKeys(hours)) {
    const intervals = hours[day] ?? [];
    const spans = intervals.map((interval) => ({ from: minuteOf(interval.opens), to: minuteOf(interval.closes) }));
    spans.forEach((span, index) => {
      const name = `${field}.${day}.${index}`;
      if (span.from === null || span.from >= DAY_MINUTES) {
        problems.push({ field: `${name}.opens`, reason: '开始时间须为 00:00 到 23:59 之间的 HH:MM' });
        return;
      }
      if (span.to === null) {
        problems.push({ field: `${name}.closes`, reason: '结束时间须为 00:01 到 24:00 之间的 HH:MM' });
        return;
      }
      if (span.to <= span.from) {
        problems.push({
          field: name,
          reason: '结束时间须晚于开始时间；跨夜营业请分为两段，如 22:00-24:00 与次日 00:00-06:00',
        });
        return;
      }
      const clash = spans
        .slice(0, index)
        .findIndex(
          (other) => other.from !== null && other.to !== null && other.from < span.to! && span.from! < other.to,
        );
      if (clash >= 0) {
        problems.push({ field: name, reason: `与第 ${clash + 1} 段营业时间重叠` });
      }
    });
  }
  return problems;
}

/** True when every day (and the holiday list, if given) is open all day: how a 24-hour station's hours read. */
export function isRoundTheClock(hours: OpeningHours): boolean {
  const allDay = (intervals: OpeningInterval[] | undefined) =>
    intervals?.some((interval) => interval.opens === '00:00' && interval.closes === '24:00') ?? false;
  return WEEKDAYS.every((day) => allDay(hours[day])) && (hours.holiday === undefined || allDay(hours.holiday));
}

export type MinuteRange = [from: number, to: number];

function merge(ranges: MinuteRange[]): MinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: MinuteRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) {
      last[1] = Math.max(last[1], range[1]);
    } else {
      merged.push([range[0], range[1]]);
    }
  }
  return merged;
}

/**
 * The hours as minute ranges, the form the database answers "open at" with: `weekly` in minutes of the week
 * (Monday 00:00 is 0), `holiday` in minutes of the day, or null when the station keeps its weekday hours on
 * holidays. Adjacent ranges are merged, so Sunday 22:00-24:00 and Monday 00:00-06:00 do not join across the end of
 * the week, but Monday's two halves of a split day do.
 */
export function openRanges(hours: OpeningHours): { weekly: MinuteRange[]; holiday: MinuteRange[] | null } {
  const spans = (intervals: OpeningInterval[], offset: number): MinuteRange[] =>
    intervals.map((interval) => [offset + minuteOf(interval.opens)!, offset + minuteOf(interval.closes)!]);
  const weekly = merge(WEEKDAYS.flatMap((day, index) => spans(hours[day] ?? [], index * DAY_MINUTES)));
  return { weekly, holiday: hours.holiday ? merge(spans(hours.holiday, 0)) : null };
}

/** A PostgreSQL `int4multirange` literal of the ranges: `{[480,1200),[1920,2640)}`, `{}` when there are none. */
export const toMultirange = (ranges: readonly MinuteRange[]): string =>
  `{${ranges.map(([from, to]) => `[${from},${to})`).join(',')}}`;

/** Where an instant falls in Shanghai local time, in the terms the hours use. */
export interface LocalMoment {
  /** `YYYY-MM-DD`, the Shanghai calendar date. */
  date: string;
  year: number;
  weekday: Weekday;
  minuteOfDay: number;
  /** Monday 00:00 is 0, Sunday 23:59 is 10079. */
  minuteOfWeek: number;
}

export function shanghaiMoment(ms: number): LocalMoment {
  const local = new Date(ms + SHANGHAI_OFFSET_MS);
  const weekdayIndex = (local.getUTCDay() + 6) % 7;
  const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
  return {
    date: local.toISOString().slice(0, 10),
    year: local.getUTCFullYear(),
    weekday: WEEKDAYS[weekdayIndex]!,
    minuteOfDay,
    minuteOfWeek: (weekdayIndex * DAY_MINUTES + minuteOfDay) % WEEK_MINUTES,
  };
}
