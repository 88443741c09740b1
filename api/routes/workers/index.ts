import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  checkIdNumber,
  encrypt,
  lookupHash,
  maskIdNumber,
  maskPhone,
  normaliseIdNumber,
  type IdNumberProblem,
} from '../../../db/personal-data.js';
import type { Worker } from '../../../db/tables/worker.table.js';
import { CASE_ROLES } from '../../../workflows/shared/case-vocabulary.js';
import { isWithin } from '../../../workflows/shared/org-path.js';
import type { AppDeps } from '../../app.js';
import { ApiError, invalid, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { IdParams, ListQuery, Text, Uuid, errorResponses, strictObject } from '../../schemas.js';
import { unitInScope, withinSubtree } from '../../scope.js';
import { toShanghaiIso } from '../../time.js';

const HARDSHIP = ['none', 'borderline', 'registered'] as const;

const NewWorkerBody = strictObject({
  name: Text(50),
  idNumber: Type.String({ minLength: 1, maxLength: 40 }),
  phone: Type.String({ minLength: 1, maxLength: 20 }),
  unitId: Uuid,
  hardshipStatus: Type.Union(HARDSHIP.map((s) => Type.Literal(s))),
  householdId: Type.Optional(Uuid),
});

const ID_PROBLEMS: Record<IdNumberProblem, string> = {
  length: '身份证号须为 18 位',
  characters: '身份证号前 17 位须为数字，最后一位为数字或 X',
  birth_date: '身份证号中的出生日期无效',
  check_digit: '身份证号校验位不正确，请核对',
};

type WorkerRow = Pick<
  Worker,
  | 'id'
  | 'household_id'
  | 'unit_id'
  | 'name'
  | 'id_number_masked'
  | 'phone_masked'
  | 'birth_date'
  | 'gender'
  | 'hardship_status'
  | 'created_at'
>;

const WORKER_COLUMNS = [
  'w.id',
  'w.household_id',
  'w.unit_id',
  'w.name',
  'w.id_number_masked',
  'w.phone_masked',
  'w.birth_date',
  'w.gender',
  'w.hardship_status',
  'w.created_at',
] as const;

/** A worker as answers show them: ID-card number and phone masked, never in full. */
export const workerView = (row: WorkerRow) => ({
  id: row.id,
  name: row.name,
  idNumber: row.id_number_masked,
  phone: row.phone_masked,
  unitId: row.unit_id,
  householdId: row.household_id,
  birthDate: row.birth_date,
  gender: row.gender,
  hardshipStatus: row.hardship_status,
  createdAt: toShanghaiIso(row.created_at),
});

/**
 * Union members (职工) and their households. Registration refuses a second worker with the same ID-card number and
 * points to the first; every read of personal data is audited.
 */
export async function workerRoutes(app: FastifyInstance, { db, config }: AppDeps) {
  app.post(
    '/workers',
    { schema: { tags: ['workers'], summary: '登记职工', body: NewWorkerBody, response: errorResponses } },
    async (request: FastifyRequest<{ Body: Static<typeof NewWorkerBody> }>, reply) => {
      const staff = requireRole(request, CASE_ROLES);
      const body = request.body;
      const idNumber = normaliseIdNumber(body.idNumber);
      const facts = checkIdNumber(idNumber);
      if (typeof facts === 'string') {
        throw invalid('idNumber', ID_PROBLEMS[facts], 'ID_NUMBER_INVALID');
      }
      const phone = body.phone.replace(/[\s-]/g, '');
      if (!/^1[3-9]\d{9}$/.test(phone)) {
        throw invalid('phone', '手机号须为 11 位数字', 'PHONE_INVALID');
      }
      const unit = await unitInScope(db, staff, body.unitId);
      const idHash = lookupHash(idNumber, config.lookupHashKey);

      const created = await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('worker as w')
          .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
          .select(['w.id', 'o.path'])
          .where('w.id_number_hash', '=', idHash)
          .executeTakeFirst();
        if (existing) {
          const visible = isWithin(existing.path, staff.unitPath);
          throw new ApiError(
            409,
            'WORKER_ALREADY_REGISTERED',
            visible ? '该身份证号的职工已登记，请勿重复登记' : '该身份证号的职工已在其他单位登记，请联系上级工会核实',
            visible ? { existingWorkerId: existing.id } : undefined,
          );
        }
        let householdId = body.householdId;
        if (householdId) {
          const household = await trx
            .selectFrom('household as h')
            .innerJoin('org_unit as o', 'o.id', 'h.unit_id')
            .select(['h.id', 'o.path'])
            .where('h.id', '=', householdId)
            .executeTakeFirst();
          if (!household || !isWithin(household.path, staff.unitPath)) {
            throw invalid('householdId', '家庭档案不存在或不在您的管辖范围内', 'HOUSEHOLD_NOT_FOUND');
          }
        } else {
          householdId = (
            await trx.insertInto('household').values({ unit_id: unit.id }).returning('id').executeTakeFirstOrThrow()
          ).id;
        }
        return trx
          .insertInto('worker')
          .values({
            household_id: householdId,
            unit_id: unit.id,
            name: body.name.trim(),
            id_number_enc: encrypt(idNumber, config.dataEncryptionKey),
            id_number_hash: idHash,
            id_number_masked: maskIdNumber(idNumber),
            phone_enc: encrypt(phone, config.dataEncryptionKey),
            phone_hash: lookupHash(phone, config.lookupHashKey),
            phone_masked: maskPhone(phone),
            birth_date: facts.birthDate,
            gender: facts.gender,
            hardship_status: body.hardshipStatus,
            created_by: staff.id,
          })
          .onConflict((oc) => oc.column('id_number_hash').doNothing())
          .returningAll()
          .executeTakeFirst();
      });
      if (!created) {
        throw new ApiError(409, 'WORKER_ALREADY_REGISTERED', '该身份证号的职工刚刚已被登记，请刷新后查看');
      }
      request.audit = { action: 'worker.create', targetType: 'worker', targetId: created.id };
      return reply.status(201).send(workerView(created));
    },
  );

  app.get(
    '/workers',
    {
      config: { audit: 'read' },
      schema: {
        tags: ['workers'],
        summary: '职工列表（本辖区）',
        querystring: Type.Object({
          ...ListQuery,
          unitId: Type.Optional(Uuid),
          hardshipStatus: Type.Optional(Type.Union(HARDSHIP.map((s) => Type.Literal(s)))),
          householdId: Type.Optional(Uuid),
        }),
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: { limit: number; cursor?: string; unitId?: string; hardshipStatus?: string; householdId?: string };
      }>,
    ) => {
      const staff = requireRole(request, CASE_ROLES);
      const q = request.query;
      const scopePath = q.unitId ? (await unitInScope(db, staff, q.unitId)).path : staff.unitPath;
      const after = decodeCursor(q.cursor, ['uuid']);
      let query = db
        .selectFrom('worker as w')
        .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
        .select(WORKER_COLUMNS)
        .where(({ ref }) => withinSubtree(ref('o.path'), scopePath))
        .orderBy('w.id')
        .limit(q.limit + 1);
      if (q.hardshipStatus) {
        query = query.where('w.hardship_status', '=', q.hardshipStatus as never);
      }
      if (q.householdId) {
        query = query.where('w.household_id', '=', q.householdId);
      }
      if (after) {
        query = query.where('w.id', '>', String(after[0]));
      }
      const page = toPage(await query.execute(), q.limit, (row) => [row.id], workerView);
      request.audit = { action: 'worker.list', targetType: 'worker', details: { count: page.items.length } };
      return page;
    },
  );

  app.get(
    '/workers/:id',
    { config: { audit: 'read' }, schema: { tags: ['workers'], summary: '职工详情', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const staff = requireRole(request, CASE_ROLES);
      request.audit = { action: 'worker.read', targetType: 'worker', targetId: request.params.id };
      const row = await db
        .selectFrom('worker as w')
        .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
        .select(WORKER_COLUMNS)
        .where('w.id', '=', request.params.id)
        .where(({ ref }) => withinSubtree(ref('o.path'), staff.unitPath))
        .executeTakeFirst();
      if (!row) {
        throw notFound('WORKER_NOT_FOUND', '职工不存在或不在您的管辖范围内');
      }
      return workerView(row);
    },
  );
}
