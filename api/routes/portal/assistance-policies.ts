import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { AssistancePolicy } from '../../../db/tables/portal.table.js';
import { shanghaiDate } from '../../../workflows/shared/working-time.js';
import { ApiError, conflict, forbidden, notFound, type FieldProblem } from '../../errors.js';
import { staffOf } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, Text, errorResponses, strictObject } from '../../schemas.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';
import type { PortalDeps } from './deps.js';
import { checkConditions, unitIdsOf, type PolicyCondition } from './eligibility.js';
import { isCalendarDate } from './policies.js';

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const CONDITIONS_HELP =
  '全部条件同时满足才符合；每个条件为 { kind, ... }：hardship_status { in: [none|borderline|registered] }、' +
  'age { min?, max? }、gender { is }、case { category?, status: open|closed|any }、feed { feedKind, withinDays? }、' +
  'department_help { department?, withinDays? }、within_unit { unitIds }、any { of: [以上条件] }';

const PolicyBody = strictObject({
  code: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{2,63}$', description: '稳定的政策代码，小写字母、数字与连字符' }),
  title: Text(100),
  summary: Text(2000),
  contact: Text(200),
  conditions: Type.Array(Type.Unknown(), { maxItems: 20, description: CONDITIONS_HELP }),
  validFrom: DateString,
  validTo: Type.Optional(Type.Union([DateString, Type.Null()])),
  active: Type.Optional(Type.Boolean()),
});
type PolicyInput = Static<typeof PolicyBody>;

/** Assistance policies are set city-wide, by the city federation's admins. */
function requireCityAdmin(staff: Staff): void {
  if (staff.role !== 'admin' || staff.unitLevel !== 'city') {
    throw forbidden('ROLE_NOT_ALLOWED', '只有市总工会管理员可以维护帮扶政策');
  }
}

export function staffPolicyView(row: AssistancePolicy, today = shanghaiDate(Date.now())) {
  return {
    id: row.id,
    code: row.code,
    title: row.title,
    summary: row.summary,
    conditions: row.conditions,
    contact: row.contact,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    active: row.active,
    inForce: row.active && row.valid_from <= today && (row.valid_to === null || row.valid_to >= today),
    revision: row.revision,
    createdAt: toShanghaiIso(row.created_at),
    updatedAt: toShanghaiIso(row.updated_at),
  };
}

/** Every problem with a policy body that the schema cannot see: dates, conditions, the units conditions name. */
async function policyProblems(db: Db, body: PolicyInput): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (!isCalendarDate(body.validFrom)) {
    problems.push({ field: 'validFrom', reason: '不是有效日期' });
  }
  if (body.validTo && !isCalendarDate(body.validTo)) {
    problems.push({ field: 'validTo', reason: '不是有效日期' });
  } else if (body.validTo && body.validTo < body.validFrom) {
    problems.push({ field: 'validTo', reason: '不能早于 validFrom' });
  }
  const conditionProblems = checkConditions(body.conditions);
  problems.push(...conditionProblems);
  if (conditionProblems.length === 0) {
    const unitIds = unitIdsOf(body.conditions as PolicyCondition[]);
    const found = unitIds.length
      ? await db.selectFrom('org_unit').select('id').where('id', 'in', unitIds).execute()
      : [];
    const known = new Set(found.map((row) => row.id));
    for (const missing of unitIds.filter((id) => !known.has(id))) {
      problems.push({ field: 'conditions', reason: `单位 ${missing} 不存在` });
    }
  }
  return problems;
}

const policyValues = (body: PolicyInput) => ({
  code: body.code,
  title: body.title.trim(),
  summary: body.summary.trim(),
  contact: body.contact.trim(),
  conditions: JSON.stringify(body.conditions),
  valid_from: body.validFrom,
  valid_to: body.validTo ?? null,
  active: body.active ?? true,
});

/**
 * Staff management of the portal's policy list: any staff member reads (GET /policies/assistance,
 * GET /policies/assistance/:id); the city's admins create (POST) and replace (PUT /policies/assistance/:id).
 * Conditions are checked field by field (422 POLICY_INVALID with `details`); a code already taken answers 409
 * POLICY_CODE_TAKEN. Each replacement raises `revision`. Changes apply to the next portal read.
 *
 * Known limit: only the city's admins manage policies; a district cannot keep its own without the city, and two
 * admins replacing one policy at once are not told of each other (the later one wins).
 */
