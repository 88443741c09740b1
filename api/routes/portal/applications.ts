import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { currentPolicy } from '../../../activities/time-limits.js';
import {
  openCaseOfCategory,
  recentSelfApplications,
  selfApplicationCount,
} from '../../../db/repositories/portal.repository.js';
import type { CaseOpening } from '../../../workflows/case-lifecycle/case-lifecycle.state.js';
import { CASE_ROLES, CATEGORIES, CATEGORY_LABELS, URGENCIES } from '../../../workflows/shared/case-vocabulary.js';
import { selfAndAncestorIds, type UnitRef } from '../../../workflows/shared/org-path.js';
import { ApiError, conflict } from '../../errors.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { workerOf } from '../../plugins/worker-auth.js';
import { NO_NUL, errorResponses, strictObject } from '../../schemas.js';
import { startCase } from '../cases/open-case.js';
import { readWorkerCase } from './cases.js';
import type { PortalDeps } from './deps.js';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const DESCRIPTION_MAX_LENGTH = 2000;

const ApplicationBody = strictObject({
  category: literals(CATEGORIES),
  description: Type.String({ minLength: 1, maxLength: DESCRIPTION_MAX_LENGTH, pattern: NO_NUL }),
  urgency: Type.Optional(literals(URGENCIES)),
});

/**
 * The unit that receives a self-application: the worker's own union when someone there handles cases, otherwise
 * the nearest unit above it that has such staff, so that an application never waits at a union nobody reads.
 * With no staffed unit on the way up at all, the worker's own union. `lineage` is `[own, parent, ..., city]`.
 */
export function receivingUnitId(lineage: readonly string[], staffed: ReadonlySet<string>): string {
  const own = lineage[0];
  if (own === undefined) {
    throw new Error('A worker always belongs to a union');
  }
  return lineage.find((unitId) => staffed.has(unitId)) ?? own;
}

/** The id and path of an ancestor (or the unit itself) from a unit's materialised path. */
export function ancestorRef(unitPath: string, unitId: string): UnitRef {
  const at = unitPath.indexOf(`/${unitId}/`);
  if (at < 0) {
    throw new Error(`Unit ${unitId} is not on the path ${unitPath}`);
  }
  return { id: unitId, path: unitPath.slice(0, at + unitId.length + 2) };
}

/**
 * Self-application (自主申报), POST /portal/applications `{ category, description, urgency? }`: opens an assistance
 * case with source `self_application` at the worker's union (see `receivingUnitId`), which holds its first step,
 * and answers 201 with the case as the worker sees it.
 *
 * Refused with 409 APPLICATION_ALREADY_OPEN (`details.openCaseId`) while the worker has an open case of the same
 * category, 409 APPLICATION_IN_PROGRESS while another application of theirs is being opened, and 429
 * TOO_MANY_APPLICATIONS beyond PORTAL_APPLICATIONS_PER_DAY in 24 hours. The checks and the start run under a
 * per-worker database lock, and the case id is derived from the worker, the category and how many
 * self-applications of that category came before: a double submission opens one case, from any number of API
 * replicas, with or without an Idempotency-Key.
 *
 * Known limit: a worker cannot withdraw their own application in the portal; the union's staff withdraw it.
 */
export async function portalApplicationRoutes(app: FastifyInstance, { db, temporal, config }: PortalDeps) {
  const perDay = config.portal.applicationsPerDay;

  app.post(
    '/portal/applications',
    {
      config: { worker: true },
      schema: {
        tags: ['portal'],
        summary: '职工自主申报帮扶',
        body: ApplicationBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof ApplicationBody> }>, reply) => {
      const worker = workerOf(request);
      const { category, urgency = 'normal' } = request.body;
      request.audit = { action: 'portal.application.submit', targetType: 'case', details: { category, urgency } };
      const description = request.body.description.trim();
      if (description.length === 0) {
        throw new ApiError(400, 'VALIDATION_FAILED', '请求参数有误：description：不能只有空白，请写明遇到的困难', [
          { field: 'description', reason: '不能只有空白' },
        ]);
      }

      const caseId = await db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(hashtextextended(${`portal-application:${worker.id}`}, 0)) as locked
        `.execute(trx);
        if (!rows[0]?.locked) {
          throw conflict('APPLICATION_IN_PROGRESS', '您的上一份申请正在提交，请稍候在“我的工单”中查看，无需重复提交');
        }
        const open = await openCaseOfCategory(trx, worker.id, category);
        if (open) {
          throw conflict(
            'APPLICATION_ALREADY_OPEN',
            `您已有一件${CATEGORY_LABELS[category]}工单（编号 ${open.number}）正在办理，无需重复申请，可在“我的工单”中查看进度`,
            { openCaseId: open.id },
          );
        }
        const recent = await recentSelfApplications(trx, worker.id);
        if (recent.count >= perDay) {
          const wait = Math.max(1, Math.ceil(24 * 3600 - recent.oldestAgoSeconds));
          reply.header('retry-after', String(wait));
          throw new ApiError(
            429,
            'TOO_MANY_APPLICATIONS',
            `24 小时内最多提交 ${perDay} 次帮扶申请，请在约 ${Math.ceil(wait / 3600)} 小时后再试；如情况紧急，请直接联系所在工会`,
            { retryAfterSeconds: wait },
          );
        }
        const id = uuidFromKey(
          `self-application:${worker.id}`,
          `${category}:${(await selfApplicationCount(trx, worker.id, category)) + 1}`,
        );
        const opening: CaseOpening = {
          caseId: id,
          workerId: worker.id,
          workerUnit: { id: worker.unitId, path: worker.unitPath },
          category,
          urgency,
          source: 'self_application',
          summary: description,
          openedBy: { userId: null, role: 'worker', unit: await receivingUnit(trx, worker.unitPath) },
          policyVersion: (await currentPolicy(trx, category, urgency)).version,
        };
        // Started inside the lock on purpose: a second submission meanwhile is refused, and one after it finds
        // this case open. The lock costs one pooled connection per worker while a case starts, never more.
        await startCase({ temporal, config }, opening);
        return id;
      });

      request.audit.targetId = caseId;
      const view = await readWorkerCase(db, worker.id, caseId);
      if (!view) {
        throw new Error(`Case ${caseId} was opened but is not in the read model`);
      }
      request.log.info({ caseId, workerId: worker.id, category }, 'Self-application opened a case');
      return reply.status(201).send(view);
    },
  );

  async function receivingUnit(trx: typeof db, workerUnitPath: string): Promise<UnitRef> {
    const lineage = selfAndAncestorIds(workerUnitPath);
    const staffed = await trx
      .selectFrom('app_user')
      .select('unit_id')
      .distinct()
      .where('unit_id', 'in', lineage)
      .where('role', 'in', [...CASE_ROLES])
      .where('disabled_at', 'is', null)
      .execute();
    return ancestorRef(workerUnitPath, receivingUnitId(lineage, new Set(staffed.map((row) => row.unit_id))));
  }
}
