import { WithStartWorkflowOperation } from '@temporalio/client';
import { openedUpdate } from '../../../workflows/case-lifecycle/case-lifecycle.messages.js';
import type { CaseOpening } from '../../../workflows/case-lifecycle/case-lifecycle.state.js';
import { caseLifecycleWorkflow } from '../../../workflows/case-lifecycle/case-lifecycle.workflow.js';
import { CASE_STATUS, CASE_STEP, HOLDER_UNIT_ID } from '../../../workflows/shared/search-attributes.js';
import { caseWorkflowId } from '../../../workflows/shared/workflow-ids.js';
import type { AppDeps } from '../../app.js';

/**
 * Starts a case's workflow and waits until its opening is in the read model, so the caller can answer with the
 * case at once. Every way a case opens goes through here: staff and referrals (`POST /cases`), a worker's
 * self-application, a confirmed perception lead. The case id is the workflow id, so a retried call with the same
 * id finds the running workflow (`USE_EXISTING`) and the same update id, and opens nothing twice.
 */
export async function startCase({ temporal, config }: Pick<AppDeps, 'temporal' | 'config'>, opening: CaseOpening) {
  const { client, taskQueue } = temporal;
  const start = new WithStartWorkflowOperation(caseLifecycleWorkflow, {
    workflowId: caseWorkflowId(opening.caseId),
    taskQueue,
    args: [{ kind: 'open', opening }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: CASE_STEP, value: 'dispatch' },
      { key: CASE_STATUS, value: 'open' },
      { key: HOLDER_UNIT_ID, value: opening.openedBy.unit.id },
    ],
  });
  await client.withDeadline(Date.now() + config.updateTimeoutMs, () =>
    client.workflow.executeUpdateWithStart(openedUpdate, {
      startWorkflowOperation: start,
      updateId: `open-${opening.caseId}`,
    }),
  );
}
