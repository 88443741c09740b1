import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findBatch } from '../../../db/repositories/feed.repository.js';
import { FEED_KINDS } from '../../../db/tables/feed.table.js';
import type { AppDeps } from '../../app.js';
import { ApiError, forbidden, notFound } from '../../errors.js';
import { requireRole } from '../../plugins/auth.js';
import { IdParams, errorResponses } from '../../schemas.js';
import type { Staff } from '../../staff.js';
import { toShanghaiIso } from '../../time.js';
import { FEED_SCHEMAS, columnsOf, isFeedKind } from './feed-schemas.js';
import { batchResult, importFeedBatch, type FeedEncoding, type FeedFormat } from './importer.js';

const MEDIA_TYPES: Record<string, FeedFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'text/csv': 'csv',
};

const CHARSETS: Record<string, FeedEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gbk: 'gbk',
  gb2312: 'gbk',
  gb18030: 'gb18030',
};

/** Department data is city-wide: admins of the city and of a district upload it. */
function requireFeedAdmin(request: FastifyRequest): Staff {
  const staff = requireRole(request, ['admin']);
  if (staff.unitLevel !== 'city' && staff.unitLevel !== 'district') {
    throw forbidden('ROLE_NOT_ALLOWED', '只有市总工会和区县（市）总工会的管理员可以上传部门数据');
  }
  return staff;
}

function formatOf(contentType: string | undefined): { format: FeedFormat; encoding: FeedEncoding } {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  const format = MEDIA_TYPES[mediaType];
  if (!format) {
    throw new ApiError(
      415,
      'FEED_CONTENT_TYPE_UNSUPPORTED',
      '部门数据须以 application/x-ndjson（每行一个 JSON 对象）或 text/csv 上传',
    );
  }
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  const encoding = charset === undefined ? 'utf-8' : CHARSETS[charset];
  if (!encoding || (format === 'ndjson' && encoding !== 'utf-8')) {
    throw new ApiError(
      415,
      'FEED_CHARSET_UNSUPPORTED',
      format === 'ndjson'
        ? 'NDJSON 须为 UTF-8 编码'
        : `不支持的字符集 ${charset ?? ''}；CSV 可为 UTF-8 或 GBK（charset=gbk）、GB18030`,
    );
  }
  return { format, encoding };
}

/**
 * Department feeds (部门数据): the schema of each kind, batch upload as NDJSON or CSV, and a stored batch's
 * answer. Uploads stream: the body reaches the importer unbuffered and is read against its own size limit
 * (FEED_BODY_LIMIT_BYTES, 413 FEED_TOO_LARGE), so memory stays flat; a batch is stored whole or not at all, and
 * the same content uploaded again stores nothing (it is idempotent by content, so an Idempotency-Key adds nothing).
 * Known limit: a batch stored by mistake cannot be withdrawn through the API; its rows stay until removed by hand.
 */
export async function feedRoutes(app: FastifyInstance, { db, config }: AppDeps) {
  // Encapsulated in this plugin: elsewhere these types stay unsupported.
  app.addContentTypeParser(Object.keys(MEDIA_TYPES), (_request, payload, done) => done(null, payload));

  app.get(
    '/feeds',
    { schema: { tags: ['perception'], summary: '部门数据种类及其字段' } },
    async (request: FastifyRequest) => {
      requireRole(request, ['admin', 'supervisor']);
      return {
        items: FEED_KINDS.map((kind) => {
          const schema = FEED_SCHEMAS[kind];
          return {
            kind,
            label: schema.label,
            amount: schema.amount,
            columns: columnsOf(schema),
            detail: schema.detail.map((f) => ({ key: f.key, label: f.label, required: f.required, ...f.spec })),
          };
        }),
      };
    },
  );

  app.post(
    '/feeds/:kind/batches',
    {
      schema: {
        tags: ['perception'],
        summary: '上传一批部门数据（NDJSON 或 CSV，逐行校验）',
        params: Type.Object({ kind: Type.String({ maxLength: 64 }) }),
        response: { ...errorResponses, 413: { $ref: 'ErrorBody#' }, 415: { $ref: 'ErrorBody#' } },
      },
    },
    async (request: FastifyRequest<{ Params: { kind: string } }>, reply) => {
      const staff = requireFeedAdmin(request);
      const kind = request.params.kind;
      request.audit = { action: 'feed.import', targetType: 'feed_kind', targetId: kind };
      if (!isFeedKind(kind)) {
        throw new ApiError(404, 'FEED_KIND_UNKNOWN', `没有这种部门数据：${kind}；可用的种类见 GET /feeds`, [
          { field: 'kind', reason: `须为 ${FEED_KINDS.join('、')} 之一` },
        ]);
      }
      const { format, encoding } = formatOf(request.headers['content-type']);
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > config.feedBodyLimitBytes) {
        throw new ApiError(
          413,
          'FEED_TOO_LARGE',
          `上传内容超过上限 ${Math.floor(config.feedBodyLimitBytes / 1024 / 1024)} MB，请拆分为多个批次上传`,
        );
      }
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
        throw new ApiError(400, 'FEED_EMPTY', '上传的文件中没有数据行');
      }
      let result;
      try {
        result = await importFeedBatch(db, {
          kind,
          format,
          encoding,
          body,
          limitBytes: config.feedBodyLimitBytes,
          uploadedBy: staff.id,
          lookupHashKey: config.lookupHashKey,
        });
      } catch (error) {
        if (error instanceof ApiError) {
          throw error;
        }
        if ((error as { code?: string }).code === 'ECONNRESET' || body.readableAborted) {
          throw new ApiError(400, 'FEED_BODY_INCOMPLETE', '上传中断，本批次未保存任何数据，请重新上传');
        }
        throw error;
      }
      request.audit = {
        action: 'feed.import',
        targetType: 'feed_batch',
        targetId: result.batchId,
        details: { kind, accepted: result.accepted, rejected: result.rejected, stored: result.stored },
      };
      return reply.status(result.duplicateBatch ? 200 : 201).send(result);
    },
  );

  app.get(
    '/feeds/batches/:id',
    { schema: { tags: ['perception'], summary: '一批部门数据的导入结果', params: IdParams } },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      requireFeedAdmin(request);
      const batch = await findBatch(db, request.params.id);
      if (!batch) {
        throw notFound('FEED_BATCH_NOT_FOUND', '没有这一批部门数据');
      }
      return { ...batchResult(batch, false), uploadedAt: toShanghaiIso(batch.uploaded_at) };
    },
  );
}
