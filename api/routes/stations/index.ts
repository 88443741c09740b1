import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { decrypt, encrypt, maskPhone } from '../../../db/personal-data.js';
import {
  findStation,
  findVisibleStation,
  listStations,
  nearbyStations,
} from '../../../db/repositories/station.repository.js';
import type { Station } from '../../../db/tables/station.table.js';
import { boundingBox, withinServiceArea } from '../../../workflows/shared/geo.js';
import {
  hoursProblems,
  isRoundTheClock,
  openRanges,
  roundTheClock,
  shanghaiMoment,
  toMultirange,
  type OpeningHours,
} from '../../../workflows/shared/opening-hours.js';
import {
  STATION_MANAGER_ROLES,
  STATION_READ_ROLES,
  STATION_STAFF_ROLES,
  STATION_STATUS_LABELS,
  STATION_STATUS_MOVES,
  type StationType,
} from '../../../workflows/shared/station-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { ApiError, forbidden, invalid, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, errorResponses } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';
import { inspectionRoutes } from './inspections.js';
import { stationReportRoutes } from './reports.js';
import {
  ActivityBody,
  NearbyAnswer,
  NearbyQuerySchema,
  NewStationBody,
  PatchStationBody,
  StationListQuery,
  VisitBody,
} from './schemas.js';
import { publicFeature, stationView } from './views.js';

/** A mobile (11 digits) or a landline with its area code (0575 88123456); spaces and dashes are dropped. */
function normalisedPhone(raw: string): string {
  const phone = raw.replace(/[\s-]/g, '');
  if (!/^(1[3-9]\d{9}|0\d{9,11})$/.test(phone)) {
    throw invalid('responsiblePerson.phone', '须为 11 位手机号或带区号的固定电话', 'PHONE_INVALID');
  }
  return phone;
}

function checkServiceArea(position: { latitude: number; longitude: number }): void {
  if (!withinServiceArea({ lat: position.latitude, lng: position.longitude })) {
    throw new ApiError(422, 'OUTSIDE_SERVICE_AREA', '驿站位置不在绍兴市服务范围内，请核对经纬度（WGS-84）', [
      { field: 'latitude', reason: '不在服务范围内（约北纬 29.2° 至 30.4°）' },
      { field: 'longitude', reason: '不在服务范围内（约东经 119.9° 至 121.2°）' },
    ]);
  }
}

/**
 * The hours a station of this type keeps, checked, with the ranges the database answers "open at" with. A 24-hour
 * station is open all day every day (its hours may be left out); every other station must give its hours.
 */
function checkedHours(type: StationType, hours: OpeningHours | undefined) {
  let kept: OpeningHours;
  if (type === '24h') {
    if (hours && !isRoundTheClock(hours)) {
      throw invalid('hours', '24小时驿站须每天全天开放（00:00-24:00），或不填营业时间', 'HOURS_INVALID');
    }
    kept = hours ?? roundTheClock();
  } else {
    if (!hours) {
      throw invalid('hours', '请填写每天的营业时间（24小时驿站除外）', 'HOURS_REQUIRED');
    }
    kept = hours;
  }
  const problems = hoursProblems(kept);
  if (problems.length > 0) {
    throw new ApiError(422, 'HOURS_INVALID', `营业时间有误：${problems[0]!.field}：${problems[0]!.reason}`, problems);
  }
  const ranges = openRanges(kept);
  return {
    hours: JSON.stringify(kept),
    weekly_open: toMultirange(ranges.weekly),
    holiday_open: ranges.holiday ? toMultirange(ranges.holiday) : null,
  };
}

/** Today in Shanghai, as `YYYY-MM-DD`. */
const shanghaiToday = () => shanghaiMoment(Date.now()).date;

/** A real calendar date from 2000 up to today (activities and visits are reported after the fact). */
function checkPastDate(date: string): void {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date || date < '2000-01-01') {
    throw invalid('date', `${date} 不是有效日期`, 'DATE_INVALID');
  }
  if (date > shanghaiToday()) {
    throw invalid('date', '不能填写今天之后的日期', 'DATE_INVALID');
  }
}

