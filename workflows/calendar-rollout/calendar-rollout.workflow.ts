import { continueAsNew, getExternalWorkflowHandle, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { shortIo } from '../shared/activity-options.js';
import { caseWorkflowId } from '../shared/workflow-ids.js';
import { calendarChangedSignal } from '../case-lifecycle/case-lifecycle.messages.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);

const PAGE_SIZE = 200;

export interface CalendarRolloutInput {
  year: number;
  revision: string;
  afterCaseId?: string | null;
  signalled?: number;
}

/**
 * Tells every open case whose current step runs on the working-day clock that a year's holiday calendar
 * changed, page by page, so each can move its deadline and say why in its timeline. Started once per calendar
 * revision (workflow id from year and revision), so a repeated PUT does not signal twice.
 */
export async function calendarRolloutWorkflow(input: CalendarRolloutInput): Promise<{ signalled: number }> {
  let after = input.afterCaseId ?? null;
  let signalled = input.signalled ?? 0;

  for (;;) {
    const caseIds = await records.listCasesOnWorkingClock({ afterCaseId: after, limit: PAGE_SIZE });
    if (caseIds.length === 0) {
      break;
    }
    await Promise.all(
      caseIds.map((caseId) =>
        getExternalWorkflowHandle(caseWorkflowId(caseId))
          .signal(calendarChangedSignal, { year: input.year, revision: input.revision })
          .catch(() => log.warn('Calendar change not delivered to a closed case', { caseId })),
      ),
    );
    signalled += caseIds.length;
    after = caseIds[caseIds.length - 1]!;
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof calendarRolloutWorkflow>({ ...input, afterCaseId: after, signalled });
    }
  }

  log.info('Calendar change rolled out', { year: input.year, signalled });
  return { signalled };
}
