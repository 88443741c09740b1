import { WithStartWorkflowOperation } from '@temporalio/client';
import { scanStartedUpdate } from '../../../workflows/perception-scan/perception-scan.messages.js';
import type { ScanProgress, ScanRequest } from '../../../workflows/perception-scan/perception-scan.state.js';
import { perceptionScanWorkflow } from '../../../workflows/perception-scan/perception-scan.workflow.js';
import { perceptionScanWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import type { AppDeps } from '../../app.js';
import { conflict } from '../../errors.js';

/** The scan that holds the running slot, if its workflow is still alive. */
export async function runningScan({
  db,
  temporal,
}: Pick<AppDeps, 'db' | 'temporal'>): Promise<{ id: string; workflowId: string } | null> {
  const row = await db
    .selectFrom('perception_scan')
    .select(['id', 'workflow_id'])
    .where('status', '=', 'running')
    .where('kind', '=', 'scan')
    .executeTakeFirst();
  if (!row) {
    return null;
  }
  try {
    const description = await temporal.client.workflow.getHandle(row.workflow_id).describe();
    return description.status.name === 'RUNNING' ? { id: row.id, workflowId: row.workflow_id } : null;
  } catch {
    // Gone from Temporal: the next scan's plan marks it abandoned and takes the slot.
    return null;
  }
}

export const scanAlreadyRunning = (scanId: string) =>
  conflict('SCAN_ALREADY_RUNNING', '已有一次感知扫描正在进行，请待其完成后再发起', { runningScanId: scanId });

/**
 * Starts a scan or dry run and waits until it is planned (or skipped), so the answer names its chunks. The scan id
 * is the workflow's business key: a retried call with the same id finds the running workflow and opens nothing
 * twice.
 */
export async function startScan(
  { temporal, config }: Pick<AppDeps, 'temporal' | 'config'>,
  request: ScanRequest & { scanId: string },
): Promise<ScanProgress> {
  const { client, taskQueue } = temporal;
  const start = new WithStartWorkflowOperation(perceptionScanWorkflow, {
    workflowId: perceptionScanWorkflowId(request.scanId),
    taskQueue,
    args: [request],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return client.withDeadline(Date.now() + config.updateTimeoutMs, () =>
    client.workflow.executeUpdateWithStart(scanStartedUpdate, {
      startWorkflowOperation: start,
      updateId: `started-${request.scanId}`,
    }),
  );
}
