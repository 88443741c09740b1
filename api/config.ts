import { fileURLToPath } from 'node:url';
import { readCommonConfig, type CommonConfig } from '../db/config.js';
import { ConfigError, integer, text, type Env } from '../db/env.js';
import { readInspectionRhythms, readTemporalConfig, type TemporalConfig } from '../worker/config.js';
import type { CalendarRhythm, StationType } from '../workflows/shared/station-vocabulary.js';

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
  /** Requests per minute per client address to the public station lookup (no login, so held much lower). */
  publicRateLimitPerMinute: number;
  /** Inspection rhythm per station type: names the period of a round started by hand (as the worker's schedules). */
  inspectionRhythms: Record<StationType, CalendarRhythm>;
  portal: PortalConfig;
  /** Largest department feed upload (streamed, so it may be far above `bodyLimitBytes`). */
  feedBodyLimitBytes: number;
  /** Workers per chunk of a perception scan or dry run started through the API. */
  perceptionScanChunkSize: number;
  /** The staff console and the workers' phone page, both built to static files that this process serves. */
  console: ConsoleConfig;
}

export interface ConsoleConfig {
  /** Where the staff console is served, `/console/` by default: one or more lower-case segments, with slashes. */
  basePath: string;
  /** Where the workers' phone page is served, `/m/` by default. */
  phoneBasePath: string;
  /** The folder `npm run build:console` writes; a missing build is answered with a 503 page saying how to build. */
  distDir: string;
  /** A map tile server (`https://.../{z}/{x}/{y}.png`); null draws maps over a plain coordinate canvas. */
  tileUrl: string | null;
}

const DEFAULT_CONSOLE_DIST = fileURLToPath(new URL('../dist/console', import.meta.url));

/** First path segments the JSON API uses: a console served under one of them would hide routes. */
const API_SEGMENTS = new Set(
  (
    'auth me users org-units notifications audit workers cases inbox supervision calendar policies ' +
    'budgets standards payments ledger reports docs healthz readyz portal public feeds rules ' +
    'perception leads surveys courses exams enterprises openings fairs pipelines matches stations ' +
    'inspections'
  ).split(' '),
);

function basePath(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^(\/[a-z0-9][a-z0-9-]*)+\/$/.test(value)) {
    throw new ConfigError(
      `${name} must be a path of lower-case segments that starts and ends with "/", got "${value}"`,
    );
  }
  if (API_SEGMENTS.has(value.split('/')[1]!)) {
    throw new ConfigError(`${name} must not start with an API path segment, got "${value}"`);
  }
  return value;
}

function tileUrl(env: Env): string | null {
  const value = env.MAP_TILE_URL?.trim();
  if (!value) {
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(value.replace(/\{([zxy])\}/g, '0'));
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !['{z}', '{x}', '{y}'].every((p) => value.includes(p))) {
    throw new ConfigError(`MAP_TILE_URL must be an http(s) URL with {z}, {x} and {y} in it, got "${value}"`);
  }
  return value;
}

function readConsoleConfig(env: Env): ConsoleConfig {
  const consoleBase = basePath(env, 'CONSOLE_BASE_PATH', '/console/');
  const phoneBase = basePath(env, 'PHONE_BASE_PATH', '/m/');
  if (consoleBase.startsWith(phoneBase) || phoneBase.startsWith(consoleBase)) {
    throw new ConfigError(`CONSOLE_BASE_PATH and PHONE_BASE_PATH must not contain one another`);
  }
  return Object.freeze({
    basePath: consoleBase,
    phoneBasePath: phoneBase,
    distDir: text(env, 'CONSOLE_DIST_DIR', DEFAULT_CONSOLE_DIST),
    tileUrl: tileUrl(env),
  });
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
    publicRateLimitPerMinute: integer(env, 'PUBLIC_RATE_LIMIT_PER_MINUTE', 120, 1),
    inspectionRhythms: readInspectionRhythms(env),
    portal: readPortalConfig(env),
    feedBodyLimitBytes: integer(env, 'FEED_BODY_LIMIT_BYTES', 512 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    perceptionScanChunkSize: integer(env, 'PERCEPTION_SCAN_CHUNK_SIZE', 25_000, 1, 1_000_000),
    console: readConsoleConfig(env),
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
