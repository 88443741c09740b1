import { integer, oneOf, secretKey, text, type Env } from './env.js';

/** Settings shared by every process: where the database is and the keys for personal data at rest. */
export interface CommonConfig {
  production: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databaseUrl: string;
  databasePoolSize: number;
  /** AES-256-GCM key for ID-card numbers and phone numbers at rest. */
  dataEncryptionKey: Buffer;
  /** HMAC-SHA256 key for lookup hashes of ID-card numbers and phones. */
  lookupHashKey: Buffer;
  /** AES-256-GCM key of the Temporal payload codec: what workflows carry is encrypted in history. */
  payloadCodecKey: Buffer;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/yue_warmth';

export function readCommonConfig(env: Env): CommonConfig {
  const production = env.NODE_ENV === 'production';
  return {
    production,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    databaseUrl: text(env, 'DATABASE_URL', production ? undefined : DEFAULT_DATABASE_URL),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    dataEncryptionKey: secretKey(env, 'DATA_ENCRYPTION_KEY', '11'.repeat(32), production),
    lookupHashKey: secretKey(env, 'LOOKUP_HASH_KEY', '22'.repeat(32), production),
    payloadCodecKey: secretKey(env, 'PAYLOAD_CODEC_KEY', '33'.repeat(32), production),
  };
}
