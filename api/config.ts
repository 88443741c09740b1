import { readCommonConfig, type CommonConfig } from '../db/config.js';
import { integer, text } from '../db/env.js';
import { readTemporalConfig, type TemporalConfig } from '../worker/config.js';

/** The worker portal: one-time sign-in codes, their throttles, worker tokens and the application limit. */
export interface PortalConfig {
  /** How long a sign-in code stays valid. */
  codeTtlSeconds: number;
  /** Wrong tries after which a code is locked (a new one must be requested). */
  codeMaxAttempts: number;
  /** Least time between two codes for one phone. */
  codeResendSeconds: number;
  /** Codes per phone in any hour. */
  codesPerPhonePerHour: number;
  /**
   * Codes requested from one address in any hour, whichever phones they are for. Mobile networks put many phones
   * behind one address, so this must stay generous; it stops one machine from trying phone after phone.
   */
  codesPerAddressPerHour: number;
  /** Failed sign-ins from one address in any hour. */
  loginFailuresPerAddressPerHour: number;
  /** Lifetime of a worker token. */
  tokenTtlSeconds: number;
  /** Self-applications one worker may submit in any 24 hours. */
  applicationsPerDay: number;
}

export interface ApiConfig extends CommonConfig {
  host: string;
  port: number;
  temporal: TemporalConfig;
  jwtSecret: string;
  /** Lifetime of a staff token, in seconds. */
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  /** Requests per minute per client address, across the API. */
  rateLimitPerMinute: number;
  /** Login attempts per minute, counted per username and per address. */
  loginAttemptsPerMinute: number;
  /** How long the API waits for the workflow to answer an action before giving up with 503. */
  updateTimeoutMs: number;
  portal: PortalConfig;
}

const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';

export function readApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const common = readCommonConfig(env);
  const jwtSecret = text(env, 'JWT_SECRET', common.production ? undefined : DEVELOPMENT_JWT_SECRET);
  if (jwtSecret.length < 32) {
    throw new Error('JWT_SECRET must be at least 32 characters');
  }
  return Object.freeze({
    ...common,
    host: text(env, 'HOST', '127.0.0.1'),
    port: integer(env, 'PORT', 3000, 1, 65535),
    temporal: readTemporalConfig(env),
    jwtSecret,
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1),
    loginAttemptsPerMinute: integer(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 10, 1),
    updateTimeoutMs: integer(env, 'UPDATE_TIMEOUT_MS', 15_000, 100),
    portal: readPortalConfig(env),
  });
}

function readPortalConfig(env: NodeJS.ProcessEnv): PortalConfig {
  return Object.freeze({
    codeTtlSeconds: integer(env, 'PORTAL_CODE_TTL_SECONDS', 300, 1, 3600),
    codeMaxAttempts: integer(env, 'PORTAL_CODE_MAX_ATTEMPTS', 5, 1, 20),
    codeResendSeconds: integer(env, 'PORTAL_CODE_RESEND_SECONDS', 60, 0, 3600),
    codesPerPhonePerHour: integer(env, 'PORTAL_CODES_PER_PHONE_PER_HOUR', 5, 1, 1000),
    codesPerAddressPerHour: integer(env, 'PORTAL_CODES_PER_ADDRESS_PER_HOUR', 60, 1, 100_000),
    loginFailuresPerAddressPerHour: integer(env, 'PORTAL_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR', 30, 1, 100_000),
    tokenTtlSeconds: integer(env, 'PORTAL_TOKEN_TTL_SECONDS', 24 * 3600, 300, 30 * 24 * 3600),
    applicationsPerDay: integer(env, 'PORTAL_APPLICATIONS_PER_DAY', 3, 1, 100),
  });
}

/** The API's configuration from this process's environment: the only place the API reads it. */
export const apiConfigFromEnvironment = (): ApiConfig => readApiConfig(process.env);
