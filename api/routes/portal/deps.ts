import type { AppDeps } from '../../app.js';
import type { SmsSender } from './sms-sender.js';

/** What the portal's route modules are built from: the app's dependencies, with the SMS sender settled. */
export type PortalDeps = AppDeps & { sms: SmsSender };
