import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import {
  EMPTY_CALENDAR,
  countedTimeBetween,
  deadlineAfter,
  isWorkingDay,
  nextOfficeMoment,
  shanghaiDate,
  type HolidayCalendar,
} from '../../workflows/shared/working-time.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** An instant given as Shanghai wall-clock time, `YYYY-MM-DDTHH:MM`. */
const at = (local: string): number => Date.parse(`${local}:00+08:00`);

function datesFrom(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let day = Date.parse(`${first}T00:00:00Z`); day <= Date.parse(`${last}T00:00:00Z`); day += DAY) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

/** The State Council's 2026 holiday arrangement. */
const CHINA_2026: HolidayCalendar = {
  holidays: new Set([
    ...datesFrom('2026-01-01', '2026-01-03'),
    ...datesFrom('2026-02-15', '2026-02-23'),
    ...datesFrom('2026-04-04', '2026-04-06'),
    ...datesFrom('2026-05-01', '2026-05-05'),
    ...datesFrom('2026-06-19', '2026-06-21'),
    ...datesFrom('2026-09-25', '2026-09-27'),
    ...datesFrom('2026-10-01', '2026-10-07'),
  ]),
  workdays: new Set(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']),
};

describe('deadlineAfter', () => {
  test('a one-working-day limit from Friday 10:00 ends Monday 10:00 (14 h on Friday, none at the weekend, 10 h on Monday)', () => {
    expect(deadlineAfter(at('2026-03-06T10:00'), DAY, 'working', CHINA_2026)).toBe(at('2026-03-09T10:00'));
  });

  test('a three-working-day limit from 2026-09-30 10:00 ends on make-up Saturday 10-10 at 10:00 (14 h on 09-30, 10-01..07 skipped, 24 h each on 10-08 and 10-09, 10 h on 10-10)', () => {
    expect(deadlineAfter(at('2026-09-30T10:00'), 3 * DAY, 'working', CHINA_2026)).toBe(at('2026-10-10T10:00'));
  });

  test('a six-working-day limit from Friday 2026-02-13 10:00 ends on make-up Saturday 02-28 at 10:00 (14 h on 02-13, 24 h on make-up Saturday 02-14, 02-15..23 skipped, 24 h each on 02-24..27, 10 h on 02-28)', () => {
    expect(deadlineAfter(at('2026-02-13T10:00'), 6 * DAY, 'working', CHINA_2026)).toBe(at('2026-02-28T10:00'));
  });

  test('a one-working-day limit from Friday 2026-02-13 10:00 ends on make-up Saturday 02-14 at 10:00 (14 h + 10 h)', () => {
    expect(deadlineAfter(at('2026-02-13T10:00'), DAY, 'working', CHINA_2026)).toBe(at('2026-02-14T10:00'));
  });

  test('a working limit started on a Saturday starts counting at Monday 00:00 (PT4H from Saturday 15:00 ends Monday 04:00)', () => {
    expect(deadlineAfter(at('2026-03-07T15:00'), 4 * HOUR, 'working', CHINA_2026)).toBe(at('2026-03-09T04:00'));
  });

  test('a natural three-day limit from 2026-09-30 10:00 runs straight through National Day and ends 10-03 10:00', () => {
    expect(deadlineAfter(at('2026-09-30T10:00'), 3 * DAY, 'natural', CHINA_2026)).toBe(at('2026-10-03T10:00'));
  });

  test('a pause from Monday 14:00 to 16:00 moves a one-working-day limit from Monday 10:00 two hours later, to Tuesday 12:00', () => {
    const pause = { from: at('2026-03-09T14:00'), to: at('2026-03-09T16:00') };

    const deadline = deadlineAfter(at('2026-03-09T10:00'), DAY, 'working', CHINA_2026, [pause]);

    expect(deadline).toBe(at('2026-03-10T12:00'));
  });

  test('a pause from Friday 16:00 to Monday 09:00 holds back only its 17 counted hours (8 h Friday + 9 h Monday), so a one-working-day limit from Friday 10:00 ends Tuesday 03:00 instead of Monday 10:00', () => {
    const start = at('2026-03-13T10:00');
    const pause = { from: at('2026-03-13T16:00'), to: at('2026-03-16T09:00') };

    const withoutPause = deadlineAfter(start, DAY, 'working', CHINA_2026);
    const withPause = deadlineAfter(start, DAY, 'working', CHINA_2026, [pause]);

    expect(withoutPause).toBe(at('2026-03-16T10:00'));
    expect(withPause).toBe(at('2026-03-17T03:00'));
    expect(countedTimeBetween(pause.from, pause.to, 'working', CHINA_2026)).toBe(17 * HOUR);
    expect(withPause - withoutPause).toBe(17 * HOUR);
  });

  test('a pause on a natural clock shifts the deadline by its full length (PT4H from 10:00, paused 11:00 to 13:00, ends 16:00)', () => {
    const pause = { from: at('2026-10-01T11:00'), to: at('2026-10-01T13:00') };

    expect(deadlineAfter(at('2026-10-01T10:00'), 4 * HOUR, 'natural', CHINA_2026, [pause])).toBe(
      at('2026-10-01T16:00'),
    );
  });

  test('a pause that began before the start holds the clock until it ends (P1D from Monday 10:00, paused 09:00 to 12:00, ends Tuesday 12:00)', () => {
    const pause = { from: at('2026-03-09T09:00'), to: at('2026-03-09T12:00') };

    expect(deadlineAfter(at('2026-03-09T10:00'), DAY, 'working', CHINA_2026, [pause])).toBe(at('2026-03-10T12:00'));
  });

  test('for any start in 2026 and any duration up to 20 days, the working time counted up to the deadline is the duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2026-01-01T00:00'), max: at('2026-12-31T23:59') }),
        fc.integer({ min: 1, max: 20 * DAY }),
        (start, duration) => {
          const deadline = deadlineAfter(start, duration, 'working', CHINA_2026);

          return countedTimeBetween(start, deadline, 'working', CHINA_2026) === duration;
        },
      ),
    );
  });

  test('for any start, duration and pause, the working time counted up to the deadline, pause left out, is the duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2026-01-01T00:00'), max: at('2026-12-31T23:59') }),
        fc.integer({ min: 1, max: 20 * DAY }),
        fc.integer({ min: -5 * DAY, max: 20 * DAY }),
        fc.integer({ min: 1, max: 10 * DAY }),
        (start, duration, pauseOffset, pauseLength) => {
          const pauses = [{ from: start + pauseOffset, to: start + pauseOffset + pauseLength }];
          const deadline = deadlineAfter(start, duration, 'working', CHINA_2026, pauses);

          return countedTimeBetween(start, deadline, 'working', CHINA_2026, pauses) === duration;
        },
      ),
    );
  });
});

