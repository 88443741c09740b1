import { Type } from '@sinclair/typebox';
import { CALENDAR_KINDS } from '../../../workflows/shared/case-vocabulary.js';
import {
  INSPECTION_OUTCOMES,
  INSPECTION_STATUSES,
  INSPECTION_STEPS,
  STATION_SERVICES,
  STATION_STATUSES,
  STATION_TYPES,
} from '../../../workflows/shared/station-vocabulary.js';
import { RADIUS_LIMITS } from '../../../workflows/shared/geo.js';
import { ListQuery, NO_NUL, Text, Uuid, strictObject } from '../../schemas.js';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const StationTypeSchema = literals(STATION_TYPES);
export const StationStatusSchema = literals(STATION_STATUSES);
export const ServiceSchema = literals(STATION_SERVICES);

const Services = Type.Array(ServiceSchema, { maxItems: STATION_SERVICES.length, uniqueItems: true });
export const Latitude = Type.Number({ minimum: -90, maximum: 90 });
export const Longitude = Type.Number({ minimum: -180, maximum: 180 });

/** `HH:MM`; whether it is a real time of day, and in order, is checked by opening-hours.ts with a reason. */
const Time = Type.String({ pattern: '^\\d{2}:\\d{2}$' });
const Intervals = Type.Array(strictObject({ opens: Time, closes: Time }), { maxItems: 6 });

export const HoursSchema = strictObject({
  mon: Intervals,
  tue: Intervals,
  wed: Intervals,
  thu: Intervals,
  fri: Intervals,
  sat: Intervals,
  sun: Intervals,
  holiday: Type.Optional(Intervals),
});

const ResponsiblePerson = strictObject({
  name: Text(50),
  phone: Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+\\- ]+$' }),
});

export const NewStationBody = strictObject({
  name: Text(100),
  type: StationTypeSchema,
  /** Planned when absent; a new station may also be registered as building or already open. */
  status: Type.Optional(literals(['planned', 'building', 'open'] as const)),
  latitude: Latitude,
  longitude: Longitude,
  address: Text(200),
  services: Services,
  /** Required, except for a 24-hour station (open all day, every day). */
  hours: Type.Optional(HoursSchema),
  responsiblePerson: ResponsiblePerson,
  ownerUnitId: Uuid,
  notes: Type.Optional(Text(2000)),
});

export const PatchStationBody = strictObject(
  {
    name: Type.Optional(Text(100)),
    type: Type.Optional(StationTypeSchema),
    status: Type.Optional(StationStatusSchema),
    latitude: Type.Optional(Latitude),
    longitude: Type.Optional(Longitude),
    address: Type.Optional(Text(200)),
    services: Type.Optional(Services),
    hours: Type.Optional(HoursSchema),
    responsiblePerson: Type.Optional(ResponsiblePerson),
    notes: Type.Optional(Type.Union([Text(2000), Type.Null()])),
  },
  { minProperties: 1 },
);

export const StationListQuery = Type.Object({
  ...ListQuery,
  unitId: Type.Optional(Uuid),
  type: Type.Optional(StationTypeSchema),
  status: Type.Optional(StationStatusSchema),
  service: Type.Optional(Type.Array(ServiceSchema, { maxItems: STATION_SERVICES.length, uniqueItems: true })),
});

