import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { portalApplicationRoutes } from './applications.js';
import { assistancePolicyRoutes } from './assistance-policies.js';
import { portalAuthRoutes } from './auth.js';
import { portalCaseRoutes } from './cases.js';
import type { PortalDeps } from './deps.js';
import { portalPolicyRoutes } from './policies.js';
import { defaultSmsSender } from './sms-sender.js';
import { portalWarmListRoutes } from './warm-list.js';

/**
 * The worker portal (职工端): sign-in by phone and one-time code, self-application, progress, records, the policy
 * list and the warm-heart list, all under /portal for a signed-in worker, who only ever reads their own data;
 * and the staff routes that manage the policy list (/policies/assistance). Codes go out through `deps.smsSender`
 * (by default the log outside production, nothing in it).
 */
export async function portalRoutes(app: FastifyInstance, deps: AppDeps) {
  const portal: PortalDeps = { ...deps, sms: deps.smsSender ?? defaultSmsSender(deps.config.production, deps.logger) };
  await app.register(portalAuthRoutes, portal);
  await app.register(portalCaseRoutes, portal);
  await app.register(portalApplicationRoutes, portal);
  await app.register(portalPolicyRoutes, portal);
  await app.register(portalWarmListRoutes, portal);
  await app.register(assistancePolicyRoutes, portal);
}