describe('countedTimeBetween', () => {
  test('counts nothing from Saturday 00:00 to Monday 00:00 on the working calendar', () => {
    expect(countedTimeBetween(at('2026-03-07T00:00'), at('2026-03-09T00:00'), 'working', CHINA_2026)).toBe(0);
  });

  test('counts 14 hours from Friday 18:00 to Monday 08:00 on the working calendar (6 h Friday + 8 h Monday)', () => {
    expect(countedTimeBetween(at('2026-03-06T18:00'), at('2026-03-09T08:00'), 'working', CHINA_2026)).toBe(14 * HOUR);
  });

  test('counts all 48 hours of a weekend on the natural calendar', () => {
    expect(countedTimeBetween(at('2026-03-07T00:00'), at('2026-03-09T00:00'), 'natural', CHINA_2026)).toBe(48 * HOUR);
  });

  test('counts nothing over the National Day holiday 10-01..10-07 on the working calendar', () => {
    expect(countedTimeBetween(at('2026-10-01T00:00'), at('2026-10-08T00:00'), 'working', CHINA_2026)).toBe(0);
  });

  test('counts the whole of make-up Saturday 2026-10-10', () => {
    expect(countedTimeBetween(at('2026-10-10T00:00'), at('2026-10-11T00:00'), 'working', CHINA_2026)).toBe(24 * HOUR);
  });

  test('leaves out a pause (Monday 09:00 to 17:00 with 12:00 to 13:00 paused is 7 h)', () => {
    const pause = { from: at('2026-03-09T12:00'), to: at('2026-03-09T13:00') };

    expect(countedTimeBetween(at('2026-03-09T09:00'), at('2026-03-09T17:00'), 'working', CHINA_2026, [pause])).toBe(
      7 * HOUR,
    );
  });

  test('is 0 when the end is not after the start', () => {
    expect(countedTimeBetween(at('2026-03-09T10:00'), at('2026-03-09T09:00'), 'natural', CHINA_2026)).toBe(0);
    expect(countedTimeBetween(at('2026-03-09T10:00'), at('2026-03-09T10:00'), 'working', CHINA_2026)).toBe(0);
  });
});

