import { readCommonConfig, type CommonConfig } from '../db/config.js';
import { integer, oneOf, text, type Env } from '../db/env.js';
import {
  CALENDAR_RHYTHMS,
  DEFAULT_INSPECTION_RHYTHMS,
  type CalendarRhythm,
  type StationType,
} from '../workflows/shared/station-vocabulary.js';
import { CASE_MANAGEMENT_QUEUE } from '../workflows/shared/task-queues.js';

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
}

export interface WorkerConfig extends CommonConfig {
  temporal: TemporalConfig;
  /** A bundle built by `npm run build:workflows`; when unset the worker bundles workflows/ at start. */
  workflowBundlePath: string | null;
  maxConcurrentActivities: number;
  /** How often each station type is inspected; each type's Temporal Schedule runs a round at this rhythm. */
  inspectionRhythms: Record<StationType, CalendarRhythm>;
  /** Workers per chunk of the nightly perception scan. */
  perceptionScanChunkSize: number;
}

/**
 * Inspection rhythms per station type from INSPECTION_RHYTHM_STANDARD, INSPECTION_RHYTHM_BENCHMARK and
 * INSPECTION_RHYTHM_24H (`monthly`, `quarterly`, `half_yearly` or `yearly`). The API reads the same variables, so a
 * round started by hand names the same period as the schedule's.
 */
export function readInspectionRhythms(env: Env): Record<StationType, CalendarRhythm> {
  return {
    standard: oneOf(env, 'INSPECTION_RHYTHM_STANDARD', CALENDAR_RHYTHMS, DEFAULT_INSPECTION_RHYTHMS.standard),
    benchmark: oneOf(env, 'INSPECTION_RHYTHM_BENCHMARK', CALENDAR_RHYTHMS, DEFAULT_INSPECTION_RHYTHMS.benchmark),
    '24h': oneOf(env, 'INSPECTION_RHYTHM_24H', CALENDAR_RHYTHMS, DEFAULT_INSPECTION_RHYTHMS['24h']),
  };
}

export function readTemporalConfig(env: NodeJS.ProcessEnv): TemporalConfig {
  return {
    address: text(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
    namespace: text(env, 'TEMPORAL_NAMESPACE', 'default'),
    taskQueue: text(env, 'TEMPORAL_TASK_QUEUE', CASE_MANAGEMENT_QUEUE),
  };
}

export function readWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  return Object.freeze({
    ...readCommonConfig(env),
    temporal: readTemporalConfig(env),
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH?.trim() || null,
    maxConcurrentActivities: integer(env, 'WORKER_MAX_CONCURRENT_ACTIVITIES', 50, 1, 1000),
    inspectionRhythms: readInspectionRhythms(env),
    perceptionScanChunkSize: integer(env, 'PERCEPTION_SCAN_CHUNK_SIZE', 25_000, 1, 1_000_000),
  });
}

/** The worker's configuration from this process's environment: the only place the worker reads it. */
export const workerConfigFromEnvironment = (): WorkerConfig => readWorkerConfig(process.env);
