import { Type, type TSchema } from '@sinclair/typebox';
import { CALENDAR_KINDS } from '../../../workflows/shared/case-vocabulary.js';
import {
  PIPELINE_STATUSES,
  PIPELINE_STEPS,
  TIME_LIMIT_NAMES,
  WORK_HOURS,
} from '../../../workflows/shared/training-vocabulary.js';
import { ListQuery, NO_NUL, Text, Uuid, strictObject } from '../../schemas.js';

/** Request schemas of the training routes. Bodies refuse unknown fields; nothing in a body is coerced. */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** A skill or certificate code of the vocabulary (`electrician`, `uom_drone_pilot`). */
export const Code = Type.String({ pattern: '^[a-z][a-z0-9_]{1,49}$' });
const Codes = (maxItems: number, minItems = 0) => Type.Array(Code, { minItems, maxItems, uniqueItems: true });
const Hours = literals(WORK_HOURS);
const Instant = Type.String({ format: 'date-time' });
/** An ISO-8601 duration; checked further in the handler (weeks to seconds only, as for case time limits). */
export const Duration = Type.String({ minLength: 3, maxLength: 30, pattern: '^P[0-9WDTHMS.]+$' });
const PayFen = Type.Integer({ minimum: 1, maximum: 100_000_000 });
const OptionalText = (maxLength: number) => Type.Optional(Type.String({ maxLength, pattern: NO_NUL }));

export const VocabularyBody = strictObject({ code: Code, label: Text(50) });

export const NewSurveyBody = strictObject({
  workerId: Uuid,
  skills: Codes(30),
  wishedSkills: Type.Optional(Codes(30)),
  hours: Type.Optional(Type.Array(Hours, { minItems: 1, maxItems: 3, uniqueItems: true })),
  districtIds: Type.Optional(Type.Array(Uuid, { maxItems: 10, uniqueItems: true })),
  wishedMonthlyPayFen: Type.Optional(PayFen),
  note: OptionalText(1000),
});

const LimitBody = strictObject({ duration: Duration, calendar: literals(CALENDAR_KINDS) });
export const TimeLimitsBody = strictObject(
  Object.fromEntries(TIME_LIMIT_NAMES.map((name) => [name, Type.Optional(LimitBody)])) as Record<string, TSchema>,
);

export const NewCourseBody = strictObject({
  title: Text(100),
  unitId: Type.Optional(Uuid),
  skills: Codes(20, 1),
  capacity: Type.Integer({ minimum: 1, maximum: 10_000 }),
  waitlistCapacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  startsAt: Instant,
  endsAt: Instant,
  sessions: Type.Integer({ minimum: 1, maximum: 1000 }),
  requiredAttendancePct: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  exam: Type.Optional(strictObject({ certificate: Code })),
  openingIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true })),
  fairWithin: Type.Optional(Duration),
  timeLimits: Type.Optional(TimeLimitsBody),
});

export const EnrolmentBody = strictObject({ workerId: Uuid });

export const AttendanceBody = strictObject({
  session: Type.Integer({ minimum: 1, maximum: 1000 }),
  records: Type.Array(strictObject({ workerId: Uuid, present: Type.Boolean() }), { minItems: 1, maxItems: 500 }),
});

export const ExamResultsBody = strictObject({
  results: Type.Array(strictObject({ workerId: Uuid, passed: Type.Boolean() }), { minItems: 1, maxItems: 500 }),
});

export const NewEnterpriseBody = strictObject({
  name: Text(100),
  creditCode: Type.String({ minLength: 1, maxLength: 30, pattern: NO_NUL }),
  unitId: Uuid,
  industry: Type.Optional(Text(50)),
});

export const NewOpeningBody = strictObject({
  enterpriseId: Uuid,
  title: Text(100),
  skills: Codes(10, 1),
  certificate: Type.Optional(Code),
  districtId: Uuid,
  monthlyPayFen: PayFen,
  headcount: Type.Integer({ minimum: 1, maximum: 10_000 }),
  hours: Hours,
});

export const NewFairBody = strictObject({
  title: Text(100),
  heldAt: Instant,
  unitId: Type.Optional(Uuid),
  courseId: Type.Optional(Uuid),
  openingIds: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
});

const Reason = Type.Optional(Text(500));

/** Body schema of each pipeline action; actions without fields take an empty object (or no body). */
export const PIPELINE_ACTION_BODIES = {
  confirm: strictObject({}),
  decline: strictObject({ reason: Reason }),
  withdraw: strictObject({ reason: Text(500) }),
  'record-offer': strictObject({ openingId: Uuid }),
  'accept-offer': strictObject({}),
  'decline-offer': strictObject({ reason: Reason }),
  'follow-up': strictObject({ stillEmployed: Type.Boolean(), note: Type.Optional(Text(1000)) }),
} as const;

export const CourseListQuery = Type.Object({
  ...ListQuery,
  unitId: Type.Optional(Uuid),
  status: Type.Optional(literals(['upcoming', 'running', 'ended'] as const)),
  skill: Type.Optional(Code),
});

export const PipelineListQuery = Type.Object({
  ...ListQuery,
  unitId: Type.Optional(Uuid),
  courseId: Type.Optional(Uuid),
  workerId: Type.Optional(Uuid),
  status: Type.Optional(literals(PIPELINE_STATUSES)),
  step: Type.Optional(literals(PIPELINE_STEPS)),
  stalled: Type.Optional(Type.Boolean()),
  overdue: Type.Optional(Type.Boolean()),
});

export const OpeningListQuery = Type.Object({
  ...ListQuery,
  enterpriseId: Type.Optional(Uuid),
  districtId: Type.Optional(Uuid),
  skill: Type.Optional(Code),
  status: Type.Optional(literals(['open', 'filled', 'closed'] as const)),
});

export const SurveyListQuery = Type.Object({
  ...ListQuery,
  workerId: Type.Optional(Uuid),
  unitId: Type.Optional(Uuid),
});

export const MatchQuery = Type.Object({
  traineeId: Uuid,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

export const ReportQuery = Type.Object({ unitId: Type.Optional(Uuid), from: Instant, to: Instant });
