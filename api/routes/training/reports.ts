import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import type { AppDeps } from '../../app.js';
import { requireRole } from '../../plugins/auth.js';
import { unitInScope } from '../../scope.js';
import { toShanghaiIso } from '../../time.js';
import { ReportQuery } from './schemas.js';
import { checkPeriod } from './support.js';

const REPORT_ROLES = ['admin', 'supervisor', 'employment_officer', 'trainer'] as const;

interface Figures {
  trainees: number;
  completions: number;
  certificates: number;
  fairs: number;
  offers: number;
  placements: number;
  followedUpAtThreeMonths: number;
  retainedAtThreeMonths: number;
}

const ZERO: Figures = {
  trainees: 0,
  completions: 0,
  certificates: 0,
  fairs: 0,
  offers: 0,
  placements: 0,
  followedUpAtThreeMonths: 0,
  retainedAtThreeMonths: 0,
};

const withRetention = (figures: Figures) => ({
  ...figures,
  retentionAtThreeMonthsPct:
    figures.followedUpAtThreeMonths === 0
      ? null
      : Math.round((figures.retainedAtThreeMonths / figures.followedUpAtThreeMonths) * 10_000) / 100,
});

/**
 * Training figures (`GET /reports/training`) for a unit of the caller's subtree and a period: trainees (enrolments
 * confirmed), completions, certificates, hiring fairs held, offers, placements and retention at three months (share
 * of three-month follow-ups that found the trainee still employed), in all and per unit directly below. Counted
 * from the pipelines' events by when they happened, and attributed to the trainee's union (fairs to their owner).
 */
export async function trainingReportRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get(
    '/reports/training',
    {
      schema: {
        tags: ['training'],
        summary: '培训就业报表：学员、结业、证书、招聘会、录用、上岗与三个月稳岗率，按下级单位',
        querystring: ReportQuery,
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof ReportQuery> }>) => {
      const staff = requireRole(request, REPORT_ROLES);
      const scope = await unitInScope(db, staff, request.query.unitId ?? staff.unitId);
      const { from, to } = checkPeriod(request.query.from, request.query.to);
      // The unit directly below the scope that a path lies in, or the scope itself for its own rows.
      const bucket = (column: RawBuilder<unknown>) =>
        sql<string>`case when ${column} = ${scope.path} then ${scope.id}
          else split_part(substr(${column}, ${scope.path.length + 1}), '/', 1) end`;
      const within = (column: RawBuilder<unknown>) => sql<boolean>`${column} like ${`${scope.path}%`}`;
      const pipelinePath = sql`p.worker_unit_path`;

      const [events, certificates, fairs, children] = await Promise.all([
        sql<{ unit_id: string | null } & Omit<Figures, 'certificates' | 'fairs'>>`
          select unit_id,
            count(distinct worker_id) filter (where kind = 'confirm')::int as trainees,
            count(*) filter (where kind = 'course_ended' and (data->>'completed')::boolean)::int as completions,
            count(*) filter (where kind = 'record-offer')::int as offers,
            count(*) filter (where kind = 'accept-offer')::int as placements,
            count(*) filter (where kind = 'follow-up' and (data->>'round')::int = 3)::int
              as "followedUpAtThreeMonths",
            count(*) filter (where kind = 'follow-up' and (data->>'round')::int = 3
              and (data->>'stillEmployed')::boolean)::int as "retainedAtThreeMonths"
          from (
            select ${bucket(pipelinePath)} as unit_id, p.worker_id, e.kind, e.data
            from trainee_pipeline_event e
            join trainee_pipeline p on p.id = e.pipeline_id
            where ${within(pipelinePath)}
              and e.occurred_at >= ${from} and e.occurred_at < ${to}
              and e.kind in ('confirm', 'course_ended', 'record-offer', 'accept-offer', 'follow-up')
          ) t
          group by grouping sets ((unit_id), ())
        `.execute(db),
        sql<{ unit_id: string | null; count: number }>`
          select unit_id, count(*)::int as count
          from (
            select ${bucket(pipelinePath)} as unit_id
            from certificate c
            join trainee_pipeline p on p.id = c.pipeline_id
            where ${within(pipelinePath)} and c.issued_at >= ${from} and c.issued_at < ${to}
          ) t
          group by grouping sets ((unit_id), ())
        `.execute(db),
        sql<{ unit_id: string | null; count: number }>`
          select unit_id, count(*)::int as count
          from (
            select ${bucket(sql`h.owner_unit_path`)} as unit_id
            from hiring_fair h
            where ${within(sql`h.owner_unit_path`)} and h.held_at >= ${from} and h.held_at < ${to}
          ) t
          group by grouping sets ((unit_id), ())
        `.execute(db),
        db.selectFrom('org_unit').select(['id', 'name']).where('parent_id', '=', scope.id).orderBy('path').execute(),
      ]);

      const figuresOf = (unitId: string | null): Figures => {
        const row = events.rows.find((r) => r.unit_id === unitId);
        return {
          ...ZERO,
          ...(row
            ? {
                trainees: row.trainees,
                completions: row.completions,
                offers: row.offers,
                placements: row.placements,
                followedUpAtThreeMonths: row.followedUpAtThreeMonths,
                retainedAtThreeMonths: row.retainedAtThreeMonths,
              }
            : {}),
          certificates: certificates.rows.find((r) => r.unit_id === unitId)?.count ?? 0,
          fairs: fairs.rows.find((r) => r.unit_id === unitId)?.count ?? 0,
        };
      };
      const own = figuresOf(scope.id);
      const units = [
        ...(Object.values(own).some((value) => value > 0) ? [{ id: scope.id, name: `${scope.name}（本级）` }] : []),
        ...children,
      ];
      return {
        unitId: scope.id,
        from: toShanghaiIso(from),
        to: toShanghaiIso(to),
        totals: withRetention(figuresOf(null)),
        byUnit: units.map((unit) => ({ unitId: unit.id, unitName: unit.name, ...withRetention(figuresOf(unit.id)) })),
      };
    },
  );
}
