import { ACTIONS, CASE_ROLES, type CaseAction, type CaseStatus, type Step } from '../shared/case-vocabulary.js';
import type { UnitRef } from '../shared/org-path.js';
import {
  assigneeOf,
  checkAction,
  type ActionCheckState,
  type ActionInput,
  type Actor,
  type PlanItem,
} from './case-lifecycle.state.js';

/**
 * Which actions a staff member may take on a case now, decided by the state machine's own `checkAction`, so the
 * console shows exactly the buttons the workflow would accept. Pure: the API builds the facts from the read
 * model (the case row and its timeline) and asks here instead of guessing.
 */

/** The read model's view of a case: the case row plus what its timeline says about the chain and the plan. */
export interface CaseFacts extends ActionCheckState {
  /** True while the step's clock runs (a deadline is set): only then can it be suspended. */
  clockRunning: boolean;
}

/** The caller, and whether their unit has units below it to dispatch to. */
export interface Viewer extends Actor {
  hasSubUnits: boolean;
}

/** One timeline entry, as the read model stores it. */
export interface TimelineFact {
  kind: string;
  fromStep: string;
  actorUserId: string | null;
  data: Record<string, unknown>;
}

export interface CaseRowFacts {
  status: CaseStatus;
  step: Step;
  holder: UnitRef;
  openerUnit: UnitRef;
  suspendedUntil: number | null;
  dueAt: number | null;
}

/** The units a case went down through, rebuilt from its timeline: dispatch adds one, a return (not at review) drops one. */
export function chainFromTimeline(
  openerUnit: UnitRef,
  events: readonly TimelineFact[],
  pathOf: (id: string) => string,
) {
  const chain: UnitRef[] = [openerUnit];
  for (const event of events) {
    if (event.kind === 'dispatch' && typeof event.data.toUnitId === 'string') {
      chain.push({ id: event.data.toUnitId, path: pathOf(event.data.toUnitId) });
    } else if (event.kind === 'return' && event.fromStep !== 'review' && chain.length > 1) {
      chain.pop();
    }
  }
  return chain;
}

/** The unit ids a timeline dispatched to, whose paths `chainFromTimeline` needs. */
export const dispatchTargets = (events: readonly TimelineFact[]): string[] =>
  events.flatMap((e) => (e.kind === 'dispatch' && typeof e.data.toUnitId === 'string' ? [e.data.toUnitId] : []));

/** The facts `availableActions` needs, from the case row and its timeline (the last plan and who submitted it). */
export function caseFacts(
  row: CaseRowFacts,
  events: readonly TimelineFact[],
  pathOf: (id: string) => string,
): CaseFacts {
  const lastPlan = [...events].reverse().find((e) => e.kind === 'plan');
  return {
    status: row.status,
    step: row.step,
    holder: row.holder,
    openerUnit: row.openerUnit,
    chain: chainFromTimeline(row.openerUnit, events, pathOf),
    plan: lastPlan && Array.isArray(lastPlan.data.items) ? (lastPlan.data.items as PlanItem[]) : null,
    plannedBy: lastPlan?.actorUserId ?? null,
    suspension: row.suspendedUntil === null ? null : { reason: '', from: 0, until: row.suspendedUntil },
    clockRunning: row.dueAt !== null,
  };
}

/** A well-formed request for each action, so that only the case and the caller decide the answer. */
function probe(action: CaseAction, facts: CaseFacts): ActionInput {
  switch (action) {
    case 'dispatch':
      return { action, toUnit: { id: 'probe', path: `${facts.holder.path}probe/` } };
    case 'return':
    case 'reject':
    case 'withdraw':
      return { action, reason: '-' };
    case 'verify':
      return { action, eligible: true, findings: '-' };
    case 'plan':
      return { action, items: [{ kind: '-', amountFen: 1 }], approver: assigneeOf(facts), thresholdVersion: 0 };
    case 'deliver':
      return { action, items: facts.plan ?? [], method: 'bank_transfer', reference: '-' };
    case 'report':
      return { action, result: '-', satisfaction: 5 };
    default:
      return { action };
  }
}

/**
 * The actions (`POST /cases/:id/actions/<action>`) the viewer may take now, in the order of ACTIONS. Dispatch
 * also needs a unit below the viewer's; what a form fills in (amounts, the target unit) is checked on submit.
 */
export function availableActions(facts: CaseFacts, viewer: Viewer): CaseAction[] {
  const actor: Actor = { userId: viewer.userId, role: viewer.role, unit: viewer.unit };
  return ACTIONS.filter(
    (action) =>
      (action !== 'dispatch' || viewer.hasSubUnits) && checkAction(facts, { ...probe(action, facts), actor }) === null,
  );
}

/** Whether the viewer may pause the step's clock now (`POST /cases/:id/suspensions`); the maximum is checked on submit. */
export function maySuspend(facts: CaseFacts, viewer: Viewer): boolean {
  return (
    facts.status === 'open' &&
    facts.clockRunning &&
    facts.suspension === null &&
    viewer.unit.id === facts.holder.id &&
    CASE_ROLES.includes(viewer.role)
  );
}
