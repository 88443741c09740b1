import { describe, expect, test } from 'vitest';
import { inspectionScheduleDefinitions, rhythmSpec } from '../../worker/station-schedules.js';
import { platformSchedules } from '../../worker/schedules.js';
import { isInspectionRhythm, periodOf, quarterDates } from '../../workflows/station-inspection/inspection-period.js';

describe('periodOf', () => {
  // 2026-12-31 17:30 UTC is already 2027-01-01 01:30 in Shanghai.
  const newYearInShanghai = Date.parse('2026-12-31T17:30:00Z');
  const midDecember = Date.parse('2026-12-15T04:00:00Z');

  test('names calendar periods by the Shanghai date', () => {
    expect(periodOf('monthly', midDecember)).toBe('2026-12');
    expect(periodOf('quarterly', midDecember)).toBe('2026Q4');
    expect(periodOf('half_yearly', midDecember)).toBe('2026H2');
    expect(periodOf('yearly', midDecember)).toBe('2026');
    expect(periodOf('monthly', newYearInShanghai)).toBe('2027-01');
    expect(periodOf('quarterly', newYearInShanghai)).toBe('2027Q1');
    expect(periodOf('half_yearly', Date.parse('2026-06-30T15:59:00Z'))).toBe('2026H1');
  });

  test('names interval periods by the start of the bucket, so two moments in one bucket share it', () => {
    const first = periodOf({ every: 'PT5S' }, Date.parse('2026-12-04T11:00:06.900Z'));
    const second = periodOf({ every: 'PT5S' }, Date.parse('2026-12-04T11:00:09.999Z'));
    const next = periodOf({ every: 'PT5S' }, Date.parse('2026-12-04T11:00:10.000Z'));

    expect([first, second, next]).toEqual(['T20261204T110005Z', 'T20261204T110005Z', 'T20261204T110010Z']);
  });

  test('refuses an interval shorter than a second', () => {
    expect(() => periodOf({ every: 'PT0.5S' }, 0)).toThrow(RangeError);
  });
});

describe('isInspectionRhythm', () => {
  test('accepts the calendar rhythms and intervals of a second or more only', () => {
    expect(['monthly', 'quarterly', 'half_yearly', 'yearly'].every(isInspectionRhythm)).toBe(true);
    expect(isInspectionRhythm({ every: 'PT4S' })).toBe(true);
    expect([{ every: 'PT0.1S' }, { every: 'P1M' }, 'weekly', null, 3].some(isInspectionRhythm)).toBe(false);
  });
});

describe('quarterDates', () => {
  test('spans a quarter in Shanghai dates, the end exclusive', () => {
    expect(quarterDates('2026Q4')).toEqual({ from: '2026-10-01', to: '2027-01-01' });
    expect(quarterDates('2026Q1')).toEqual({ from: '2026-01-01', to: '2026-04-01' });
    expect(quarterDates('2026Q5')).toBeNull();
  });
});

describe('inspection schedules', () => {
  test('the platform runs one round per station type at its rhythm: benchmark and 24h monthly, standard quarterly', () => {
    const schedules = platformSchedules('case-management').filter((s) => s.workflowType === 'inspectionRoundWorkflow');

    expect(schedules.map((s) => [s.scheduleId, s.args])).toEqual([
      ['station-inspection-round-standard', [{ stationType: 'standard', rhythm: 'quarterly' }]],
      ['station-inspection-round-benchmark', [{ stationType: 'benchmark', rhythm: 'monthly' }]],
      ['station-inspection-round-24h', [{ stationType: '24h', rhythm: 'monthly' }]],
    ]);
  });

  test('a configured rhythm changes both the round’s input and its calendar', () => {
    const [standard] = inspectionScheduleDefinitions({
      standard: 'half_yearly',
      benchmark: 'monthly',
      '24h': 'monthly',
    });

    expect(standard!.args).toEqual([{ stationType: 'standard', rhythm: 'half_yearly' }]);
    expect(standard!.spec).toEqual(rhythmSpec('half_yearly'));
  });

  test('rounds run at 09:00 Shanghai time (01:00 UTC) on the first day of each period', () => {
    expect(rhythmSpec('monthly').calendars).toEqual([expect.objectContaining({ dayOfMonth: 1, hour: 1, minute: 0 })]);
    expect(rhythmSpec('quarterly').calendars?.[0]).toMatchObject({ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'] });
    expect(rhythmSpec('yearly').calendars?.[0]).toMatchObject({ month: ['JANUARY'] });
  });
});
