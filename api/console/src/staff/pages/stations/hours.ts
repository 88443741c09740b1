import type { OpeningInterval } from '../../data-stations.js';

/**
 * Opening hours as people write them in a form ("08:00-12:00，13:00-20:00"; empty for closed) and back. Only the
 * shape is checked here; whether the times are real and do not overlap is the API's to say, in its own words.
 */

export const DAY_LABELS: Record<string, string> = {
  mon: '周一',
  tue: '周二',
  wed: '周三',
  thu: '周四',
  fri: '周五',
  sat: '周六',
  sun: '周日',
  holiday: '节假日',
};

export const intervalsText = (intervals: readonly OpeningInterval[] | undefined): string =>
  intervals && intervals.length ? intervals.map((i) => `${i.opens}-${i.closes}`).join('，') : '';

/** The intervals typed for a day, or the reason they cannot be read. */
export function parseIntervals(text: string): OpeningInterval[] | { problem: string } {
  const parts = text
    .split(/[,，;；\s]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  const intervals: OpeningInterval[] = [];
  for (const part of parts) {
    const match = /^(\d{1,2}):(\d{2})\s*[-–—~～至]\s*(\d{1,2}):(\d{2})$/.exec(
      part.replace('：', ':').replace('：', ':'),
    );
    if (!match) {
      return { problem: `“${part}”看不懂，请按 08:00-20:00 的格式填写，多段用逗号隔开` };
    }
    intervals.push({
      opens: `${match[1]!.padStart(2, '0')}:${match[2]}`,
      closes: `${match[3]!.padStart(2, '0')}:${match[4]}`,
    });
  }
  return intervals;
}
