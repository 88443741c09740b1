import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { ApiConfig } from './config.js';
import { auditPlugin } from './plugins/audit.js';
import { authPlugin } from './plugins/auth.js';
import { errorHandlerPlugin } from './plugins/error-handler.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { workerAuthPlugin } from './plugins/worker-auth.js';
import { caseReportRoutes } from './routes/case-reports/index.js';
import { caseRoutes } from './routes/cases/index.js';
import { consoleRoutes } from './routes/console/index.js';
import { feedRoutes } from './routes/feeds/index.js';
import { fundRoutes } from './routes/funds/index.js';
import { perceptionRoutes } from './routes/perception/index.js';
import { platformRoutes } from './routes/platform/index.js';
import { policyRoutes } from './routes/policies/index.js';
import { portalRoutes } from './routes/portal/index.js';
import type { SmsSender } from './routes/portal/sms-sender.js';
import { stationRoutes } from './routes/stations/index.js';
import { trainingRoutes } from './routes/training/index.js';
import { workerRoutes } from './routes/workers/index.js';
import { ErrorBody } from './schemas.js';

export interface AppDeps {
  config: ApiConfig;
  db: Db;
  temporal: { client: Client; taskQueue: string };
  logger: Logger;
  /** Sends the portal's sign-in codes; by default written to the log outside production, refused in it. */
  smsSender?: SmsSender;
}

function validatorAjv(options: AjvOptions): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

/**
 * One log line per request, written when it is answered, instead of Fastify's two (about a sixth of a cheap
 * read's CPU). It names the route's pattern, not the URL: a query string may carry a position or a phone number.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  /** An unknown route is answered 404 and logged once, as `unmatched`, like any other request. */
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (error) {
      reply.log.error({ ...line, err: error }, 'request failed while answering');
    } else {
      reply.log.info(line, 'request answered');
    }
  }
}

/**
 * Builds the HTTP API without listening: plugins (auth, errors, idempotency, audit, rate limit, OpenAPI) and
 * every route module. Bodies are validated without coercion ("100" is not a number); query strings and path
 * parameters are coerced, since they only ever arrive as text.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: false } },
    logController: new OneLinePerRequest(),
  });

  const bodies = validatorAjv({ coerceTypes: false });
  const textParts = validatorAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : textParts).compile(schema as object),
  );
  app.addSchema(ErrorBody);
  // JSON only: a text/plain body is answered 415 rather than validated as a string.
  app.removeContentTypeParser('text/plain');

  await app.register(errorHandlerPlugin);
  await app.register(swagger, {
    openapi: {
      info: {
        title: '越温暖 Yue Warmth API',
        description: '工会帮扶工单、时限督办与困难职工服务接口。Staff authenticate with POST /auth/login.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: { code: 'TOO_MANY_REQUESTS', message: `请求过于频繁，请在 ${Math.ceil(context.ttl / 1000)} 秒后重试` },
    }),
  });
  await app.register(authPlugin, { db, secret: config.jwtSecret, tokenTtlSeconds: config.tokenTtlSeconds });
  await app.register(workerAuthPlugin, {
    db,
    jwtSecret: config.jwtSecret,
    tokenTtlSeconds: config.portal.tokenTtlSeconds,
  });
  await app.register(idempotencyPlugin, { db });
  await app.register(auditPlugin, { db });

  await app.register(platformRoutes, deps);
  await app.register(workerRoutes, deps);
  await app.register(caseRoutes, deps);
  await app.register(policyRoutes, deps);
  await app.register(fundRoutes, deps);
  await app.register(stationRoutes, deps);
  await app.register(trainingRoutes, deps);
  await app.register(portalRoutes, deps);
  await app.register(feedRoutes, deps);
  await app.register(perceptionRoutes, deps);
  await app.register(caseReportRoutes, deps);
  await app.register(consoleRoutes, deps);
  return app;
}
