import {
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
  defineSearchAttributeKey,
} from '@temporalio/common';
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  continueAsNew,
  log,
  proxyActivities,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { shortIo } from '../shared/activity-options.js';
import type { InspectionRhythm, StationType } from '../shared/station-vocabulary.js';
import { inspectionWorkflowId } from '../shared/workflow-ids.js';
import { periodOf } from './inspection-period.js';
import { stationInspectionWorkflow } from './station-inspection.workflow.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);

/** Set by Temporal on every workflow a Schedule starts: the time the action was due, not when it ran. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const PAGE_SIZE = 100;

export interface InspectionRoundInput {
  stationType: StationType;
  rhythm: InspectionRhythm;
  /** Only stations owned by this unit or below it; every station of the city when absent. */
  scopeUnitId?: string | null;
  /** Set when the round was started by hand; a scheduled round takes it from its scheduled time. */
  period?: string;
  /** Carried across continue-as-new. */
  progress?: { afterStationId: string; started: number; alreadyStarted: number; policyVersion: number };
}

export interface InspectionRoundResult {
  period: string;
  policyVersion: number;
  /** Inspections this round started. */
  started: number;
  /** Stations whose inspection for the period another round had started first. */
  alreadyStarted: number;
}

/**
 * One round of inspections for a station type: starts one `stationInspectionWorkflow` per station in service
 * (status `open`) of that type, within the scope, that has no inspection for the period yet. Started by the
 * type's Temporal Schedule at its rhythm (worker/schedules.ts), or by hand (POST /inspections/rounds).
 *
 * Idempotent per period: every inspection's workflow id is `inspection-<stationId>-<period>` and is never reused,
 * so a second round in the same period (a trigger, a retry, a catch-up) starts nothing twice. The inspections
 * are abandoned children: they outlive the round, which ends once every one of them has started.
 */
export async function inspectionRoundWorkflow(input: InspectionRoundInput): Promise<InspectionRoundResult> {
  const scheduledAt = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
  const period = input.period ?? periodOf(input.rhythm, (scheduledAt ?? workflowInfo().startTime).getTime());
  const policyVersion =
    input.progress?.policyVersion ?? (await records.currentInspectionPolicyVersion({ stationType: input.stationType }));
  let after = input.progress?.afterStationId ?? null;
  let started = input.progress?.started ?? 0;
  let alreadyStarted = input.progress?.alreadyStarted ?? 0;

  for (;;) {
    const stationIds = await records.listStationsForRound({
      stationType: input.stationType,
      scopeUnitId: input.scopeUnitId ?? null,
      period,
      afterStationId: after,
      limit: PAGE_SIZE,
    });
    if (stationIds.length === 0) {
      break;
    }
    const outcomes = await Promise.all(
      stationIds.map((stationId) =>
        startChild(stationInspectionWorkflow, {
          workflowId: inspectionWorkflowId(stationId, period),
          args: [
            {
              kind: 'start',
              start: {
                inspectionId: uuid4(),
                stationId,
                period,
                kind: 'scheduled',
                policyVersion,
                orderedByUserId: null,
              },
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }).then(
          () => true,
          (error: unknown) => {
            if (error instanceof WorkflowExecutionAlreadyStartedError) {
              return false;
            }
            throw error;
          },
        ),
      ),
    );
    started += outcomes.filter(Boolean).length;
    alreadyStarted += outcomes.filter((fresh) => !fresh).length;
    after = stationIds[stationIds.length - 1]!;
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof inspectionRoundWorkflow>({
        ...input,
        period,
        progress: { afterStationId: after, started, alreadyStarted, policyVersion },
      });
    }
  }

  log.info('Inspection round done', { stationType: input.stationType, period, started, alreadyStarted });
  return { period, policyVersion, started, alreadyStarted };
}
