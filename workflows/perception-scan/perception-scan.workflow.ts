import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../../activities/index.js';
import { longIo, shortIo } from '../shared/activity-options.js';
import { leadReviewWorkflowId } from '../shared/workflow-ids.js';
import { perceptionLeadReviewWorkflow } from '../lead-review/lead-review.workflow.js';
import { scanProgressQuery, scanStartedUpdate } from './perception-scan.messages.js';
import { initialProgress, runSettings, type PerceptionScanInput, type ScanProgress } from './perception-scan.state.js';

const chunks = proxyActivities<ReturnType<typeof createActivities>>(longIo);
const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);

/**
 * One perception scan (or dry run) over every worker, in chunks of worker ids.
 *
 * The begin activity snapshots the published rule versions and scoring settings and cuts the workers into keyset
 * ranges; then each chunk is one idempotent activity keyed on (scan id, chunk number) that evaluates the rules
 * set-based in PostgreSQL and writes its leads (or, for a dry run, the workers a draft version would add or drop)
 * in one transaction. A worker restart mid-scan resumes from history: done chunks are not run again, a chunk in
 * flight either committed (its mark is found) or is run again from scratch, so nothing is counted twice. After
 * `chunksPerRun` chunks it continues as new. A real scan that raised new leads starts their review workflow.
 * Only one scan that writes leads runs at a time: a second one ends at once as `skipped`.
 * Failure: a permanent activity failure (for example ScanNotFoundError) marks the scan failed and fails the run.
 */
export async function perceptionScanWorkflow(input: PerceptionScanInput): Promise<ScanProgress> {
  const scanId = input.resume?.scanId ?? input.scanId ?? uuid4();
  const settings = runSettings(input);
  const progress = initialProgress(scanId, input);

  setHandler(scanStartedUpdate, async () => {
    await condition(() => progress.status !== 'starting');
    return progress;
  });
  setHandler(scanProgressQuery, () => progress);

  if (!input.resume) {
    const plan = await chunks.beginPerceptionScan({
      scanId,
      workflowId: workflowInfo().workflowId,
      kind: input.kind,
      trigger: input.trigger,
      requestedByUserId: input.requestedByUserId ?? null,
      candidateVersionId: input.candidateVersionId ?? null,
      chunkSize: settings.chunkSize,
    });
    progress.totalChunks = plan.totalChunks;
    progress.chunksDone = plan.chunksDone;
    progress.blockedByScanId = plan.blockedByScanId;
    if (plan.status !== 'running') {
      progress.status = plan.status === 'skipped' ? 'skipped' : plan.status === 'completed' ? 'completed' : 'failed';
      log.info('Perception scan not run', { scanId, status: plan.status, blockedBy: plan.blockedByScanId });
      await condition(allHandlersFinished);
      return progress;
    }
    progress.status = 'running';
    log.info('Perception scan started', { scanId, kind: input.kind, chunks: plan.totalChunks });
  }

  let next = input.resume?.nextChunk ?? 1;
  let launched = 0;
  const lane = async (): Promise<void> => {
    while (next <= progress.totalChunks && launched < settings.chunksPerRun && !workflowInfo().continueAsNewSuggested) {
      const chunkNo = next++;
      launched++;
      await chunks.scanPerceptionChunk({ scanId, chunkNo });
      progress.chunksDone++;
    }
  };
  try {
    await Promise.all(Array.from({ length: settings.parallelism }, lane));
  } catch (error) {
    progress.status = 'failed';
    await records.failPerceptionScan({ scanId, message: error instanceof Error ? error.message : String(error) });
    throw ApplicationFailure.create({
      message: `Perception scan ${scanId} failed`,
      cause: error as Error,
      nonRetryable: true,
    });
  }

  if (next <= progress.totalChunks) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof perceptionScanWorkflow>({
      ...input,
      scanId,
      resume: { scanId, totalChunks: progress.totalChunks, nextChunk: next, chunksDone: progress.chunksDone },
    });
  }

  const totals = await records.finishPerceptionScan({ scanId });
  progress.status = 'completed';
  log.info('Perception scan completed', { scanId, workers: totals.workersScanned, leadsCreated: totals.leadsCreated });
  if (input.kind === 'scan' && totals.leadsCreated > 0) {
    try {
      await startChild(perceptionLeadReviewWorkflow, {
        workflowId: leadReviewWorkflowId(scanId),
        args: [{ scanId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        throw error;
      }
    }
  }
  await condition(allHandlersFinished);
  return progress;
}
