import { SHANGHAI_OFFSET_MS } from '../workflows/shared/working-time.js';

/** An instant as ISO-8601 in Asia/Shanghai with its offset: `2026-12-05T17:30:00.000+08:00`. */
export function toShanghaiIso(value: Date | number | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const ms = typeof value === 'number' ? value : value.getTime();
  return `${new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}
