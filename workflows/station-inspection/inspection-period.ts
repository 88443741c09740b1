import { parseDuration } from '../shared/duration.js';
import { CALENDAR_RHYTHMS, type InspectionRhythm } from '../shared/station-vocabulary.js';
import { SHANGHAI_OFFSET_MS } from '../shared/working-time.js';

/**
 * The period an inspection belongs to, named from the round's rhythm and the moment the round was due, in
 * Shanghai time: `2026-12` (monthly), `2026Q4` (quarterly), `2026H2` (half-yearly), `2026` (yearly). For an
 * interval rhythm (tests, demos) it is the start of the interval's bucket, `T20261204T110005Z`. A station has at
 * most one inspection per period, so the period is part of the inspection's workflow id.
 */
export function periodOf(rhythm: InspectionRhythm, ms: number): string {
  if (typeof rhythm === 'object') {
    const every = parseDuration(rhythm.every);
    if (every === null || every < 1000) {
      throw new RangeError(`Inspection interval "${rhythm.every}" must be an ISO-8601 duration of at least a second`);
    }
    const bucket = new Date(Math.floor(ms / every) * every).toISOString();
    return `T${bucket.slice(0, 19).replace(/[-:]/g, '')}Z`;
  }
  const local = new Date(ms + SHANGHAI_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  switch (rhythm) {
    case 'monthly':
      return `${year}-${String(month).padStart(2, '0')}`;
    case 'quarterly':
      return `${year}Q${Math.ceil(month / 3)}`;
    case 'half_yearly':
      return `${year}H${month <= 6 ? 1 : 2}`;
    case 'yearly':
      return String(year);
  }
}

/** True for a rhythm a round can run on: a calendar rhythm, or an interval of at least one second. */
export function isInspectionRhythm(value: unknown): value is InspectionRhythm {
  if (typeof value === 'string') {
    return (CALENDAR_RHYTHMS as readonly string[]).includes(value);
  }
  if (value && typeof value === 'object' && typeof (value as { every?: unknown }).every === 'string') {
    const every = parseDuration((value as { every: string }).every);
    return every !== null && every >= 1000;
  }
  return false;
}

/** `2026Q4` as the Shanghai dates it spans, `to` exclusive: `{ from: '2026-10-01', to: '2027-01-01' }`. */
export function quarterDates(quarter: string): { from: string; to: string } | null {
  const match = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!match) {
    return null;
  }
  const year = Number(match[1]);
  const q = Number(match[2]);
  const date = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;
  return { from: date(year, (q - 1) * 3 + 1), to: q === 4 ? date(year + 1, 1) : date(year, q * 3 + 1) };
}
