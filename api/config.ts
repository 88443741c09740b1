import { readCommonConfig, type CommonConfig } from '../db/config.js';
import { integer, text } from '../db/env.js';
import { readTemporalConfig, type TemporalConfig } from '../worker/config.js';

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
  /** Largest department feed upload (streamed, so it may be far above `bodyLimitBytes`). */
  feedBodyLimitBytes: number;
  /** Workers per chunk of a perception scan or dry run started through the API. */
  perceptionScanChunkSize: number;
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
    feedBodyLimitBytes: integer(env, 'FEED_BODY_LIMIT_BYTES', 512 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    perceptionScanChunkSize: integer(env, 'PERCEPTION_SCAN_CHUNK_SIZE', 10_000, 1, 1_000_000),
  });
}

/** The API's configuration from this process's environment: the only place the API reads it. */
export const apiConfigFromEnvironment = (): ApiConfig => readApiConfig(process.env);
