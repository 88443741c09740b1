/**
 * Typed readers over an environment snapshot. Each process's config.ts reads `process.env` once, through these,
 * and fails at start-up with a message naming the variable that is missing or malformed.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

export function text(env: Env, name: string, fallback?: string): string {
  const value = env[name]?.trim();
  if (value) {
    return value;
  }
  if (fallback === undefined) {
    throw new ConfigError(`${name} is required but not set`);
  }
  return fallback;
}

export function integer(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  if (!allowed.includes(raw as T)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/**
 * A secret given as 64 hex characters (32 bytes). Outside production a fixed development value stands in when
 * it is unset, so the demo runs without set-up; production refuses to start without it.
 */
export function secretKey(env: Env, name: string, developmentValue: string, production: boolean): Buffer {
  const raw = env[name]?.trim();
  if (!raw) {
    if (production) {
      throw new ConfigError(`${name} is required in production (64 hex characters)`);
    }
    return Buffer.from(developmentValue, 'hex');
  }
  if (!/^[0-9a-fA-F]{64}$/.test(raw)) {
    throw new ConfigError(`${name} must be 64 hex characters (32 bytes)`);
  }
  return Buffer.from(raw, 'hex');
}
