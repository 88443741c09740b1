import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { leadRoutes } from './leads.js';
import { ruleRoutes } from './rules.js';
import { scanRoutes } from './scans.js';

/** Perception (感知): rule models and scoring, scans and dry runs, and the review of the leads they raise. */
export async function perceptionRoutes(app: FastifyInstance, deps: AppDeps) {
  await ruleRoutes(app, deps);
  await scanRoutes(app, deps);
  await leadRoutes(app, deps);
}
