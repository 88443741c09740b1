import { SHANGHAI_OFFSET_MS } from '../workflows/shared/working-time.js';

/** `2026-12-05 17:30`, in Asia/Shanghai: how staff read a time in a notice. */
export function formatShanghai(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
