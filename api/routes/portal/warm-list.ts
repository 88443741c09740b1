import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { helpTimeline, helpYears } from '../../../db/repositories/portal.repository.js';
import { ApiError } from '../../errors.js';
import { workerOf } from '../../plugins/worker-auth.js';
import { decodeCursor, toPage } from '../../pagination.js';
import { ListQuery } from '../../schemas.js';
import type { PortalDeps } from './deps.js';
import { helpItemView } from './views.js';

/**
 * The warm-heart list (暖心清单), GET /portal/warm-list: all help the worker received in one timeline, newest
 * first: the union's payments from the ledger (a reversed payment is left out) and the help other departments
 * reported in their feeds (`department_help` rows matched to the worker). `years` totals every year in fen for
 * cash and by count for help in kind, over the whole list whatever the page.
 */
export async function portalWarmListRoutes(app: FastifyInstance, { db }: PortalDeps) {
  app.get(
    '/portal/warm-list',
    {
      config: { worker: true, audit: 'read' },
      schema: {
        tags: ['portal'],
        summary: '暖心清单：工会与各部门给予我的全部帮扶，按年合计',
        querystring: Type.Object(ListQuery),
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit: number; cursor?: string } }>) => {
      const worker = workerOf(request);
      request.audit = { action: 'portal.warm_list.read', targetType: 'worker', targetId: worker.id };
      const { limit } = request.query;
      const after = decodeCursor(request.query.cursor, ['text', 'uuid']) as [string, string] | null;
      if (after && !/^\d{4}-\d{2}-\d{2}$/.test(after[0])) {
        throw new ApiError(400, 'CURSOR_INVALID', 'cursor：无效的翻页游标', [{ field: 'cursor', reason: '无效' }]);
      }
      const [rows, years] = await Promise.all([helpTimeline(db, worker.id, limit, after), helpYears(db, worker.id)]);
      return {
        ...toPage(rows, limit, (row) => [row.day, row.id], helpItemView),
        years,
      };
    },
  );
}
