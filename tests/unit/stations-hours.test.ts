import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  hoursProblems,
  isRoundTheClock,
  minuteOf,
  openRanges,
  roundTheClock,
  shanghaiMoment,
  toMultirange,
  type OpeningHours,
} from '../../workflows/shared/opening-hours.js';

const closedAllWeek = (): OpeningHours => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
const everyDay = (opens: string, closes: string): OpeningHours => ({
  mon: [{ opens, closes }],
  tue: [{ opens, closes }],
  wed: [{ opens, closes }],
  thu: [{ opens, closes }],
  fri: [{ opens, closes }],
  sat: [{ opens, closes }],
  sun: [{ opens, closes }],
});

describe('minuteOf', () => {
  test('reads HH:MM as minutes since midnight, 24:00 included', () => {
    expect([minuteOf('00:00'), minuteOf('08:30'), minuteOf('23:59'), minuteOf('24:00')]).toEqual([0, 510, 1439, 1440]);
  });

  test('refuses what is not a time of day', () => {
    expect([minuteOf('24:01'), minuteOf('25:00'), minuteOf('12:60'), minuteOf('8:00'), minuteOf('0800')]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('hoursProblems', () => {
  test('accepts ordinary hours, a split day, a day closed and an evening up to midnight', () => {
    const hours: OpeningHours = {
      ...everyDay('08:00', '20:00'),
      mon: [
        { opens: '07:00', closes: '11:30' },
        { opens: '13:00', closes: '24:00' },
      ],
      sun: [],
      holiday: [{ opens: '09:00', closes: '17:00' }],
    };

    expect(hoursProblems(hours)).toEqual([]);
  });

  test('names an interval that ends before it begins, and tells how to write hours across midnight', () => {
    const hours: OpeningHours = { ...everyDay('08:00', '20:00'), fri: [{ opens: '22:00', closes: '06:00' }] };

    const problems = hoursProblems(hours);

    expect(problems.map((p) => p.field)).toEqual(['hours.fri.0']);
    expect(problems[0]!.reason).toContain('22:00-24:00');
  });

  test('names an interval that ends when it begins', () => {
    expect(
      hoursProblems({ ...closedAllWeek(), tue: [{ opens: '09:00', closes: '09:00' }] }).map((p) => p.field),
    ).toEqual(['hours.tue.0']);
  });

  test('names the later of two overlapping intervals, with the one it overlaps', () => {
    const hours: OpeningHours = {
      ...closedAllWeek(),
      wed: [
        { opens: '08:00', closes: '12:00' },
        { opens: '11:00', closes: '18:00' },
      ],
    };

    expect(hoursProblems(hours)).toEqual([{ field: 'hours.wed.1', reason: '与第 1 段营业时间重叠' }]);
  });

  test('lets two intervals touch without overlapping', () => {
    const hours: OpeningHours = {
      ...closedAllWeek(),
      wed: [
        { opens: '08:00', closes: '12:00' },
        { opens: '12:00', closes: '18:00' },
      ],
    };

    expect(hoursProblems(hours)).toEqual([]);
  });

  test('names times that are not times of day, in holiday hours too', () => {
    const hours: OpeningHours = {
      ...everyDay('08:00', '20:00'),
      thu: [{ opens: '24:00', closes: '24:00' }],
      holiday: [{ opens: '09:00', closes: '25:00' }],
    };

    expect(hoursProblems(hours).map((p) => p.field)).toEqual(['hours.thu.0.opens', 'hours.holiday.0.closes']);
  });
});

describe('isRoundTheClock', () => {
  test('is true for the 24-hour default and for all-day hours without holiday hours', () => {
    expect(isRoundTheClock(roundTheClock())).toBe(true);
    expect(isRoundTheClock(everyDay('00:00', '24:00'))).toBe(true);
  });

  test('is false when one day or the holiday list closes at some point', () => {
    expect(isRoundTheClock({ ...roundTheClock(), sat: [{ opens: '00:00', closes: '23:00' }] })).toBe(false);
    expect(isRoundTheClock({ ...roundTheClock(), holiday: [] })).toBe(false);
  });
});

describe('openRanges', () => {
  test('lays the week out in minutes from Monday 00:00 and keeps holiday hours apart', () => {
    const hours: OpeningHours = {
      ...closedAllWeek(),
      mon: [{ opens: '08:00', closes: '20:00' }],
      sun: [{ opens: '22:00', closes: '24:00' }],
      holiday: [{ opens: '09:00', closes: '12:00' }],
    };

    expect(openRanges(hours)).toEqual({
      weekly: [
        [480, 1200],
        [6 * 1440 + 1320, 7 * 1440],
      ],
      holiday: [[540, 720]],
    });
  });

  test('joins an evening to midnight with the next morning, and has no holiday ranges without holiday hours', () => {
    const hours: OpeningHours = {
      ...closedAllWeek(),
      mon: [{ opens: '18:00', closes: '24:00' }],
      tue: [{ opens: '00:00', closes: '02:00' }],
    };

    expect(openRanges(hours)).toEqual({ weekly: [[1080, 1440 + 120]], holiday: null });
  });

  test('makes a 24-hour station one range over the whole week', () => {
    expect(openRanges(roundTheClock())).toEqual({ weekly: [[0, 7 * 1440]], holiday: [[0, 1440]] });
  });

  test('writes ranges as a PostgreSQL multirange literal', () => {
    expect(
      toMultirange([
        [480, 1200],
        [1920, 2640],
      ]),
    ).toBe('{[480,1200),[1920,2640)}');
    expect(toMultirange([])).toBe('{}');
  });

  test('a minute is inside the weekly ranges exactly when it is inside one of that day’s intervals', () => {
    const time = fc
      .integer({ min: 0, max: 1440 })
      .map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    const interval = fc
      .tuple(time, time)
      .filter(([a, b]) => a < b)
      .map(([opens, closes]) => ({ opens, closes }));
    const day = fc.array(interval, { maxLength: 3 });
    const week = fc.record({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day });

    fc.assert(
      fc.property(week, fc.integer({ min: 0, max: 7 * 1440 - 1 }), (hours, minuteOfWeek) => {
        const dayIndex = Math.floor(minuteOfWeek / 1440);
        const minute = minuteOfWeek % 1440;
        const intervals = hours[(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const)[dayIndex]!];
        const expected = intervals.some((i) => minuteOf(i.opens)! <= minute && minute < minuteOf(i.closes)!);
        const actual = openRanges(hours).weekly.some(([from, to]) => from <= minuteOfWeek && minuteOfWeek < to);
        return actual === expected;
      }),
    );
  });
});

describe('shanghaiMoment', () => {
  test('places an instant in Shanghai local time: date, weekday and minutes', () => {
    // 2026-12-07 is a Monday; 23:30 in Shanghai is 15:30 UTC.
    expect(shanghaiMoment(Date.parse('2026-12-07T15:30:00Z'))).toEqual({
      date: '2026-12-07',
      year: 2026,
      weekday: 'mon',
      minuteOfDay: 1410,
      minuteOfWeek: 1410,
    });
  });

  test('crosses the date line at Shanghai midnight, not UTC midnight', () => {
    // 16:10 UTC on Sunday 2026-12-06 is 00:10 on Monday in Shanghai.
    expect(shanghaiMoment(Date.parse('2026-12-06T16:10:00Z'))).toMatchObject({
      date: '2026-12-07',
      weekday: 'mon',
      minuteOfWeek: 10,
    });
    expect(shanghaiMoment(Date.parse('2026-12-06T15:59:00Z'))).toMatchObject({
      date: '2026-12-06',
      weekday: 'sun',
      minuteOfWeek: 6 * 1440 + 1439,
    });
  });
});
