import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import pino, { type Logger } from 'pino';

/** Field paths that may carry personal data; pino replaces them wherever they appear in a log record. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.idNumber',
  '*.phone',
  '*.name',
  '*.summary',
  '*.findings',
  '*.reason',
  '*.result',
  '*.description',
  '*.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's Logger interface over pino, so the SDK, workflows and activities all log through one logger. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[LEVELS[level]](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.logger.trace(meta ?? {}, message);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.logger.debug(meta ?? {}, message);
  }
  info(message: string, meta?: LogMetadata): void {
    this.logger.info(meta ?? {}, message);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.logger.warn(meta ?? {}, message);
  }
  error(message: string, meta?: LogMetadata): void {
    this.logger.error(meta ?? {}, message);
  }
}
