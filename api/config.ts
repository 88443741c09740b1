import { fileURLToPath } from 'node:url';
import { readCommonConfig, type CommonConfig } from '../db/config.js';
import { ConfigError, integer, text, type Env } from '../db/env.js';
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
    console: readConsoleConfig(env),
  });
}

/** The API's configuration from this process's environment: the only place the API reads it. */
export const apiConfigFromEnvironment = (): ApiConfig => readApiConfig(process.env);