export async function assistancePolicyRoutes(app: FastifyInstance, { db }: PortalDeps) {
  const refuseInvalid = async (body: PolicyInput) => {
    const problems = await policyProblems(db, body);
    if (problems.length > 0) {
      throw new ApiError(
        422,
        'POLICY_INVALID',
        `政策内容有误：${problems[0]!.field}：${problems[0]!.reason}`,
        problems,
      );
    }
  };
  const isCodeTaken = (error: unknown) =>
    (error as { code?: string; constraint?: string }).code === '23505' &&
    (error as { constraint?: string }).constraint === 'assistance_policy_code_key';

  app.get(
    '/policies/assistance',
    {
      schema: {
        tags: ['policies'],
        summary: '帮扶政策清单（职工端政策清单的来源）',
        querystring: Type.Object({ ...ListQuery, inForce: Type.Optional(Type.Boolean()) }),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string; inForce?: boolean } }>) => {
      staffOf(request);
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['text']);
      const today = shanghaiDate(Date.now());
      let query = db
        .selectFrom('assistance_policy')
        .selectAll()
        .orderBy('code')
        .limit(limit + 1);
      if (after) {
        query = query.where('code', '>', String(after[0]));
      }
      if (request.query.inForce !== undefined) {
        const inForce = sql<boolean>`(active and valid_from <= ${today}::date and (valid_to is null or valid_to >= ${today}::date))`;
        query = query.where(request.query.inForce ? inForce : sql<boolean>`not ${inForce}`);
      }
      return toPage(
        await query.execute(),
        limit,
        (row) => [row.code],
        (row) => staffPolicyView(row, today),
      );
    },
  );

  app.get(
    '/policies/assistance/:id',
    { schema: { tags: ['policies'], summary: '帮扶政策详情', params: IdParams, response: errorResponses } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      staffOf(request);
      const row = await db
        .selectFrom('assistance_policy')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) {
        throw notFound('POLICY_NOT_FOUND', '帮扶政策不存在');
      }
      return staffPolicyView(row);
    },
  );

  app.post(
    '/policies/assistance',
    {
      schema: {
        tags: ['policies'],
        summary: '新增帮扶政策（市总管理员）',
        body: PolicyBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: PolicyInput }>, reply) => {
      const staff = staffOf(request);
      requireCityAdmin(staff);
      await refuseInvalid(request.body);
      const row = await db
        .insertInto('assistance_policy')
        .values({ ...policyValues(request.body), created_by: staff.id, updated_by: staff.id })
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          throw isCodeTaken(error) ? conflict('POLICY_CODE_TAKEN', `政策代码 ${request.body.code} 已被使用`) : error;
        });
      request.audit = { action: 'policy.assistance.create', targetType: 'assistance_policy', targetId: row.id };
      return reply.status(201).send(staffPolicyView(row));
    },
  );

  app.put(
    '/policies/assistance/:id',
    {
      schema: {
        tags: ['policies'],
        summary: '修改帮扶政策（市总管理员）；职工端下次查看即生效',
        params: IdParams,
        body: PolicyBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: PolicyInput }>) => {
      const staff = staffOf(request);
      requireCityAdmin(staff);
      request.audit = {
        action: 'policy.assistance.update',
        targetType: 'assistance_policy',
        targetId: request.params.id,
      };
      await refuseInvalid(request.body);
      const row = await db
        .updateTable('assistance_policy')
        .set({
          ...policyValues(request.body),
          revision: sql`revision + 1`,
          updated_by: staff.id,
          updated_at: sql`now()`,
        })
        .where('id', '=', request.params.id)
        .returningAll()
        .executeTakeFirst()
        .catch((error: unknown) => {
          throw isCodeTaken(error) ? conflict('POLICY_CODE_TAKEN', `政策代码 ${request.body.code} 已被使用`) : error;
        });
      if (!row) {
        throw notFound('POLICY_NOT_FOUND', '帮扶政策不存在');
      }
      return staffPolicyView(row);
    },
  );
}
