import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Logger } from 'pino';
import type { CalendarRhythm, StationType } from '../workflows/shared/station-vocabulary.js';
import { inspectionScheduleDefinitions } from './station-schedules.js';

/**
 * One periodic job: a Temporal Schedule that starts a workflow of the given type on the worker's task queue.
 * `scheduleId` is stable, so creating it again at every start finds the first one; `workflowId` is the prefix
 * of the ids of the workflows it starts (Temporal appends the scheduled time).
 */
export interface ScheduleDefinition {
  scheduleId: string;
  workflowType: string;
  workflowId: string;
  args: unknown[];
  spec: ScheduleSpec;
  /** What the schedule is for, shown in the Temporal Web UI beside the id. */
  note: string;
}

/** What the schedules depend on in the worker's configuration. */
export interface ScheduleSettings {
  /** Rhythm of each station type's inspection rounds; the built-in rhythms when absent. */
  inspectionRhythms?: Record<StationType, CalendarRhythm>;
  /** Workers per chunk of the nightly perception scan; the scan's own default when absent. */
  perceptionScanChunkSize?: number;
}

/**
 * Every schedule the platform runs, for a task queue. Capabilities add their own definitions here (nightly
 * perception scans, inspection rounds, monthly bulletins); the list is pure data, so tests can ensure one
 * schedule under their own ids and queue.
 */
export function platformSchedules(_taskQueue: string, settings: ScheduleSettings = {}): ScheduleDefinition[] {
  return [
    perceptionNightlyScanSchedule(settings.perceptionScanChunkSize),
    ...inspectionScheduleDefinitions(settings.inspectionRhythms),
    portalLoginCleanupSchedule,
  ];
}

/** Every night at 02:30 Shanghai time: after the departments' nightly exports, before staff start work. */
export const perceptionNightlyScanSchedule = (chunkSize?: number): ScheduleDefinition => ({
  scheduleId: 'perception-nightly-scan',
  workflowType: 'perceptionScanWorkflow',
  workflowId: 'perception-scan-nightly',
  args: [{ kind: 'scan', trigger: 'schedule', chunkSize }],
  spec: { calendars: [{ hour: 2, minute: 30 }], timezone: 'Asia/Shanghai' },
  note: 'Nightly perception scan: evaluates the published rule models over every worker and writes leads',
});

/** Every night at 03:17 Shanghai time, the portal's sign-in codes and attempts older than a day are deleted. */
export const portalLoginCleanupSchedule: ScheduleDefinition = {
  scheduleId: 'portal-login-cleanup',
  workflowType: 'portalLoginCleanupWorkflow',
  workflowId: 'portal-login-cleanup',
  args: [{ retentionHours: 24 }],
  spec: { calendars: [{ hour: 3, minute: 17, comment: 'nightly, off-peak' }], timezone: 'Asia/Shanghai' },
  note: '职工端：清理过期的登录验证码与登录尝试记录',
};

/**
 * Creates each schedule that does not exist yet and brings an existing one's spec and action in line with its
 * definition, so a changed rhythm takes effect at the next start. Safe to run from any number of workers at once.
 */
export async function ensureSchedules(
  client: Client,
  taskQueue: string,
  definitions: readonly ScheduleDefinition[],
  logger?: Logger,
): Promise<void> {
  for (const definition of definitions) {
    const options = scheduleOptions(taskQueue, definition);
    try {
      await client.schedule.create(options);
      logger?.info({ scheduleId: definition.scheduleId }, 'Schedule created');
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) {
        throw error;
      }
      await client.schedule.getHandle(definition.scheduleId).update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
      }));
      logger?.debug({ scheduleId: definition.scheduleId }, 'Schedule kept up to date');
    }
  }
}

function scheduleOptions(taskQueue: string, definition: ScheduleDefinition): ScheduleOptions {
  return {
    scheduleId: definition.scheduleId,
    spec: definition.spec,
    action: {
      type: 'startWorkflow',
      workflowType: definition.workflowType,
      workflowId: definition.workflowId,
      taskQueue,
      args: definition.args,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    memo: { note: definition.note },
  };
}