describe('nextOfficeMoment', () => {
  test.each([
    ['gives 08:30 the same day for 03:00 on a working Monday', '2026-03-09T03:00', '2026-03-09T08:30'],
    ['returns the same instant for 10:00 on a working day', '2026-03-09T10:00', '2026-03-09T10:00'],
    ['returns the same instant for exactly 08:30 on a working day', '2026-03-09T08:30', '2026-03-09T08:30'],
    ['gives 08:30 the next working day for 18:00 on a Tuesday', '2026-03-10T18:00', '2026-03-11T08:30'],
    ['gives Monday 08:30 for 18:00 on a Friday', '2026-03-06T18:00', '2026-03-09T08:30'],
    [
      'gives the next working day 08:30 for exactly 17:30, when the office closes',
      '2026-03-09T17:30',
      '2026-03-10T08:30',
    ],
    ['gives 10-08 08:30 for 10:00 on National Day 10-01, a holiday', '2026-10-01T10:00', '2026-10-08T08:30'],
    ['gives make-up Saturday 10-10 08:30 for 18:00 on Friday 10-09', '2026-10-09T18:00', '2026-10-10T08:30'],
  ])('%s', (_title, from, expected) => {
    expect(nextOfficeMoment(at(from), CHINA_2026)).toBe(at(expected));
  });
});

describe('isWorkingDay', () => {
  test.each([
    ['Monday 2026-03-09, an ordinary weekday, is a working day', '2026-03-09', true],
    ['Saturday 2026-03-07, an ordinary weekend day, is not a working day', '2026-03-07', false],
    ['Thursday 2026-10-01, National Day, is not a working day', '2026-10-01', false],
    ['Saturday 2026-10-10, a make-up day, is a working day', '2026-10-10', true],
    ['Sunday 2026-01-04, a make-up day, is a working day', '2026-01-04', true],
    ['Saturday 2026-02-28, a make-up day, is a working day', '2026-02-28', true],
    ['Monday 2026-02-23, the last day of Spring Festival, is not a working day', '2026-02-23', false],
  ])('%s', (_title, date, expected) => {
    expect(isWorkingDay(at(`${date}T12:00`), CHINA_2026)).toBe(expected);
  });

  test('decides by the Shanghai date: 10-07 23:59 is a holiday and 10-08 00:00 (10-07 16:00 UTC) is a working day', () => {
    expect(isWorkingDay(at('2026-10-07T23:59'), CHINA_2026)).toBe(false);
    expect(isWorkingDay(Date.parse('2026-10-07T16:00:00Z'), CHINA_2026)).toBe(true);
  });
});

describe('shanghaiDate', () => {
  test('gives the Shanghai calendar date, which turns at 16:00 UTC', () => {
    expect(shanghaiDate(Date.parse('2026-10-07T15:59:59.999Z'))).toBe('2026-10-07');
    expect(shanghaiDate(Date.parse('2026-10-07T16:00:00Z'))).toBe('2026-10-08');
  });
});

describe('a year without a holiday calendar', () => {
  test('counts National Day week as five working days when the calendar is empty (only 10-03 and 10-04, the weekend, are left out)', () => {
    expect(countedTimeBetween(at('2026-10-01T00:00'), at('2026-10-08T00:00'), 'working', EMPTY_CALENDAR)).toBe(5 * DAY);
  });

  test('ends a one-working-day limit from 2026-09-30 10:00 on 10-01 10:00 when the calendar is empty', () => {
    expect(deadlineAfter(at('2026-09-30T10:00'), DAY, 'working', EMPTY_CALENDAR)).toBe(at('2026-10-01T10:00'));
  });

  test('counts New Year 2027-01-01, a Friday outside the 2026 calendar, as a working day (P1D from 2026-12-31 10:00 ends 2027-01-01 10:00)', () => {
    expect(deadlineAfter(at('2026-12-31T10:00'), DAY, 'working', CHINA_2026)).toBe(at('2027-01-01T10:00'));
  });
});
