import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { RULES, RULES_BY_CODE, checkThresholds } from '../../../activities/perception/rule-catalogue.js';
import { currentSetting } from '../../../activities/perception/scan.activities.js';
import { ruleRecords } from '../../../db/repositories/perception.repository.js';
import type { PerceptionRuleVersion } from '../../../db/tables/perception.table.js';
import { CALENDAR_KINDS } from '../../../workflows/shared/case-vocabulary.js';
import { parseDuration } from '../../../workflows/shared/duration.js';
import type { AppDeps } from '../../app.js';
import { ApiError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { uuidFromKey } from '../../plugins/idempotency.js';
import { IdParams, Text, Uuid, errorResponses, strictObject } from '../../schemas.js';
import type { Staff } from '../../staff.js';
import { recordView, ruleView, scanView, settingView, versionView } from './views.js';
import { startScan } from './start-scan.js';

const RuleBody = strictObject({
  thresholds: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 20 }),
  weight: Type.Integer({ minimum: -100, maximum: 100 }),
  enabled: Type.Optional(Type.Boolean()),
  note: Type.Optional(Text(500)),
});
const VersionParams = Type.Object({ id: Uuid, version: Type.Integer({ minimum: 1, maximum: 100_000 }) });
const SettingBody = strictObject({
  line: Type.Integer({ minimum: 1, maximum: 1000 }),
  margin: Type.Integer({ minimum: 0, maximum: 999 }),
  suppressDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  reviewLimit: strictObject({
    duration: Type.String({ minLength: 2, maxLength: 30 }),
    calendar: Type.Union(CALENDAR_KINDS.map((k) => Type.Literal(k))),
  }),
});

const READERS = ['admin', 'supervisor'] as const;

/** Rules and scoring are set city-wide, by the city federation's admins. */
function requireCityAdmin(request: FastifyRequest): Staff {
  const staff = requireRole(request, ['admin']);
  if (staff.unitLevel !== 'city') {
    throw forbidden('ROLE_NOT_ALLOWED', '只有市总工会管理员可以修改感知规则与计分设置');
  }
  return staff;
}

/**
 * Perception rule models (GET /rules, PUT /rules/:id), their dry runs and publication, and the scoring settings.
 * A change to a rule is a new draft version; a dry run shows, per unit, which workers it would add or drop; only
 * publishing (a separate, audited act of a city admin, after a completed dry run of that version) puts it to work.
 * Every rule is listed beside its record of confirmed versus dismissed leads.
 */
