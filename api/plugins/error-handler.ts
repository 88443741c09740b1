import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, FAILURE_STATUS, type FieldProblem } from '../errors.js';

const AJV_REASONS: Record<string, (params: Record<string, unknown>) => string> = {
  required: () => '必填',
  additionalProperties: () => '不允许的字段',
  type: (p) => `类型应为 ${String(p.type)}`,
  minLength: (p) => `至少 ${String(p.limit)} 个字符`,
  maxLength: (p) => `最多 ${String(p.limit)} 个字符`,
  minimum: (p) => `不能小于 ${String(p.limit)}`,
  maximum: (p) => `不能大于 ${String(p.limit)}`,
  minItems: (p) => `至少 ${String(p.limit)} 项`,
  maxItems: (p) => `最多 ${String(p.limit)} 项`,
  enum: (p) => `取值须为 ${(p.allowedValues as unknown[]).join('、')} 之一`,
  pattern: () => '格式不正确',
  format: (p) => `格式应为 ${String(p.format)}`,
  multipleOf: () => '须为整数',
  const: () => '取值不正确',
};

interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldProblems(issues: AjvIssue[], context: string | undefined): FieldProblem[] {
  return issues.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const extra =
      issue.keyword === 'required'
        ? String(issue.params.missingProperty)
        : issue.keyword === 'additionalProperties'
          ? String(issue.params.additionalProperty)
          : '';
    const field = [path, extra].filter(Boolean).join('.') || context || 'body';
    const reason = AJV_REASONS[issue.keyword]?.(issue.params) ?? issue.message ?? '无效';
    return { field, reason };
  });
}

/** Fastify's own errors that reach clients as plain 4xx answers. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '请求内容过大' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: '请求内容类型须为 application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: '请求内容为空，须为 JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: '请求内容不是有效的 JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'MALFORMED_REQUEST', message: '请求长度不正确' },
};

function send(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  return reply.status(status).send({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}

/**
 * The API's one error handler: every error leaves as `{ error: { code, message, details? } }` with a stable code.
 * Known errors map by table; anything else is a 500 with a generic message, logged once here with full detail.
 */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'ROUTE_NOT_FOUND', `没有这个接口：${request.method} ${request.url.split('?')[0]}`),
  );

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      return send(reply, error.statusCode, error.code, error.message, error.details);
    }
    if (error.validation) {
      const details = fieldProblems(error.validation, error.validationContext);
      const summary = details.map((d) => `${d.field}：${d.reason}`).join('；');
      return send(reply, 400, 'VALIDATION_FAILED', `请求参数有误：${summary}`, details);
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) {
      return send(reply, known.status, known.code, known.message);
    }
    if (error.statusCode === 429) {
      return send(reply, 429, 'TOO_MANY_REQUESTS', '请求过于频繁，请稍后再试');
    }
    if (error instanceof SyntaxError || (error.statusCode === 400 && /prototype|JSON/i.test(error.message))) {
      return send(reply, 400, 'MALFORMED_JSON', '请求内容不是有效的 JSON，或含有不允许的属性名');
    }
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const mapped = error.cause.type ? FAILURE_STATUS[error.cause.type] : undefined;
      if (mapped) {
        return send(reply, mapped.status, mapped.code, error.cause.message);
      }
    }
    if (error instanceof WorkflowNotFoundError) {
      return send(reply, 404, 'CASE_NOT_FOUND', '工单不存在或已结束');
    }
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return send(reply, 409, 'ALREADY_STARTED', '该流程已经开始');
    }
    if (
      error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
      isGrpcServiceError(error) ||
      /deadline[ _]exceeded|UNAVAILABLE|ECONNREFUSED/i.test(String(error.message))
    ) {
      request.log.error({ err: error }, 'Workflow service unavailable');
      return send(
        reply,
        503,
        'WORKFLOW_SERVICE_UNAVAILABLE',
        '流程服务暂时未应答，操作可能尚未生效；请稍后刷新查看，或用相同的 Idempotency-Key 重试',
      );
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, error.statusCode, 'BAD_REQUEST', '请求无效');
    }
    request.log.error({ err: error }, 'Request failed');
    return send(reply, 500, 'INTERNAL_ERROR', '系统内部错误，请稍后重试或联系管理员');
  });
});
