import type { Logger } from 'pino';
import { maskPhone } from '../../../db/personal-data.js';

/**
 * How the portal sends text messages (sign-in codes). The API takes one through `buildApp` deps; a gateway adapter
 * implements it in production. `send` resolves once the gateway accepted the message and throws when it refused.
 */
export interface SmsSender {
  send(phoneNumber: string, text: string): Promise<void>;
}

/** The sender could not take the message; the portal answers 503 and the worker may try again later. */
export class SmsUnavailableError extends Error {
  override name = 'SmsUnavailableError';
}

/**
 * Development only: writes the message, code included, to the log at info level with the phone masked, so a
 * developer can sign in as a demo worker. Nothing is sent anywhere.
 */
export class LoggingSmsSender implements SmsSender {
  constructor(private readonly logger: Logger) {}

  async send(phoneNumber: string, text: string): Promise<void> {
    this.logger.info({ to: maskPhone(phoneNumber), text }, 'Development SMS written to the log instead of sent');
  }
}

/**
 * Production without a gateway configured: refuses every message, so a sign-in code never lands in a production
 * log. Known limit: no SMS gateway adapter exists yet, so in production workers cannot sign in until one is added.
 */
export class UnconfiguredSmsSender implements SmsSender {
  async send(): Promise<void> {
    throw new SmsUnavailableError('No SMS gateway is configured');
  }
}

/** The sender used when `buildApp` is given none: the logging one outside production, a refusing one in it. */
export const defaultSmsSender = (production: boolean, logger: Logger): SmsSender =>
  production ? new UnconfiguredSmsSender() : new LoggingSmsSender(logger.child({ component: 'sms' }));
