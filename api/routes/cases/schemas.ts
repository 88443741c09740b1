import { Type } from '@sinclair/typebox';
import {
  CATEGORIES,
  DELIVERY_METHODS,
  SOURCES,
  STATUSES,
  STEPS,
  URGENCIES,
} from '../../../workflows/shared/case-vocabulary.js';
import { NO_NUL, ListQuery, Text, Uuid, strictObject } from '../../schemas.js';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** Up to one million yuan per item, in whole fen. */
export const AmountFen = Type.Integer({ minimum: 1, maximum: 100_000_000 });

const Item = strictObject({
  kind: Text(50),
  amountFen: AmountFen,
  note: Type.Optional(Type.String({ maxLength: 500, pattern: NO_NUL })),
});
const Items = Type.Array(Item, { minItems: 1, maxItems: 50 });

export const NewCaseBody = strictObject({
  workerId: Uuid,
  category: literals(CATEGORIES),
  urgency: literals(URGENCIES),
  summary: Text(2000),
  source: literals(SOURCES),
});

/** Body schema of each action; actions without fields take an empty object (or no body). */
export const ACTION_BODIES = {
  dispatch: strictObject({ toUnitId: Uuid }),
  accept: strictObject({}),
  return: strictObject({ reason: Text(500) }),
  verify: strictObject({ eligible: Type.Boolean(), findings: Text(5000) }),
  plan: strictObject({ items: Items }),
  approve: strictObject({ note: Type.Optional(Type.String({ maxLength: 500, pattern: NO_NUL })) }),
  reject: strictObject({ reason: Text(500) }),
  deliver: strictObject({ items: Items, method: literals(DELIVERY_METHODS), reference: Text(100) }),
  report: strictObject({ result: Text(5000), satisfaction: Type.Integer({ minimum: 1, maximum: 5 }) }),
  close: strictObject({}),
  withdraw: strictObject({ reason: Text(500) }),
  resume: strictObject({}),
} as const;

export const SuspensionBody = strictObject({
  reason: Text(500),
  until: Type.String({ format: 'date-time' }),
});

export const CaseListQuery = Type.Object({
  ...ListQuery,
  status: Type.Optional(literals(STATUSES)),
  step: Type.Optional(literals(STEPS)),
  category: Type.Optional(literals(CATEGORIES)),
  unitId: Type.Optional(Uuid),
  workerId: Type.Optional(Uuid),
  overdue: Type.Optional(Type.Boolean()),
});
