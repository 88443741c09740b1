import { ApiError } from './errors.js';

/** Lists answer `{ items, nextCursor }`; a cursor is the sort key of the last item, opaque to clients. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** What each value of a cursor must be, checked before it reaches SQL. */
export type CursorPart = 'uuid' | 'instant' | 'path' | 'text' | 'number';

const PART_CHECKS: Record<CursorPart, (value: unknown) => boolean> = {
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  instant: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  path: (v) => typeof v === 'string' && /^(\/[0-9a-f-]{36})+\/$/i.test(v),
  text: (v) => typeof v === 'string' && v.length <= 200 && !v.includes('\u0000'),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
};

/** The values of a cursor of the given shape, or 400 CURSOR_INVALID for anything else (forged or stale). */
export function decodeCursor(cursor: string | undefined, shape: CursorPart[]): (string | number)[] | null {
  if (!cursor) {
    return null;
  }
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (
    Array.isArray(values) &&
    values.length === shape.length &&
    shape.every((part, i) => PART_CHECKS[part](values[i]))
  ) {
    return values as (string | number)[];
  }
  throw new ApiError(400, 'CURSOR_INVALID', 'cursor：无效的翻页游标', [{ field: 'cursor', reason: '无效' }]);
}

/** Fetch `limit + 1` rows, then call this to split off the extra row into a cursor. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => (string | number)[],
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null,
  };
}
