import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { Db } from '../db/database.js';
import { EncryptionCodec } from './payload-codec.js';
import { workflowsEntry } from './workflows-path.js';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  payloadCodecKey: Buffer;
  /** A pre-built bundle; without one the worker bundles workflows/ itself, which takes a few seconds. */
  workflowBundlePath?: string | null;
  maxConcurrentActivities?: number;
  /** Extra options, for tests (for example `maxCachedWorkflows: 0` to replay every task). */
  overrides?: Partial<WorkerOptions>;
}

/** The worker of the case-management queue: case and calendar-rollout workflows with their activities. */
export function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ db: options.db }),
    dataConverter: { payloadCodecs: [new EncryptionCodec(options.payloadCodecKey)] },
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: workflowsEntry() }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 50,
    ...options.overrides,
  });
}