export async function ruleRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  async function loadRule(ruleId: string) {
    const rule = await db.selectFrom('perception_rule').selectAll().where('id', '=', ruleId).executeTakeFirst();
    if (!rule || !RULES_BY_CODE.has(rule.code)) {
      throw notFound('RULE_NOT_FOUND', '没有这条感知规则');
    }
    return rule;
  }

  const versionsOf = (ruleIds: string[]) =>
    db
      .selectFrom('perception_rule_version')
      .selectAll()
      .where('rule_id', 'in', ruleIds)
      .orderBy('version', 'desc')
      .execute();

  async function ruleDetail(ruleId: string) {
    const rule = await loadRule(ruleId);
    const versions = await versionsOf([rule.id]);
    const [records, byVersion, dryRuns] = await Promise.all([
      ruleRecords(db, false),
      ruleRecords(db, true),
      db
        .selectFrom('perception_scan')
        .selectAll()
        .where('kind', '=', 'dry_run')
        .where(
          'candidate_version_id',
          'in',
          versions.map((v) => v.id),
        )
        .orderBy('started_at', 'desc')
        .execute(),
    ]);
    return {
      ...ruleView(
        rule,
        versions,
        records.find((r) => r.rule_id === rule.id),
      ),
      versions: versions.map((v) => {
        const latestDryRun = dryRuns.find((d) => d.candidate_version_id === v.id);
        return {
          ...versionView(v),
          record: recordView(byVersion.find((r) => r.rule_version_id === v.id)),
          latestDryRun: latestDryRun
            ? {
                scanId: latestDryRun.id,
                status: latestDryRun.status,
                added: latestDryRun.dry_added,
                dropped: latestDryRun.dry_dropped,
                finishedAt: scanView(latestDryRun).finishedAt,
              }
            : null,
        };
      }),
    };
  }

  app.get('/rules', { schema: { tags: ['perception'], summary: '感知规则模型及其确认/排除记录' } }, async (request) => {
    requireRole(request, READERS);
    const rules = await db.selectFrom('perception_rule').selectAll().execute();
    const versions = await versionsOf(rules.map((r) => r.id));
    const records = await ruleRecords(db, false);
    const order = new Map(RULES.map((r, i) => [r.code, i]));
    const items = rules
      .filter((rule) => RULES_BY_CODE.has(rule.code))
      .sort((a, b) => order.get(a.code)! - order.get(b.code)!)
      .map((rule) =>
        ruleView(
          rule,
          versions.filter((v) => v.rule_id === rule.id),
          records.find((r) => r.rule_id === rule.id),
        ),
      );
    return { items, nextCursor: null };
  });

  app.get(
    '/rules/:id',
    { schema: { tags: ['perception'], summary: '一条感知规则：全部版本、各版本记录与试运行', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      requireRole(request, READERS);
      return ruleDetail(request.params.id);
    },
  );

  app.put(
    '/rules/:id',
    {
      schema: {
        tags: ['perception'],
        summary: '修改感知规则：生成新的草稿版本（须试运行并发布后才生效）',
        params: IdParams,
        body: RuleBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Static<typeof RuleBody> }>) => {
      const staff = requireCityAdmin(request);
      const rule = await loadRule(request.params.id);
      const definition = RULES_BY_CODE.get(rule.code)!;
      const problems = checkThresholds(definition, request.body.thresholds);
      if (problems.length > 0) {
        throw new ApiError(
          422,
          'RULE_THRESHOLDS_INVALID',
          `阈值有误：${problems.map((p) => `${p.field}：${p.reason}`).join('；')}`,
          problems,
        );
      }
      const thresholds = Object.fromEntries(
        definition.thresholds.map((spec) => [spec.key, request.body.thresholds[spec.key] as number]),
      );
      const created = await db.transaction().execute(async (trx) => {
        // Serialises concurrent edits of one rule, so each gets its own version number.
        await sql`select id from perception_rule where id = ${rule.id}::uuid for update`.execute(trx);
        const last = await trx
          .selectFrom('perception_rule_version')
          .select((eb) => eb.fn.max('version').as('version'))
          .where('rule_id', '=', rule.id)
          .executeTakeFirst();
        return trx
          .insertInto('perception_rule_version')
          .values({
            rule_id: rule.id,
            version: Number(last?.version ?? 0) + 1,
            thresholds: JSON.stringify(thresholds),
            weight: request.body.weight,
            enabled: request.body.enabled ?? true,
            status: 'draft',
            note: request.body.note?.trim() ?? null,
            created_by: staff.id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      request.audit = {
        action: 'rule.draft',
        targetType: 'perception_rule',
        targetId: rule.id,
        details: { version: created.version, weight: created.weight, thresholds },
      };
      return ruleDetail(rule.id);
    },
  );

  async function loadVersion(params: { id: string; version: number }): Promise<PerceptionRuleVersion> {
    await loadRule(params.id);
    const version = await db
      .selectFrom('perception_rule_version')
      .selectAll()
      .where('rule_id', '=', params.id)
      .where('version', '=', params.version)
      .executeTakeFirst();
    if (!version) {
      throw notFound('RULE_VERSION_NOT_FOUND', `这条规则没有第 ${params.version} 版`);
    }
    return version;
  }

  app.post(
    '/rules/:id/versions/:version/dry-run',
    {
      schema: {
        tags: ['perception'],
        summary: '试运行规则的草稿版本：按单位列出将新增或移除的职工，不生成线索',
        params: VersionParams,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string; version: number } }>, reply) => {
      const staff = requireCityAdmin(request);
      const version = await loadVersion(request.params);
      if (version.status !== 'draft') {
        throw conflict(
          'RULE_VERSION_NOT_DRAFT',
          `第 ${version.version} 版已${version.status === 'published' ? '发布' : '被替代'}，只能试运行草稿版本`,
        );
      }
      const scanId = request.idempotency ? uuidFromKey(`dry-run:${staff.id}`, request.idempotency.key) : randomUUID();
      await startScan(deps, {
        scanId,
        kind: 'dry_run',
        trigger: 'manual',
        requestedByUserId: staff.id,
        candidateVersionId: version.id,
        chunkSize: deps.config.perceptionScanChunkSize,
      });
      request.audit = {
        action: 'rule.dry_run',
        targetType: 'perception_rule',
        targetId: version.rule_id,
        details: { version: version.version, scanId },
      };
      const scan = await db
        .selectFrom('perception_scan')
        .selectAll()
        .where('id', '=', scanId)
        .executeTakeFirstOrThrow();
      return reply.status(202).send(scanView(scan));
    },
  );

  app.post(
    '/rules/:id/versions/:version/publish',
    {
      schema: {
        tags: ['perception'],
        summary: '发布规则的草稿版本（须先完成试运行）；此后的扫描按新版本计分',
        params: VersionParams,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string; version: number } }>) => {
      const staff = requireCityAdmin(request);
      const version = await loadVersion(request.params);
      const published = await db.transaction().execute(async (trx) => {
        await sql`select id from perception_rule where id = ${version.rule_id}::uuid for update`.execute(trx);
        const current = await trx
          .selectFrom('perception_rule_version')
          .selectAll()
          .where('id', '=', version.id)
          .executeTakeFirstOrThrow();
        if (current.status !== 'draft') {
          throw conflict('RULE_VERSION_NOT_DRAFT', `第 ${current.version} 版不是草稿，不能发布`);
        }
        const dryRun = await trx
          .selectFrom('perception_scan')
          .select(['id', 'status'])
          .where('candidate_version_id', '=', current.id)
          .where('status', '=', 'completed')
          .executeTakeFirst();
        if (!dryRun) {
          throw conflict('DRY_RUN_REQUIRED', '发布前须先完成对该版本的试运行，查看将新增或移除的职工');
        }
        const previous = await trx
          .updateTable('perception_rule_version')
          .set({ status: 'superseded', updated_at: sql`now()` })
          .where('rule_id', '=', current.rule_id)
          .where('status', '=', 'published')
          .returning('version')
          .executeTakeFirst();
        await trx
          .updateTable('perception_rule_version')
          .set({ status: 'published', published_by: staff.id, published_at: sql`now()`, updated_at: sql`now()` })
          .where('id', '=', current.id)
          .execute();
        return { previousVersion: previous?.version ?? null, dryRunScanId: dryRun.id };
      });
      request.audit = {
        action: 'rule.publish',
        targetType: 'perception_rule',
        targetId: version.rule_id,
        details: { version: version.version, versionId: version.id, ...published },
      };
      return ruleDetail(version.rule_id);
    },
  );

  app.get(
    '/perception/settings',
    { schema: { tags: ['perception'], summary: '感知计分设置：预警线、临界区间、抑制天数、审核时限' } },
    async (request) => {
      requireRole(request, READERS);
      return settingView(await currentSetting(db));
    },
  );

  app.put(
    '/perception/settings',
    {
      schema: {
        tags: ['perception'],
        summary: '修改感知计分设置（生成新版本，此后的扫描生效）',
        body: SettingBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof SettingBody> }>) => {
      const staff = requireCityAdmin(request);
      const body = request.body;
      if (body.margin >= body.line) {
        throw invalid('margin', `临界区间须小于预警线 ${body.line}`, 'SETTING_INVALID');
      }
      if (parseDuration(body.reviewLimit.duration) === null) {
        throw invalid('reviewLimit.duration', '须为 ISO-8601 时长，如 P5D、PT4H', 'SETTING_INVALID');
      }
      const created = await db.transaction().execute(async (trx) => {
        await sql`lock table perception_setting in share row exclusive mode`.execute(trx);
        const last = await currentSetting(trx);
        return trx
          .insertInto('perception_setting')
          .values({
            version: last.version + 1,
            line: body.line,
            margin: body.margin,
            suppress_days: body.suppressDays,
            review_limit: body.reviewLimit.duration,
            review_calendar: body.reviewLimit.calendar,
            created_by: staff.id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      request.audit = {
        action: 'perception.settings',
        targetType: 'perception_setting',
        targetId: String(created.version),
      };
      return settingView(created);
    },
  );
}
