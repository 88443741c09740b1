import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { formatDuration, parseDuration } from '../../workflows/shared/duration.js';

const SECOND = 1000;
const HOUR = 60 * 60 * SECOND;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  test.each([
    ['P3D', 3 * DAY],
    ['PT4H', 4 * HOUR],
    ['P1DT12H', 36 * HOUR],
    ['PT5S', 5 * SECOND],
    ['PT0.5S', 500],
    ['P1W', 7 * DAY],
    ['PT90M', 90 * 60 * SECOND],
    ['P1W2DT3H4M5S', 9 * DAY + 3 * HOUR + 4 * 60 * SECOND + 5 * SECOND],
  ])('accepts %s as %i ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  test.each([
    ['P1M, a month, whose length depends on the date', 'P1M'],
    ['P1Y, a year, whose length depends on the date', 'P1Y'],
    ['an empty string', ''],
    ['a bare P', 'P'],
    ['a bare PT', 'PT'],
    ['a time designator with nothing after it (P1DT)', 'P1DT'],
    ['a duration without the leading P (3D)', '3D'],
    ['a negative duration (P-1D)', 'P-1D'],
    ['a zero duration (PT0S)', 'PT0S'],
    ['a zero duration in days (P0D)', 'P0D'],
    ['lower-case designators (p3d)', 'p3d'],
    ['hours without the time designator (P4H)', 'P4H'],
  ])('refuses %s', (_title, text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('formatDuration', () => {
  test.each(['P3D', 'PT4H', 'P1DT12H', 'PT5S', 'PT1H30M', 'P2DT3H4M5S'])(
    'formats the milliseconds of %s back into the same text',
    (text) => {
      expect(formatDuration(parseDuration(text)!)).toBe(text);
    },
  );

  test('writes a week as seven days (P1W comes back as P7D, the same length)', () => {
    expect(formatDuration(parseDuration('P1W')!)).toBe('P7D');
    expect(parseDuration('P7D')).toBe(parseDuration('P1W'));
  });

  test('carries 36 hours over into one day and 12 hours', () => {
    expect(formatDuration(36 * HOUR)).toBe('P1DT12H');
  });

  test('rounds to whole seconds, so the 500 ms of PT0.5S come back as PT1S', () => {
    expect(formatDuration(500)).toBe('PT1S');
  });

  test('writes zero and negative lengths as PT0S', () => {
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(-5 * SECOND)).toBe('PT0S');
  });

  test('for any whole number of seconds from 1 s to 400 days, parsing the formatted text gives back the same milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * 86_400 }), (seconds) => {
        return parseDuration(formatDuration(seconds * SECOND)) === seconds * SECOND;
      }),
    );
  });
});
