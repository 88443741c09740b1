import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lookupHash } from '../../../db/personal-data.js';
import {
  consumeCode,
  countWrongAttempt,
  expireCode,
  insertCode,
  lockCodeRequests,
  markCodeDelivered,
  newestCodeForUpdate,
  recentCodeRequests,
  recentLoginFailures,
  recordLoginAttempt,
} from '../../../db/repositories/portal-auth.repository.js';
import { ApiError, conflict, invalid } from '../../errors.js';
import { signWorkerToken } from '../../plugins/worker-auth.js';
import { NO_NUL, errorResponses, strictObject } from '../../schemas.js';
import { toShanghaiIso } from '../../time.js';
import type { PortalDeps } from './deps.js';
import { meView } from './views.js';

const CodeBody = strictObject({ phone: Type.String({ minLength: 1, maxLength: 20, pattern: NO_NUL }) });
const LoginBody = strictObject({
  phone: Type.String({ minLength: 1, maxLength: 20, pattern: NO_NUL }),
  code: Type.String({ minLength: 1, maxLength: 20, pattern: NO_NUL }),
});

const HOUR_SECONDS = 3600;

const toAsciiDigits = (text: string) =>
  text.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/**
 * A mainland mobile number as registered (11 digits), from what a worker types: full-width digits, spaces, dashes
 * and a +86 / 0086 prefix are accepted. Null when it is not one.
 */
