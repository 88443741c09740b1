import { ApiError } from './errors.js';

/** Lists answer `{ items, nextCursor }`; a cursor is the sort key of the last item, opaque to clients. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | null {
  if (!cursor) {
    return null;
  }
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => ['string', 'number'].includes(typeof v))
    ) {
      return values as (string | number)[];
    }
  } catch {
    // falls through to the error below
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