/**
 * Rest stations (越工驿站): the registry (register, list, read, update services, hours and status), the public
 * nearby lookup (no login, rate-limited, GeoJSON), activities held and daily visitor counts; inspections and the
 * ranking report are registered from ./inspections.ts and ./reports.ts. Every staff route is scoped to the
 * caller's subtree: a station whose owning unit lies outside it answers 404.
 */
export async function stationRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, config } = deps;

  async function visibleStation(stationId: string, staff: Staff) {
    const row = await findVisibleStation(db, stationId, staff.unitPath, shanghaiMoment(Date.now()));
    if (!row) {
      throw notFound('STATION_NOT_FOUND', '驿站不存在或不在您的管辖范围内');
    }
    return row;
  }

  const reread = async (stationId: string) =>
    stationView((await findStation(db, stationId, shanghaiMoment(Date.now())))!);

  app.post(
    '/stations',
    {
      schema: {
        tags: ['stations'],
        summary: '登记驿站（管理员、主管）',
        body: NewStationBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof NewStationBody> }>, reply) => {
      const staff = requireRole(request, STATION_MANAGER_ROLES);
      const body = request.body;
      const owner = await unitInScope(db, staff, body.ownerUnitId, 'ownerUnitId');
      checkServiceArea(body);
      const phone = normalisedPhone(body.responsiblePerson.phone);
      const hours = checkedHours(body.type, body.hours);
      const created = await db
        .insertInto('station')
        .values({
          name: body.name.trim(),
          type: body.type,
          status: body.status ?? 'planned',
          latitude: body.latitude,
          longitude: body.longitude,
          address: body.address.trim(),
          services: body.services,
          ...hours,
          owner_unit_id: owner.id,
          owner_unit_path: owner.path,
          responsible_name: body.responsiblePerson.name.trim(),
          responsible_phone_enc: encrypt(phone, config.dataEncryptionKey),
          responsible_phone_masked: maskPhone(phone),
          notes: body.notes?.trim() ?? null,
          created_by: staff.id,
          updated_by: staff.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      request.audit = {
        action: 'station.create',
        targetType: 'station',
        targetId: created.id,
        details: { type: body.type },
      };
      return reply.status(201).send(await reread(created.id));
    },
  );

  app.get(
    '/stations',
    {
      config: { audit: 'read' },
      schema: { tags: ['stations'], summary: '驿站列表（本辖区）', querystring: StationListQuery },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof StationListQuery> & { limit: number } }>) => {
      const staff = requireRole(request, STATION_READ_ROLES);
      const q = request.query;
      const unitPath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      const rows = await listStations(db, {
        unitPath,
        type: q.type,
        status: q.status,
        services: q.service,
        moment: shanghaiMoment(Date.now()),
        after: decodeCursor(q.cursor, ['path', 'text', 'uuid']) as [string, string, string] | null,
        limit: q.limit,
      });
      return toPage(rows, q.limit, (row) => [row.owner_unit_path, row.name, row.id], stationView);
    },
  );

  app.get(
    '/stations/:id',
    {
      config: { audit: 'read' },
      schema: { tags: ['stations'], summary: '驿站详情（含负责人电话、活动与到访统计）', params: IdParams },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, STATION_READ_ROLES);
      request.audit = { action: 'station.read', targetType: 'station', targetId: request.params.id };
      const row = await visibleStation(request.params.id, staff);
      const [activities, visits, commendations, latest] = await Promise.all([
        db
          .selectFrom('station_activity')
          .select([
            sql<number>`count(*)::int`.as('count'),
            sql<number>`coalesce(sum(participants), 0)::int`.as('people'),
          ])
          .where('station_id', '=', row.id)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('station_visit')
          .select(sql<number>`coalesce(sum(visitors), 0)::int`.as('total'))
          .where('station_id', '=', row.id)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('station_commendation')
          .select(sql<number>`count(*)::int`.as('count'))
          .where('station_id', '=', row.id)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('inspection')
          .select(['id', 'period', 'status', 'step', 'outcome', 'final_score', 'opened_at'])
          .where('station_id', '=', row.id)
          .orderBy('opened_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst(),
      ]);
      const view = stationView(row);
      return {
        ...view,
        responsiblePerson: {
          ...view.responsiblePerson,
          phone: decrypt(row.responsible_phone_enc, config.dataEncryptionKey),
        },
        activitiesHeld: activities.count,
        activityParticipants: activities.people,
        visitsTotal: visits.total,
        commendations: commendations.count,
        latestInspection: latest
          ? {
              id: latest.id,
              period: latest.period,
              status: latest.status,
              step: latest.step,
              outcome: latest.outcome,
              finalScore: latest.final_score,
              openedAt: toShanghaiIso(latest.opened_at),
            }
          : null,
      };
    },
  );

  app.patch(
    '/stations/:id',
    {
      schema: {
        tags: ['stations'],
        summary: '更新驿站信息：服务项目、营业时间、负责人、状态（状态仅管理员、主管）',
        params: IdParams,
        body: PatchStationBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof PatchStationBody> }>) => {
      const staff = requireRole(request, STATION_STAFF_ROLES);
      const body = request.body;
      const stationId = request.params.id;
      request.audit = {
        action: 'station.update',
        targetType: 'station',
        targetId: stationId,
        details: { fields: Object.keys(body).sort() },
      };
      if (body.status !== undefined && !STATION_MANAGER_ROLES.includes(staff.role)) {
        throw forbidden('ROLE_NOT_ALLOWED', '只有管理员和主管可以变更驿站状态');
      }
      await db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('station')
          .selectAll()
          .where('id', '=', stationId)
          .where('owner_unit_path', 'like', `${staff.unitPath}%`)
          .forUpdate()
          .executeTakeFirst();
        if (!current) {
          throw notFound('STATION_NOT_FOUND', '驿站不存在或不在您的管辖范围内');
        }
        checkStatusMove(current, body.status);
        const type = body.type ?? current.type;
        const position = {
          latitude: body.latitude ?? current.latitude,
          longitude: body.longitude ?? current.longitude,
        };
        checkServiceArea(position);
        const keepHours = type !== '24h' || current.type === '24h' ? current.hours : undefined;
        const hours = checkedHours(type, body.hours ?? keepHours);
        const phone = body.responsiblePerson ? normalisedPhone(body.responsiblePerson.phone) : null;
        await trx
          .updateTable('station')
          .set({
            ...(body.name !== undefined ? { name: body.name.trim() } : {}),
            ...(body.address !== undefined ? { address: body.address.trim() } : {}),
            ...(body.services !== undefined ? { services: body.services } : {}),
            ...(body.status !== undefined ? { status: body.status } : {}),
            ...(body.notes !== undefined ? { notes: body.notes === null ? null : body.notes.trim() } : {}),
            ...(body.responsiblePerson && phone
              ? {
                  responsible_name: body.responsiblePerson.name.trim(),
                  responsible_phone_enc: encrypt(phone, config.dataEncryptionKey),
                  responsible_phone_masked: maskPhone(phone),
                }
              : {}),
            type,
            ...position,
            ...hours,
            updated_by: staff.id,
            updated_at: sql`now()`,
          })
          .where('id', '=', stationId)
          .execute();
      });
      return reread(stationId);
    },
  );

  function checkStatusMove(current: Station, status: Station['status'] | undefined): void {
    if (status === undefined || status === current.status) {
      return;
    }
    if (!STATION_STATUS_MOVES[current.status].includes(status)) {
      throw new ApiError(
        409,
        'STATUS_CHANGE_NOT_ALLOWED',
        `驿站状态不能由「${STATION_STATUS_LABELS[current.status]}」改为「${STATION_STATUS_LABELS[status]}」`,
      );
    }
  }

  app.get(
    '/public/stations/nearby',
    {
      // Warnings and errors only: at a public map's volume, a line per request would drown the staff API's log.
      // Known limit: the rate limit counts per API process and per address, so several replicas each allow the
      // full rate, and phones behind one carrier NAT share one budget.
      logLevel: 'warn',
      config: {
        public: true,
        rateLimit: {
          max: config.publicRateLimitPerMinute,
          timeWindow: '1 minute',
          errorResponseBuilder: (_request, context) =>
            new ApiError(
              429,
              'TOO_MANY_REQUESTS',
              `查询过于频繁，请在 ${Math.max(1, Math.ceil(context.ttl / 1000))} 秒后再试`,
            ),
        },
      },
      schema: {
        tags: ['public'],
        summary: '附近的驿站（无需登录）：按距离排序的 GeoJSON',
        security: [],
        querystring: NearbyQuerySchema,
        response: { 200: NearbyAnswer, ...errorResponses },
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: Static<typeof NearbyQuerySchema> & { radiusM: number; limit: number; openNow: boolean };
      }>,
      reply,
    ) => {
      const q = request.query;
      const centre = { lat: q.lat, lng: q.lng };
      if (!withinServiceArea(centre)) {
        throw new ApiError(422, 'OUTSIDE_SERVICE_AREA', '所查位置不在绍兴市服务范围内', [
          { field: 'lat', reason: '不在服务范围内（约北纬 29.2° 至 30.4°）' },
          { field: 'lng', reason: '不在服务范围内（约东经 119.9° 至 121.2°）' },
        ]);
      }
      const at = q.at ? Date.parse(q.at) : Date.now();
      const rows = await nearbyStations(db, {
        centre,
        radiusM: q.radiusM,
        box: boundingBox(centre, q.radiusM),
        services: q.service ?? [],
        openNow: q.openNow,
        moment: shanghaiMoment(at),
        limit: q.limit,
      });
      // Short: "open now" changes by the minute.
      reply.header('cache-control', 'public, max-age=30');
      return {
        type: 'FeatureCollection',
        openNowAt: toShanghaiIso(at),
        radiusM: q.radiusM,
        features: rows.map(publicFeature),
      };
    },
  );

  app.post(
    '/stations/:id/activities',
    {
      schema: {
        tags: ['stations'],
        summary: '登记驿站举办的活动',
        params: IdParams,
        body: ActivityBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof ActivityBody> }>, reply) => {
      const staff = requireRole(request, STATION_STAFF_ROLES);
      request.audit = { action: 'station.activity', targetType: 'station', targetId: request.params.id };
      const station = await visibleStation(request.params.id, staff);
      checkServed(station);
      checkPastDate(request.body.date);
      const row = await db
        .insertInto('station_activity')
        .values({
          station_id: station.id,
          held_on: request.body.date,
          title: request.body.title.trim(),
          participants: request.body.participants,
          created_by: staff.id,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.status(201).send({
        id: row.id,
        stationId: row.station_id,
        date: row.held_on,
        title: row.title,
        participants: row.participants,
        createdAt: toShanghaiIso(row.created_at),
      });
    },
  );

  app.post(
    '/stations/:id/visits',
    {
      schema: {
        tags: ['stations'],
        summary: '报送驿站某日到访人次（同一天再次报送即更正，不累加）',
        params: IdParams,
        body: VisitBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof VisitBody> }>, reply) => {
      const staff = requireRole(request, STATION_STAFF_ROLES);
      request.audit = { action: 'station.visits', targetType: 'station', targetId: request.params.id };
      const station = await visibleStation(request.params.id, staff);
      checkServed(station);
      checkPastDate(request.body.date);
      const row = await db
        .insertInto('station_visit')
        .values({
          station_id: station.id,
          visit_date: request.body.date,
          visitors: request.body.count,
          reported_by: staff.id,
        })
        .onConflict((oc) =>
          oc.columns(['station_id', 'visit_date']).doUpdateSet({
            visitors: request.body.count,
            reported_by: staff.id,
            updated_at: sql`now()`,
          }),
        )
        .returning(['station_id', 'visit_date', 'visitors', sql<boolean>`(xmax = 0)`.as('inserted')])
        .executeTakeFirstOrThrow();
      return reply.status(row.inserted ? 201 : 200).send({
        stationId: row.station_id,
        date: row.visit_date,
        count: row.visitors,
        replaced: !row.inserted,
      });
    },
  );

  /** Activities and visits belong to stations that have served: not to ones still planned or being built. */
  function checkServed(station: Station): void {
    if (station.status === 'planned' || station.status === 'building') {
      throw new ApiError(
        409,
        'STATION_NOT_IN_SERVICE',
        `驿站当前「${STATION_STATUS_LABELS[station.status]}」，尚未投入使用，不能登记活动或到访`,
      );
    }
  }

  await inspectionRoutes(app, deps);
  await stationReportRoutes(app, deps);
}