export function normalisePhone(raw: string): string | null {
  const digits = toAsciiDigits(raw)
    .replace(/[\s\u3000-]/g, '')
    .replace(/^(\+86|0086)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

const normaliseCode = (raw: string): string => toAsciiDigits(raw).replace(/[\s\u3000]/g, '');

const tooMany = (reply: FastifyReply, code: string, message: string, retryAfterSeconds: number): ApiError => {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  reply.header('retry-after', String(seconds));
  return new ApiError(429, code, message, { retryAfterSeconds: seconds });
};

const inMinutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

type LoginOutcome =
  { kind: 'ok' } | { kind: 'none' | 'used' | 'locked' | 'expired' } | { kind: 'wrong'; attemptsLeft: number };

/**
 * Portal sign-in (POST /portal/auth/code, POST /portal/auth/login): a one-time code sent by SMS to the phone a
 * worker is registered with, exchanged for a worker token. Codes are six digits, stored only as a keyed hash,
 * valid for PORTAL_CODE_TTL_SECONDS, single-use, locked after PORTAL_CODE_MAX_ATTEMPTS wrong tries, and only the
 * newest code of a phone counts. Requests are limited per phone (one per PORTAL_CODE_RESEND_SECONDS and
 * PORTAL_CODES_PER_PHONE_PER_HOUR) and per address, failed sign-ins per address; every limit answers 429 with
 * Retry-After. Whether a phone belongs to a member is never told: unknown phones get the same answers and limits.
 *
 * Known limit: whoever floods code requests for someone else's phone uses up that phone's codes for the hour;
 * the per-address limit slows this from one address but not from many.
 */
export async function portalAuthRoutes(app: FastifyInstance, { db, config, sms }: PortalDeps) {
  const limits = config.portal;
  const hashCode = (codeId: string, code: string) =>
    createHmac('sha256', config.lookupHashKey).update(`portal-code:${codeId}:${code}`).digest();

  app.post(
    '/portal/auth/code',
    {
      config: { public: true },
      schema: {
        tags: ['portal'],
        summary: '获取登录验证码（发送到职工登记的手机号）',
        security: [],
        body: CodeBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof CodeBody> }>, reply) => {
      request.audit = { action: 'portal.code.request', targetType: 'worker' };
      const phone = normalisePhone(request.body.phone);
      if (!phone) {
        throw invalid('phone', '手机号须为 11 位数字', 'PHONE_INVALID');
      }
      const phoneHash = lookupHash(phone, config.lookupHashKey);
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const codeId = randomUUID();

      const refusal = await db.transaction().execute(async (trx) => {
        await lockCodeRequests(trx, phoneHash, request.ip);
        const recent = await recentCodeRequests(trx, phoneHash, request.ip);
        if (recent.phoneLastAgoSeconds !== null && recent.phoneLastAgoSeconds < limits.codeResendSeconds) {
          const wait = limits.codeResendSeconds - recent.phoneLastAgoSeconds;
          return tooMany(
            reply,
            'CODE_REQUESTED_TOO_OFTEN',
            `验证码发送过于频繁，请在 ${Math.ceil(wait)} 秒后重试`,
            wait,
          );
        }
        if (recent.phoneCount >= limits.codesPerPhonePerHour) {
          const wait = HOUR_SECONDS - (recent.phoneOldestAgoSeconds ?? 0);
          return tooMany(
            reply,
            'CODE_REQUESTED_TOO_OFTEN',
            `该手机号 1 小时内获取验证码已达 ${limits.codesPerPhonePerHour} 次，请在 ${inMinutes(wait)} 分钟后重试`,
            wait,
          );
        }
        if (recent.addressCount >= limits.codesPerAddressPerHour) {
          const wait = HOUR_SECONDS - (recent.addressOldestAgoSeconds ?? 0);
          return tooMany(
            reply,
            'TOO_MANY_CODE_REQUESTS',
            `当前网络获取验证码过于频繁，请在 ${inMinutes(wait)} 分钟后重试`,
            wait,
          );
        }
        await insertCode(trx, {
          id: codeId,
          phoneHash,
          codeHash: hashCode(codeId, code).toString('base64url'),
          ip: request.ip,
          ttlSeconds: limits.codeTtlSeconds,
        });
        return null;
      });
      if (refusal) {
        throw refusal;
      }

      const members = await db.selectFrom('worker').select('id').where('phone_hash', '=', phoneHash).limit(2).execute();
      if (members.length === 1) {
        request.audit.targetId = members[0]!.id;
      }
      // Known limit: a member's phone waits for the SMS gateway and an unknown one does not, so response times can
      // hint which phones are registered; statuses, bodies and limits are the same for both.
      if (members.length > 0) {
        const validFor =
          limits.codeTtlSeconds < 60 ? `${limits.codeTtlSeconds} 秒` : `${Math.floor(limits.codeTtlSeconds / 60)} 分钟`;
        try {
          await sms.send(
            phone,
            `【越温暖】您的登录验证码为 ${code}，${validFor}内有效。工会工作人员不会向您索要验证码，请勿告诉他人。`,
          );
        } catch (error) {
          await expireCode(db, codeId);
          request.log.error({ err: error, codeId }, 'Sign-in code not sent');
          throw new ApiError(503, 'SMS_SEND_FAILED', '验证码短信发送失败，请稍后重试');
        }
        await markCodeDelivered(db, codeId);
      }
      return reply.status(202).send({
        message: '如该手机号已在工会登记，验证码已发送，请注意查收短信',
        expiresInSeconds: limits.codeTtlSeconds,
        resendAfterSeconds: limits.codeResendSeconds,
      });
    },
  );

  app.post(
    '/portal/auth/login',
    {
      config: { public: true, idempotency: false },
      schema: {
        tags: ['portal'],
        summary: '职工用手机号和验证码登录',
        security: [],
        body: LoginBody,
        response: errorResponses,
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof LoginBody> }>, reply) => {
      request.audit = { action: 'portal.login', targetType: 'worker' };
      const phone = normalisePhone(request.body.phone);
      if (!phone) {
        throw invalid('phone', '手机号须为 11 位数字', 'PHONE_INVALID');
      }
      const code = normaliseCode(request.body.code);
      if (!/^\d{6}$/.test(code)) {
        throw invalid('code', '验证码须为 6 位数字', 'CODE_FORMAT_INVALID');
      }
      const failures = await recentLoginFailures(db, request.ip);
      if (failures.count >= limits.loginFailuresPerAddressPerHour) {
        const wait = HOUR_SECONDS - failures.oldestAgoSeconds;
        throw tooMany(reply, 'TOO_MANY_LOGIN_ATTEMPTS', `登录失败次数过多，请在 ${inMinutes(wait)} 分钟后重试`, wait);
      }
      const phoneHash = lookupHash(phone, config.lookupHashKey);

      const outcome = await db.transaction().execute(async (trx): Promise<LoginOutcome> => {
        const decide = async (result: LoginOutcome): Promise<LoginOutcome> => {
          await recordLoginAttempt(trx, { phoneHash, ip: request.ip, succeeded: result.kind === 'ok' });
          return result;
        };
        const newest = await newestCodeForUpdate(trx, phoneHash);
        if (!newest) {
          return decide({ kind: 'none' });
        }
        if (newest.consumed_at) {
          return decide({ kind: 'used' });
        }
        if (newest.attempts >= limits.codeMaxAttempts) {
          return decide({ kind: 'locked' });
        }
        if (newest.expired) {
          return decide({ kind: 'expired' });
        }
        const stored = Buffer.from(newest.code_hash, 'base64url');
        const given = hashCode(newest.id, code);
        if (stored.length !== given.length || !timingSafeEqual(stored, given)) {
          const attempts = await countWrongAttempt(trx, newest.id);
          return decide({ kind: 'wrong', attemptsLeft: limits.codeMaxAttempts - attempts });
        }
        await consumeCode(trx, newest.id);
        return decide({ kind: 'ok' });
      });

      if (outcome.kind === 'wrong') {
        throw outcome.attemptsLeft > 0
          ? new ApiError(
              401,
              'CODE_INVALID',
              `验证码错误，还可再试 ${outcome.attemptsLeft} 次（请使用最新收到的验证码）`,
            )
          : new ApiError(401, 'CODE_LOCKED', '验证码错误次数过多，已失效，请重新获取验证码');
      }
      if (outcome.kind !== 'ok') {
        throw LOGIN_REFUSALS[outcome.kind]();
      }
      const members = await db
        .selectFrom('worker as w')
        .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
        .select([
          'w.id',
          'w.name',
          'w.phone_hash',
          'w.phone_masked',
          'w.unit_id',
          'w.household_id',
          'w.hardship_status',
        ])
        .select(['o.path', 'o.name as unit_name'])
        .where('w.phone_hash', '=', phoneHash)
        .limit(2)
        .execute();
      const member = members[0];
      if (!member) {
        // A code is kept, never sent, for phones no member has; guessing it right must read like a wrong guess.
        throw LOGIN_REFUSALS.none();
      }
      if (members.length > 1) {
        // Known limit: workers registered with one shared phone cannot sign in until staff correct the record.
        throw conflict('PHONE_SHARED', '该手机号登记在多名职工名下，无法确认您的身份，请联系所在工会更正登记信息');
      }
      request.worker = {
        id: member.id,
        unitId: member.unit_id,
        unitPath: member.path,
        householdId: member.household_id,
      };
      request.audit.targetId = member.id;
      const token = await signWorkerToken(reply, { id: member.id, phoneHash: member.phone_hash });
      return {
        token,
        tokenType: 'Bearer',
        expiresAt: toShanghaiIso(Date.now() + limits.tokenTtlSeconds * 1000),
        worker: meView(member),
      };
    },
  );
}

const LOGIN_REFUSALS = {
  none: () => new ApiError(401, 'CODE_INVALID', '验证码错误或已失效，请重新获取验证码'),
  used: () => new ApiError(401, 'CODE_USED', '该验证码已使用过，请重新获取验证码'),
  locked: () => new ApiError(401, 'CODE_LOCKED', '验证码错误次数过多，已失效，请重新获取验证码'),
  expired: () => new ApiError(401, 'CODE_EXPIRED', '验证码已过期，请重新获取验证码'),
} as const;