/** The public lookup's query. Unknown parameters are refused, so a misspelt `radius=` does not pass unnoticed. */
export const NearbyQuerySchema = Type.Object(
  {
    lat: Latitude,
    lng: Longitude,
    radiusM: Type.Optional(
      Type.Integer({ minimum: RADIUS_LIMITS.min, maximum: RADIUS_LIMITS.max, default: RADIUS_LIMITS.default }),
    ),
    service: Type.Optional(Type.Array(ServiceSchema, { maxItems: STATION_SERVICES.length, uniqueItems: true })),
    openNow: Type.Optional(Type.Boolean({ default: false })),
    /** Judge "open" at this moment instead of now (planning a break later in the shift). */
    at: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

const PublicInterval = Type.Object({ opens: Type.String(), closes: Type.String() });
const PublicIntervals = Type.Array(PublicInterval);

/**
 * The public lookup's answer. Serialised from this schema, which also makes it an allow-list: a field that is not
 * here (the responsible person, the owning unit, notes) cannot reach the public, whatever the query selects.
 */
export const NearbyAnswer = Type.Object({
  type: Type.Literal('FeatureCollection'),
  openNowAt: Type.String(),
  radiusM: Type.Integer(),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.String(),
      geometry: Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number()) }),
      properties: Type.Object({
        name: Type.String(),
        type: StationTypeSchema,
        typeLabel: Type.String(),
        status: StationStatusSchema,
        statusLabel: Type.String(),
        address: Type.String(),
        services: Type.Array(Type.String()),
        serviceLabels: Type.Array(Type.String()),
        hours: Type.Object({
          mon: PublicIntervals,
          tue: PublicIntervals,
          wed: PublicIntervals,
          thu: PublicIntervals,
          fri: PublicIntervals,
          sat: PublicIntervals,
          sun: PublicIntervals,
          holiday: Type.Optional(PublicIntervals),
        }),
        open24h: Type.Boolean(),
        openNow: Type.Boolean(),
        distanceM: Type.Integer(),
      }),
    }),
  ),
});

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const ActivityBody = strictObject({
  date: DateString,
  title: Text(100),
  participants: Type.Integer({ minimum: 1, maximum: 100_000 }),
});

export const VisitBody = strictObject({
  date: DateString,
  count: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
});

/** Points per checklist item id; whether they fit the checklist is checked against the inspection's own one. */
const ScoresSchema = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.Integer(), {
  minProperties: 1,
  maxProperties: 50,
});
const Remarks = Type.Optional(Type.String({ maxLength: 2000, pattern: NO_NUL }));

export const INSPECTION_ACTION_BODIES = {
  submit: strictObject({ scores: ScoresSchema, remarks: Remarks }),
  rectify: strictObject({ report: Text(5000) }),
  reinspect: strictObject({ scores: ScoresSchema, remarks: Remarks }),
} as const;

export const NewInspectionBody = strictObject({ stationId: Uuid });

export const NewRoundBody = strictObject({ stationType: StationTypeSchema, unitId: Type.Optional(Uuid) });

export const InspectionListQuery = Type.Object({
  ...ListQuery,
  unitId: Type.Optional(Uuid),
  stationId: Type.Optional(Uuid),
  stationType: Type.Optional(StationTypeSchema),
  status: Type.Optional(literals(INSPECTION_STATUSES)),
  step: Type.Optional(literals(INSPECTION_STEPS)),
  outcome: Type.Optional(literals(INSPECTION_OUTCOMES)),
  period: Type.Optional(Type.String({ maxLength: 60, pattern: '^[A-Za-z0-9-]+$' })),
  /** Only inspections assigned to the caller. */
  mine: Type.Optional(Type.Boolean()),
  overdue: Type.Optional(Type.Boolean()),
});

const Limit = strictObject({
  duration: Type.String({ minLength: 2, maxLength: 30 }),
  calendar: literals(CALENDAR_KINDS),
});

export const InspectionPolicyBody = strictObject(
  {
    limits: Type.Optional(
      strictObject({ inspect: Type.Optional(Limit), rectify: Type.Optional(Limit), reinspect: Type.Optional(Limit) }),
    ),
    passMark: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    excellentMark: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    checklist: Type.Optional(
      Type.Array(
        strictObject({
          id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
          label: Text(100),
          maxScore: Type.Integer({ minimum: 1, maximum: 100 }),
        }),
        { minItems: 1, maxItems: 30 },
      ),
    ),
  },
  { minProperties: 1 },
);

export const ReportQuery = Type.Object({
  quarter: Type.Optional(Type.String({ pattern: '^\\d{4}Q[1-4]$' })),
  unitId: Type.Optional(Uuid),
  sortBy: Type.Optional(literals(['score', 'activities', 'visits'] as const)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
