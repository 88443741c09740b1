import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { EARTH_RADIUS_M, type Position } from '../../workflows/shared/geo.js';
import type { LocalMoment } from '../../workflows/shared/opening-hours.js';
import type { Db } from '../database.js';
import type { Station } from '../tables/station.table.js';

/**
 * Reads of the station registry. "Open at" is decided here, in SQL, and only here: a station is open at a moment
 * when it is in service (`open`) and the moment falls in its hours: on a public holiday of the stored calendar its
 * holiday hours when it has them, otherwise its weekday hours. 24-hour stations are stored as open all week.
 */
export function openAt(moment: LocalMoment): RawBuilder<boolean> {
  const holiday = sql<boolean>`coalesce((select ${moment.date}::date = any(h.holidays) from holiday_calendar h where h.year = ${moment.year}::int), false)`;
  return sql<boolean>`(s.status = 'open' and case when s.holiday_open is not null and ${holiday} then s.holiday_open @> ${moment.minuteOfDay}::int else s.weekly_open @> ${moment.minuteOfWeek}::int end)`;
}

/** Great-circle distance in metres from a position to the station `s` (haversine; the same radius as geo.ts). */
export function distanceFrom(centre: Position): RawBuilder<number> {
  const lat = sql`${centre.lat}::float8`;
  const lng = sql`${centre.lng}::float8`;
  return sql<number>`(${2 * EARTH_RADIUS_M}::float8 * asin(least(1, sqrt(power(sin(radians(s.latitude - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ${lng}) / 2), 2)))))`;
}

export type StationWithOpenNow = Station & { open_now: boolean };

export async function findStation(
  db: Db,
  stationId: string,
  moment: LocalMoment,
): Promise<StationWithOpenNow | undefined> {
  return db
    .selectFrom('station as s')
    .selectAll('s')
    .select(openAt(moment).as('open_now'))
    .where('s.id', '=', stationId)
    .executeTakeFirst();
}

/** The station when its owning unit lies in the subtree of `unitPath`. */
export async function findVisibleStation(
  db: Db,
  stationId: string,
  unitPath: string,
  moment: LocalMoment,
): Promise<StationWithOpenNow | undefined> {
  return db
    .selectFrom('station as s')
    .selectAll('s')
    .select(openAt(moment).as('open_now'))
    .where('s.id', '=', stationId)
    .where('s.owner_unit_path', 'like', `${unitPath}%`)
    .executeTakeFirst();
}

export interface StationFilters {
  unitPath: string;
  type?: string;
  status?: string;
  services?: string[];
  moment: LocalMoment;
  /** Sort key of the last row of the previous page: owner path, name, id. */
  after: [string, string, string] | null;
  limit: number;
}

export async function listStations(db: Db, filters: StationFilters): Promise<StationWithOpenNow[]> {
  let query = db
    .selectFrom('station as s')
    .selectAll('s')
    .select(openAt(filters.moment).as('open_now'))
    .where('s.owner_unit_path', 'like', `${filters.unitPath}%`)
    .orderBy('s.owner_unit_path')
    .orderBy('s.name')
    .orderBy('s.id')
    .limit(filters.limit + 1);
  if (filters.type) {
    query = query.where('s.type', '=', filters.type as never);
  }
  if (filters.status) {
    query = query.where('s.status', '=', filters.status as never);
  }
  if (filters.services?.length) {
    query = query.where(sql<SqlBool>`s.services @> ${filters.services}::text[]`);
  }
  if (filters.after) {
    const [path, name, id] = filters.after;
    query = query.where(sql<SqlBool>`(s.owner_unit_path, s.name, s.id) > (${path}, ${name}, ${id}::uuid)`);
  }
  return query.execute();
}

export interface NearbyQuery {
  centre: Position;
  radiusM: number;
  /** The box holding every point within the radius (geo.ts boundingBox): the index prefilter. */
  box: { minLat: number; maxLat: number; minLng: number; maxLng: number };
  /** Every one of these services, when given. */
  services: string[];
  openNow: boolean;
  moment: LocalMoment;
  limit: number;
}

export interface NearbyRow {
  id: string;
  name: string;
  type: Station['type'];
  status: Station['status'];
  latitude: number;
  longitude: number;
  address: string;
  services: Station['services'];
  hours: Station['hours'];
  distance_m: number;
  open_now: boolean;
}

/**
 * Stations within the radius in the public statuses, nearest first (ties by id), with their distance and whether
 * they are open at the moment; only those open then when `openNow`. The bounding box keeps the distance
 * computation to the rows the location index finds. Written as one statement rather than with the query builder:
 * it is the public endpoint's whole cost, and building it costs more than running it on a small table.
 */
export async function nearbyStations(db: Db, query: NearbyQuery): Promise<NearbyRow[]> {
  const { box } = query;
  // The statuses are written out (not bound) so the planner matches the partial index station_location_idx; the
  // same list as PUBLIC_STATUSES in station-vocabulary.ts.
  const result = await sql<NearbyRow>`
    select * from (
      select s.id, s.name, s.type, s.status, s.latitude, s.longitude, s.address, s.services, s.hours,
             ${distanceFrom(query.centre)} as distance_m, ${openAt(query.moment)} as open_now
      from station s
      where s.status in ('open', 'suspended')
        and s.latitude between ${box.minLat}::float8 and ${box.maxLat}::float8
        and s.longitude between ${box.minLng}::float8 and ${box.maxLng}::float8
        ${query.services.length > 0 ? sql`and s.services @> ${query.services}::text[]` : sql``}
    ) n
    where n.distance_m <= ${query.radiusM}::float8 ${query.openNow ? sql`and n.open_now` : sql``}
    order by n.distance_m, n.id
    limit ${query.limit}::int`.execute(db);
  return result.rows;
}
