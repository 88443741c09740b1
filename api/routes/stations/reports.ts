import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import { quarterDates, periodOf } from '../../../workflows/station-inspection/inspection-period.js';
import { STATION_READ_ROLES, type StationType } from '../../../workflows/shared/station-vocabulary.js';
import type { AppDeps } from '../../app.js';
import { invalid } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { errorResponses } from '../../schemas.js';
import { unitInScope } from '../../scope.js';
import { ReportQuery } from './schemas.js';

type SortBy = 'score' | 'activities' | 'visits';

/** Ranking orders; ties on every key share a rank (1, 2, 2, 4). Fixed fragments, chosen from a checked enum. */
const ORDERS: Record<SortBy, RawBuilder<unknown>> = {
  score: sql`average_score desc nulls last, visits desc, activities desc`,
  activities: sql`activities desc, participants desc, average_score desc nulls last`,
  visits: sql`visits desc, average_score desc nulls last`,
};

interface StationFigures {
  inspections: number;
  average_score: number | null;
  commendations: number;
  failures: number;
  activities: number;
  participants: number;
  visits: number;
  rank: number;
}

/**
 * The figures of every station in a subtree for one quarter: inspections closed in the quarter (their score is
 * the re-inspection's when there was one), commendations and failures, activities held and their participants,
 * visitors. Stations still planned or being built are left out. `rollup_unit_id` is the direct child of the
 * subtree's unit that the station belongs under (the unit itself for stations it owns directly).
 */
function perStation(unit: { id: string; path: string }, range: { from: string; to: string }) {
  const fromInstant = new Date(`${range.from}T00:00:00+08:00`);
  const toInstant = new Date(`${range.to}T00:00:00+08:00`);
  return sql`
    with scope as (
      select s.id, s.name, s.type, s.owner_unit_id,
             case when s.owner_unit_path = ${unit.path} then ${unit.id}::uuid
                  else split_part(substr(s.owner_unit_path, length(${unit.path}) + 1), '/', 1)::uuid
             end as rollup_unit_id
      from station s
      where s.owner_unit_path like ${`${unit.path}%`} and s.status not in ('planned', 'building')
    ), insp as (
      select i.station_id, count(*)::int as inspections,
             sum(coalesce(i.final_score, i.first_score))::int as score_sum,
             count(*) filter (where i.outcome = 'excellent')::int as commendations,
             count(*) filter (where i.outcome = 'failed')::int as failures
      from inspection i join scope on scope.id = i.station_id
      where i.status = 'closed' and i.closed_at >= ${fromInstant} and i.closed_at < ${toInstant}
      group by i.station_id
    ), act as (
      select a.station_id, count(*)::int as activities, sum(a.participants)::int as participants
      from station_activity a join scope on scope.id = a.station_id
      where a.held_on >= ${range.from}::date and a.held_on < ${range.to}::date
      group by a.station_id
    ), vis as (
      select v.station_id, sum(v.visitors)::int as visits
      from station_visit v join scope on scope.id = v.station_id
      where v.visit_date >= ${range.from}::date and v.visit_date < ${range.to}::date
      group by v.station_id
    ), per_station as (
      select scope.*, coalesce(insp.inspections, 0) as inspections, insp.score_sum,
             round(insp.score_sum::numeric / nullif(insp.inspections, 0), 1)::float8 as average_score,
             coalesce(insp.commendations, 0) as commendations, coalesce(insp.failures, 0) as failures,
             coalesce(act.activities, 0) as activities, coalesce(act.participants, 0) as participants,
             coalesce(vis.visits, 0) as visits
      from scope
      left join insp on insp.station_id = scope.id
      left join act on act.station_id = scope.id
      left join vis on vis.station_id = scope.id
    )`;
}

/**
 * GET /reports/stations: a quarter's ranking of the stations in a subtree, and of the units directly below the
 * subtree's unit (each with the stations under it), by inspection score, activities and visits, with the totals.
 * Known limit: a station's score is that of inspections closed in the quarter; one still open at the quarter's end
 * counts in the quarter it closes.
 */
export async function stationReportRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get(
    '/reports/stations',
    {
      schema: {
        tags: ['stations'],
        summary: '驿站季度排名：检查得分、活动、到访（本辖区）',
        querystring: ReportQuery,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof ReportQuery> & { limit: number } }>) => {
      const staff = requireRole(request, STATION_READ_ROLES);
      const q = request.query;
      const quarter = q.quarter ?? periodOf('quarterly', Date.now());
      const range = quarterDates(quarter);
      if (!range) {
        throw invalid('quarter', '格式须为 2026Q4', 'QUARTER_INVALID');
      }
      const unit = await unitInScope(db, staff, q.unitId ?? staff.unitId);
      const sortBy: SortBy = q.sortBy ?? 'score';
      const base = perStation(unit, range);
      const order = ORDERS[sortBy];

      const [stations, units, totals] = await Promise.all([
        sql<{ id: string; name: string; type: StationType; owner_unit_id: string } & StationFigures>`
          ${base}
          select id, name, type, owner_unit_id, inspections, average_score, commendations, failures, activities,
                 participants, visits, rank() over (order by ${order})::int as rank
          from per_station order by rank, name, id limit ${q.limit}`.execute(db),
        sql<{ unit_id: string; name: string; stations: number } & StationFigures>`
          ${base}, per_unit as (
            select rollup_unit_id as unit_id, count(*)::int as stations, sum(inspections)::int as inspections,
                   round(sum(score_sum)::numeric / nullif(sum(inspections), 0), 1)::float8 as average_score,
                   sum(commendations)::int as commendations, sum(failures)::int as failures,
                   sum(activities)::int as activities, sum(participants)::int as participants,
                   sum(visits)::int as visits
            from per_station group by rollup_unit_id
          )
          select per_unit.*, o.name, rank() over (order by ${order})::int as rank
          from per_unit join org_unit o on o.id = per_unit.unit_id
          order by rank, o.path`.execute(db),
        sql<Omit<StationFigures, 'rank' | 'average_score'> & { stations: number }>`
          ${base}
          select count(*)::int as stations, coalesce(sum(inspections), 0)::int as inspections,
                 coalesce(sum(commendations), 0)::int as commendations, coalesce(sum(failures), 0)::int as failures,
                 coalesce(sum(activities), 0)::int as activities, coalesce(sum(participants), 0)::int as participants,
                 coalesce(sum(visits), 0)::int as visits
          from per_station`.execute(db),
      ]);

      const figures = (row: StationFigures) => ({
        rank: row.rank,
        inspections: row.inspections,
        averageScore: row.average_score,
        commendations: row.commendations,
        failures: row.failures,
        activities: row.activities,
        participants: row.participants,
        visits: row.visits,
      });
      return {
        quarter,
        from: range.from,
        // The last day of the quarter, inclusive.
        to: new Date(Date.parse(`${range.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10),
        unitId: unit.id,
        sortBy,
        totals: totals.rows[0],
        stations: stations.rows.map((row) => ({
          stationId: row.id,
          name: row.name,
          type: row.type,
          ownerUnitId: row.owner_unit_id,
          ...figures(row),
        })),
        units: units.rows.map((row) => ({
          unitId: row.unit_id,
          name: row.name,
          stations: row.stations,
          ...figures(row),
        })),
      };
    },
  );
}
