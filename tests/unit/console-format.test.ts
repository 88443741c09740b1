import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  fromShanghaiInput,
  naturalDuration,
  parseYuan,
  percentChange,
  shanghaiInputValue,
  shanghaiTime,
  timeLeftLabel,
  workingDuration,
  yuan,
  yuanShort,
} from '../../api/console/src/shared/format.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('console formatters', () => {
  test('money in fen reads as yuan with thousands separators, exactly', () => {
    expect(yuan(0)).toBe('0.00 元');
    expect(yuan(5)).toBe('0.05 元');
    expect(yuan(150_050)).toBe('1,500.50 元');
    expect(yuan(1_000_000_000)).toBe('10,000,000.00 元');
    expect(yuan(-123_456)).toBe('-1,234.56 元');
    expect(yuan(9_007_199_254_740_991)).toBe('90,071,992,547,409.91 元');
    expect(yuan(150_000, '')).toBe('1,500.00');
    expect(yuanShort(150_000)).toBe('1,500 元');
    expect(yuanShort(100_000_000)).toBe('100 万元');
    expect(yuanShort(2_500_000)).toBe('2.5 万元');
  });

  test('typed yuan become whole fen, and anything else is refused', () => {
    expect(parseYuan('1500')).toBe(150_000);
    expect(parseYuan(' 1,500.5 ')).toBe(150_050);
    expect(parseYuan('１５００．０１')).toBe(150_001);
    expect(parseYuan('0.1')).toBe(10);
    for (const bad of ['', '1.234', '-5', '1e3', '十', '1.2.3', 'abc', '0x10']) {
      expect(parseYuan(bad), bad).toBeNull();
    }
  });

  test('parsing the printed amount gives the same fen back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000 }), (fen) => {
        expect(parseYuan(yuan(fen, ''))).toBe(fen);
      }),
      { seed: 8, numRuns: 500 },
    );
  });

  test('instants show in Shanghai time whatever the machine zone', () => {
    expect(shanghaiTime('2026-12-04T16:30:00.000Z')).toBe('2026-12-05 00:30');
    expect(shanghaiTime('2026-12-05T09:15:00.000+08:00', true)).toBe('2026-12-05 09:15:00');
    expect(shanghaiTime(null)).toBe('—');
    expect(shanghaiTime('not a time')).toBe('—');
    expect(shanghaiInputValue(Date.parse('2026-12-04T16:30:00Z'))).toBe('2026-12-05T00:30');
    expect(fromShanghaiInput('2026-12-05T00:30')).toBe('2026-12-05T00:30:00+08:00');
    expect(fromShanghaiInput('2026-02-30T10:00')).toBeNull();
    expect(fromShanghaiInput('tomorrow')).toBeNull();
  });

  test('durations read as working days or days, hours and minutes', () => {
    expect(workingDuration(DAY + 3 * HOUR)).toBe('1 个工作日 3 小时');
    expect(workingDuration(2 * DAY)).toBe('2 个工作日');
    expect(naturalDuration(-(3 * HOUR + 20 * 60))).toBe('3 小时 20 分钟');
    expect(naturalDuration(45 * 60)).toBe('45 分钟');
    expect(naturalDuration(30)).toBe('不到 1 分钟');
  });

  test('time left uses working days on working-day steps and says when a step is late or paused', () => {
    const open = { status: 'open' };
    expect(
      timeLeftLabel({
        ...open,
        stepCalendar: 'working',
        timeLeftSeconds: 3 * DAY,
        timeLeftWorkingSeconds: DAY + 3 * HOUR,
      }),
    ).toEqual({
      text: '剩余 1 个工作日 3 小时',
      tone: 'ok',
    });
    expect(
      timeLeftLabel({ ...open, stepCalendar: 'natural', timeLeftSeconds: 2 * HOUR, timeLeftWorkingSeconds: 0 }),
    ).toEqual({
      text: '剩余 2 小时',
      tone: 'soon',
    });
    expect(
      timeLeftLabel({ ...open, stepCalendar: 'working', timeLeftSeconds: -DAY, timeLeftWorkingSeconds: -5 * HOUR }),
    ).toEqual({
      text: '已超时 5 小时',
      tone: 'late',
    });
    // Late since Friday evening, read on a Sunday: no working time has passed, but the step is still late.
    expect(
      timeLeftLabel({ ...open, stepCalendar: 'working', timeLeftSeconds: -DAY, timeLeftWorkingSeconds: 0 }),
    ).toEqual({
      text: '已超时 不到 1 分钟',
      tone: 'late',
    });
    expect(timeLeftLabel({ ...open, suspendedUntil: '2026-12-08T17:00:00.000+08:00' })).toEqual({
      text: '暂停计时至 12-08 17:00',
      tone: 'paused',
    });
    expect(timeLeftLabel({ status: 'closed' })).toEqual({ text: '已结束', tone: 'none' });
    expect(percentChange(12.5)).toBe('+12.5%');
    expect(percentChange(null)).toBe('—');
  });
});
