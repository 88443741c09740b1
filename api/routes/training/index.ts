import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { courseRoutes } from './courses.js';
import { jobRoutes } from './jobs.js';
import { pipelineRoutes } from './pipelines.js';
import { trainingReportRoutes } from './reports.js';
import { surveyRoutes } from './surveys.js';

/**
 * From course to job (培训就业, API.md "Training to job"): surveys, courses with enrolment, attendance and exams,
 * enterprises, openings and hiring fairs, trainees' pipelines and their actions, matching, and the figures.
 */
export async function trainingRoutes(app: FastifyInstance, deps: AppDeps) {
  await surveyRoutes(app, deps);
  await courseRoutes(app, deps);
  await jobRoutes(app, deps);
  await pipelineRoutes(app, deps);
  await trainingReportRoutes(app, deps);
}
