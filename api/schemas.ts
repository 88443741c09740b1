import { Type, type TSchema } from '@sinclair/typebox';

/** Shared JSON schemas. Bodies refuse unknown fields; nothing is coerced from strings in a body. */

export const Uuid = Type.String({ format: 'uuid' });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorBody' },
);

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};

export const IdParams = Type.Object({ id: Uuid });

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const strictObject: typeof Type.Object = ((properties: Parameters<typeof Type.Object>[0], options = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options })) as typeof Type.Object;

/** A pattern for any string field: PostgreSQL cannot store the NUL character. */
export const NO_NUL = '^[^\\u0000]*$';

/** Free text written by staff: length limits, never blank, and no NUL character (PostgreSQL cannot store it). */
export const Text = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: '^(?=[\\s\\S]*\\S)[^\\u0000]*$' });

/** A short code or reference typed by staff: no NUL character. */
export const Plain = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: NO_NUL });

export const errorResponses = {
  400: { $ref: 'ErrorBody#' },
  401: { $ref: 'ErrorBody#' },
  403: { $ref: 'ErrorBody#' },
  404: { $ref: 'ErrorBody#' },
  409: { $ref: 'ErrorBody#' },
  422: { $ref: 'ErrorBody#' },
};
