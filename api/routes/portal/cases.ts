import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/database.js';
import {
  paymentsOfCases,
  recordTotals,
  unitNames,
  workerCaseWithTimeline,
  workerCases,
} from '../../../db/repositories/portal.repository.js';
import type { AssistanceCase } from '../../../db/tables/assistance-case.table.js';
import { notFound } from '../../errors.js';
import { workerOf } from '../../plugins/worker-auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, errorResponses } from '../../schemas.js';
import type { PortalDeps } from './deps.js';
import { unitIdsOfCase, workerCaseSummary, workerCaseView, type UnitNames } from './progress.js';
import { meView, workerPaymentView } from './views.js';

/** One answer for "not yours" and "does not exist", so a guessed id tells nothing. */
const CASE_NOT_FOUND = () => notFound('CASE_NOT_FOUND', '工单不存在');

async function namesFor(db: Db, unitIds: readonly string[]): Promise<UnitNames> {
  const names = await unitNames(db, unitIds);
  return (unitId) => (unitId ? names.get(unitId) : undefined) ?? '工会';
}

/** A case of this worker as the worker sees it, with its timeline; null when it is not theirs or does not exist. */
export async function readWorkerCase(db: Db, workerId: string, caseId: string) {
  const snapshot = await workerCaseWithTimeline(db, workerId, caseId);
  if (!snapshot) {
    return null;
  }
  const unitName = await namesFor(db, unitIdsOfCase(snapshot.row, snapshot.events));
  return workerCaseView(snapshot.row, snapshot.events, unitName);
}

const caseUnitIds = (rows: readonly AssistanceCase[]) =>
  rows.flatMap((row) => [row.holder_unit_id, row.assignee_unit_id, row.opened_unit_id]);

type ListRequest = FastifyRequest<{ Querystring: { limit: number; cursor?: string } }>;

/**
 * The signed-in worker's own data: who they are (GET /portal/me), their cases with progress (GET /portal/cases,
 * GET /portal/cases/:id) and their assistance records (GET /portal/records: every case with every payment made
 * on it, reversed ones marked). Every read is audited. A case id that is not the worker's answers 404 exactly as
 * one that does not exist.
 */
export async function portalCaseRoutes(app: FastifyInstance, { db }: PortalDeps) {
  app.get(
    '/portal/me',
    { config: { worker: true, audit: 'read' }, schema: { tags: ['portal'], summary: '当前登录的职工' } },
    async (request) => {
      const worker = workerOf(request);
      request.audit = { action: 'portal.me.read', targetType: 'worker', targetId: worker.id };
      const row = await db
        .selectFrom('worker as w')
        .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
        .select(['w.id', 'w.name', 'w.phone_masked', 'w.unit_id', 'w.hardship_status', 'o.name as unit_name'])
        .where('w.id', '=', worker.id)
        .executeTakeFirstOrThrow();
      return meView(row);
    },
  );

  app.get(
    '/portal/cases',
    {
      config: { worker: true, audit: 'read' },
      schema: {
        tags: ['portal'],
        summary: '我的帮扶工单（含工作人员为我建立的）',
        querystring: Type.Object(ListQuery),
      },
    },
    async (request: ListRequest) => {
      const worker = workerOf(request);
      request.audit = { action: 'portal.case.list', targetType: 'worker', targetId: worker.id };
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['instant', 'uuid']) as [string, string] | null;
      const rows = await workerCases(db, worker.id, limit, after);
      const unitName = await namesFor(db, caseUnitIds(rows));
      const now = Date.now();
      return toPage(
        rows,
        limit,
        (row) => [row.opened_at.toISOString(), row.id],
        (row) => workerCaseSummary(row, unitName, now),
      );
    },
  );

  app.get(
    '/portal/cases/:id',
    {
      config: { worker: true, audit: 'read' },
      schema: {
        tags: ['portal'],
        summary: '工单进度详情：当前步骤、办理单位、预计完成日期、办理经过',
        params: IdParams,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const worker = workerOf(request);
      request.audit = { action: 'portal.case.read', targetType: 'case', targetId: request.params.id };
      const view = await readWorkerCase(db, worker.id, request.params.id);
      if (!view) {
        throw CASE_NOT_FOUND();
      }
      return view;
    },
  );

  app.get(
    '/portal/records',
    {
      config: { worker: true, audit: 'read' },
      schema: {
        tags: ['portal'],
        summary: '我的帮扶记录：每件工单及其每笔发放',
        querystring: Type.Object(ListQuery),
      },
    },
    async (request: ListRequest) => {
      const worker = workerOf(request);
      request.audit = { action: 'portal.records.read', targetType: 'worker', targetId: worker.id };
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['instant', 'uuid']) as [string, string] | null;
      const rows = await workerCases(db, worker.id, limit, after);
      const pageRows = rows.slice(0, limit);
      const [unitName, payments, totals] = await Promise.all([
        namesFor(db, caseUnitIds(pageRows)),
        paymentsOfCases(
          db,
          worker.id,
          pageRows.map((row) => row.id),
        ),
        recordTotals(db, worker.id),
      ]);
      const now = Date.now();
      const page = toPage(
        rows,
        limit,
        (row) => [row.opened_at.toISOString(), row.id],
        (row) => {
          const own = payments.filter((payment) => payment.case_id === row.id);
          return {
            ...workerCaseSummary(row, unitName, now),
            payments: own.map(workerPaymentView),
            receivedFen: own.filter((p) => p.reversed_at === null).reduce((sum, p) => sum + p.amount_fen, 0),
          };
        },
      );
      return { ...page, totals };
    },
  );
}
