import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import type { AppDeps } from '../../app.js';
import { notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, errorResponses, strictObject } from '../../schemas.js';
import type { Staff } from '../../staff.js';
import { scanView } from './views.js';
import { runningScan, scanAlreadyRunning, startScan } from './start-scan.js';

/** Workers listed per unit and change in a dry run's answer; the counts stay exact beyond it. */
const DRY_RUN_WORKERS_PER_UNIT = 100;

/**
 * Perception scans: start one on demand (admins; one at a time, 409 SCAN_ALREADY_RUNNING otherwise), list them,
 * and read one with its progress and counts. A dry run's answer adds, per unit of the caller's subtree, the workers
 * its candidate version would add or drop.
 */
export async function scanRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, config } = deps;

  async function dryRunView(scanId: string, staff: Staff) {
    const candidate = await db
      .selectFrom('perception_scan as s')
      .innerJoin('perception_rule_version as v', 'v.id', 's.candidate_version_id')
      .innerJoin('perception_rule as r', 'r.id', 'v.rule_id')
      .select(['v.id as version_id', 'v.version', 'r.id as rule_id', 'r.code'])
      .where('s.id', '=', scanId)
      .executeTakeFirst();
    const { rows } = await sql<{
      unit_id: string;
      unit_name: string;
      unit_path: string;
      added: number;
      dropped: number;
      added_ids: string[];
      dropped_ids: string[];
    }>`
      select c.worker_unit_id as unit_id, o.name as unit_name, o.path as unit_path,
             count(*) filter (where c.change = 'added')::int as added,
             count(*) filter (where c.change = 'dropped')::int as dropped,
             (array_agg(c.worker_id order by c.worker_id) filter (where c.change = 'added'))[1:${DRY_RUN_WORKERS_PER_UNIT}] as added_ids,
             (array_agg(c.worker_id order by c.worker_id) filter (where c.change = 'dropped'))[1:${DRY_RUN_WORKERS_PER_UNIT}] as dropped_ids
      from perception_dry_run_change c join org_unit o on o.id = c.worker_unit_id
      where c.scan_id = ${scanId}::uuid and c.worker_unit_path like ${`${staff.unitPath}%`}
      group by c.worker_unit_id, o.name, o.path
      order by o.path`.execute(db);
    return {
      ruleId: candidate?.rule_id ?? null,
      ruleCode: candidate?.code ?? null,
      version: candidate?.version ?? null,
      versionId: candidate?.version_id ?? null,
      added: rows.reduce((sum, row) => sum + row.added, 0),
      dropped: rows.reduce((sum, row) => sum + row.dropped, 0),
      byUnit: rows.map((row) => ({
        unitId: row.unit_id,
        unitName: row.unit_name,
        added: row.added,
        dropped: row.dropped,
        addedWorkerIds: row.added_ids ?? [],
        droppedWorkerIds: row.dropped_ids ?? [],
      })),
    };
  }

  async function readScan(scanId: string, staff: Staff) {
    const scan = await db.selectFrom('perception_scan').selectAll().where('id', '=', scanId).executeTakeFirst();
    if (!scan) {
      throw notFound('SCAN_NOT_FOUND', '没有这次感知扫描');
    }
    return scan.kind === 'dry_run' ? { ...scanView(scan), dryRun: await dryRunView(scan.id, staff) } : scanView(scan);
  }

  app.post(
    '/perception/scans',
    {
      schema: {
        tags: ['perception'],
        summary: '立即发起一次感知扫描（管理员；同一时间只运行一次）',
        body: Type.Optional(strictObject({})),
        response: { ...errorResponses, 202: Type.Unknown() },
      },
    },
    async (request: FastifyRequest, reply) => {
      const staff = requireRole(request, ['admin']);
      const holder = await runningScan(deps);
      if (holder) {
        throw scanAlreadyRunning(holder.id);
      }
      const scanId = request.idempotency ? uuidFromKey(`scan:${staff.id}`, request.idempotency.key) : randomUUID();
      request.audit = { action: 'perception.scan', targetType: 'perception_scan', targetId: scanId };
      const progress = await startScan(deps, {
        scanId,
        kind: 'scan',
        trigger: 'manual',
        requestedByUserId: staff.id,
        chunkSize: config.perceptionScanChunkSize,
      });
      if (progress.status === 'skipped' && progress.blockedByScanId) {
        throw scanAlreadyRunning(progress.blockedByScanId);
      }
      return reply.status(202).send(await readScan(scanId, staff));
    },
  );

  app.get(
    '/perception/scans',
    {
      schema: {
        tags: ['perception'],
        summary: '感知扫描与试运行记录，最近的在前',
        querystring: Type.Object({
          ...ListQuery,
          kind: Type.Optional(Type.Union([Type.Literal('scan'), Type.Literal('dry_run')])),
        }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; kind?: 'scan' | 'dry_run' } }>) => {
      requireRole(request, ['admin', 'supervisor']);
      const { limit, kind } = request.query;
      const after = decodeCursor(request.query.cursor, ['instant', 'uuid']);
      let query = db
        .selectFrom('perception_scan')
        .selectAll()
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (kind) {
        query = query.where('kind', '=', kind);
      }
      if (after) {
        query = query.where(
          sql<SqlBool>`(started_at, id) < (${new Date(String(after[0]))}, ${String(after[1])}::uuid)`,
        );
      }
      return toPage(await query.execute(), limit, (row) => [row.started_at.toISOString(), row.id], scanView);
    },
  );

  app.get(
    '/perception/scans/:id',
    { schema: { tags: ['perception'], summary: '一次感知扫描的进度与结果', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, ['admin', 'supervisor']);
      return readScan(request.params.id, staff);
    },
  );
}
