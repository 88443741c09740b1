import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/database.js';
import { unitNames, workerFacts } from '../../../db/repositories/portal.repository.js';
import type { AssistancePolicy } from '../../../db/tables/portal.table.js';
import { shanghaiDate } from '../../../workflows/shared/working-time.js';
import { ApiError } from '../../errors.js';
import { workerOf } from '../../plugins/worker-auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { ListQuery } from '../../schemas.js';
import type { PortalDeps } from './deps.js';
import {
  checkConditions,
  eligibilityLabel,
  evaluatePolicy,
  unitIdsOf,
  type PolicyCondition,
  type PolicyEligibility,
  type WorkerFacts,
} from './eligibility.js';

/** Policies in force on a Shanghai date: active, and the date within their validity. */
export async function policiesInForce(db: Db, today: string): Promise<AssistancePolicy[]> {
  return db
    .selectFrom('assistance_policy')
    .selectAll()
    .where('active', '=', true)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
    .orderBy('code')
    .execute();
}

/** The conditions of a stored policy, or null when they no longer pass the checks (written around the API). */
export function storedConditions(policy: AssistancePolicy): PolicyCondition[] | null {
  return checkConditions(policy.conditions).length === 0 ? (policy.conditions as PolicyCondition[]) : null;
}

const rank = (eligible: PolicyEligibility['eligible']) => (eligible === true ? 0 : eligible === 'unknown' ? 1 : 2);

/**
 * The policy list (政策清单), GET /portal/policies: the policies in force today that the worker may qualify for,
 * each with `eligible` (true, or 'unknown' when department data that would decide it has not arrived) and the
 * reasons in Chinese. `all=true` adds those the worker does not qualify for, with why not. Qualifying policies
 * come first, then title order.
 *
 * Known limit: every policy in force is evaluated on each read, in memory: right for hundreds of policies, not
 * for many thousands.
 */
export async function portalPolicyRoutes(app: FastifyInstance, { db }: PortalDeps) {
  app.get(
    '/portal/policies',
    {
      config: { worker: true, audit: 'read' },
      schema: {
        tags: ['portal'],
        summary: '政策清单：我可能符合的帮扶政策及原因',
        querystring: Type.Object({ ...ListQuery, all: Type.Optional(Type.Boolean()) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; all?: boolean } }>) => {
      const worker = workerOf(request);
      request.audit = { action: 'portal.policies.read', targetType: 'worker', targetId: worker.id };
      const { limit } = request.query;
      const offset = Number(decodeCursor(request.query.cursor, ['number'])?.[0] ?? 0);
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new ApiError(400, 'CURSOR_INVALID', 'cursor：无效的翻页游标', [{ field: 'cursor', reason: '无效' }]);
      }
      const today = shanghaiDate(Date.now());
      const [policies, known] = await Promise.all([policiesInForce(db, today), workerFacts(db, worker.id)]);
      const facts: WorkerFacts = {
        today,
        hardshipStatus: known.worker.hardship_status,
        birthDate: known.worker.birth_date,
        gender: known.worker.gender,
        unitPath: known.worker.path,
        cases: known.cases,
        feeds: known.feeds.map((row) => ({ kind: row.kind, occurredOn: row.occurred_on, department: row.department })),
      };
      const usable = policies.flatMap((policy) => {
        const conditions = storedConditions(policy);
        if (!conditions) {
          request.log.warn({ policyId: policy.id }, 'Policy skipped: its stored conditions are not valid');
          return [];
        }
        return [{ policy, conditions }];
      });
      const names = await unitNames(db, [...new Set(usable.flatMap((p) => unitIdsOf(p.conditions)))]);
      const evaluated = usable
        .map(({ policy, conditions }) => ({
          policy,
          result: evaluatePolicy(conditions, facts, Object.fromEntries(names)),
        }))
        .filter(({ result }) => request.query.all === true || result.eligible !== false)
        .sort(
          (a, b) =>
            rank(a.result.eligible) - rank(b.result.eligible) ||
            a.policy.title.localeCompare(b.policy.title, 'zh-Hans-CN'),
        );
      const page = toPage(
        evaluated.slice(offset, offset + limit + 1),
        limit,
        () => [offset + limit],
        ({ policy, result }) => workerPolicyView(policy, result),
      );
      return { ...page, evaluatedOn: today };
    },
  );
}

function workerPolicyView(policy: AssistancePolicy, result: PolicyEligibility) {
  return {
    id: policy.id,
    code: policy.code,
    title: policy.title,
    summary: policy.summary,
    contact: policy.contact,
    validFrom: policy.valid_from,
    validTo: policy.valid_to,
    eligible: result.eligible,
    eligibleLabel: eligibilityLabel(result.eligible),
    reasons: result.reasons,
  };
}

/** A Shanghai date that is valid on the calendar (`2026-02-30` is not). */
export function isCalendarDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
}
