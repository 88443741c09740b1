import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  availableActions,
  caseFacts,
  chainFromTimeline,
  maySuspend,
  type CaseFacts,
  type TimelineFact,
  type Viewer,
} from '../../workflows/case-lifecycle/case-lifecycle.available.js';
import {
  applyAction,
  checkAction,
  initialState,
  type ActionInput,
  type CaseState,
} from '../../workflows/case-lifecycle/case-lifecycle.state.js';
import type { StaffRole } from '../../workflows/shared/case-vocabulary.js';
import type { UnitRef } from '../../workflows/shared/org-path.js';

const unit = (path: string): UnitRef => ({ id: path.split('/').filter(Boolean).at(-1)!, path });
const city = unit('/city/');
const d1 = unit('/city/d1/');
const t1 = unit('/city/d1/t1/');
const g1 = unit('/city/d1/t1/g1/');
const d2 = unit('/city/d2/');
const UNITS = [city, d1, t1, g1, d2];
const pathOf = (id: string) => UNITS.find((u) => u.id === id)?.path ?? '';

const viewer = (at: UnitRef, role: StaffRole = 'caseworker', userId = `user-${at.id}`): Viewer => ({
  userId,
  role,
  unit: at,
  hasSubUnits: at !== g1,
});

/** A case the read model would show: the state machine's state, its events as the timeline stores them. */
interface Walk {
  state: CaseState;
  events: TimelineFact[];
}

function open(by: UnitRef): Walk {
  const state = initialState({
    caseId: 'case-1',
    workerId: 'worker-1',
    workerUnit: g1,
    category: 'living',
    urgency: 'normal',
    source: 'staff',
    summary: '生活困难',
    openedBy: { userId: `user-${by.id}`, role: 'caseworker', unit: by },
    policyVersion: 1,
  });
  return { state, events: [{ kind: 'opened', fromStep: 'dispatch', actorUserId: `user-${by.id}`, data: {} }] };
}

function act(walk: Walk, by: UnitRef, input: ActionInput, userId = `user-${by.id}`): Walk {
  const request = { ...input, actor: { userId, role: 'caseworker' as const, unit: by } };
  const rejection = checkAction(walk.state, request);
  if (rejection) {
    throw new Error(`${input.action} by ${by.id} refused: ${rejection.message}`);
  }
  const { state, event } = applyAction(walk.state, request);
  return {
    state,
    events: [...walk.events, { kind: event.kind, fromStep: event.fromStep, actorUserId: userId, data: event.data }],
  };
}

/** The facts the API builds from the read model for this walk. */
function factsOf(walk: Walk, clockRunning = true): CaseFacts {
  return caseFacts(
    {
      status: walk.state.status,
      step: walk.state.step,
      holder: walk.state.holder,
      openerUnit: walk.state.openerUnit,
      suspendedUntil: walk.state.suspension?.until ?? null,
      dueAt: clockRunning ? 1 : null,
    },
    walk.events,
    pathOf,
  );
}

const items = [{ kind: '生活补助', amountFen: 150_000 }];

describe('available actions', () => {
  test('follow a case down the tree and back up, for the holder and for everyone else', () => {
    let walk = open(d1);
    expect(availableActions(factsOf(walk), viewer(d1))).toEqual(['dispatch', 'accept', 'withdraw']);
    expect(availableActions(factsOf(walk), viewer(city))).toEqual(['withdraw']);
    expect(availableActions(factsOf(walk), viewer(t1))).toEqual([]);

    walk = act(walk, d1, { action: 'dispatch', toUnit: t1 });
    expect(availableActions(factsOf(walk), viewer(t1))).toEqual(['dispatch', 'accept', 'return', 'withdraw']);
    expect(availableActions(factsOf(walk), viewer(d1))).toEqual(['withdraw']);

    walk = act(walk, t1, { action: 'dispatch', toUnit: g1 });
    expect(availableActions(factsOf(walk), viewer(g1))).toEqual(['accept', 'return', 'withdraw']);
    expect(maySuspend(factsOf(walk), viewer(g1))).toBe(true);
    expect(maySuspend(factsOf(walk, false), viewer(g1))).toBe(false);
    expect(maySuspend(factsOf(walk), viewer(t1))).toBe(false);

    walk = act(walk, g1, { action: 'accept' });
    expect(availableActions(factsOf(walk), viewer(g1))).toEqual(['verify', 'withdraw']);

    walk = act(walk, g1, { action: 'verify', eligible: true, findings: '属实' });
    expect(availableActions(factsOf(walk), viewer(g1))).toEqual(['plan', 'withdraw']);

    walk = act(walk, g1, { action: 'plan', items, approver: t1, thresholdVersion: 1 });
    expect(availableActions(factsOf(walk), viewer(t1))).toEqual(['approve', 'reject', 'withdraw']);
    expect(availableActions(factsOf(walk), viewer(g1))).toEqual(['withdraw']);
    // The township's planner may not approve their own plan; a colleague may.
    expect(availableActions(factsOf(walk), viewer(t1, 'caseworker', 'user-g1'))).toEqual(['reject', 'withdraw']);

    walk = act(walk, t1, { action: 'approve' });
    expect(availableActions(factsOf(walk), viewer(g1))).toEqual(['deliver', 'withdraw']);

    walk = act(walk, g1, { action: 'deliver', items, method: 'cash', reference: 'R1' });
    expect(availableActions(factsOf(walk), viewer(g1))).toEqual(['report', 'withdraw']);

    walk = act(walk, g1, { action: 'report', result: '已到账', satisfaction: 5 });
    expect(availableActions(factsOf(walk), viewer(t1))).toEqual(['return', 'close', 'withdraw']);

    walk = act(walk, t1, { action: 'close' });
    for (const at of UNITS) {
      expect(availableActions(factsOf(walk), viewer(at))).toEqual([]);
      expect(maySuspend(factsOf(walk), viewer(at))).toBe(false);
    }
  });

  test('a suspended step offers resume to its holder instead of a second suspension', () => {
    const walk = act(open(d1), d1, { action: 'dispatch', toUnit: t1 });
    const facts = { ...factsOf(walk), suspension: { reason: '', from: 0, until: 10 } };

    expect(availableActions(facts, viewer(t1))).toEqual(['dispatch', 'accept', 'return', 'withdraw', 'resume']);
    expect(maySuspend(facts, viewer(t1))).toBe(false);
  });

  test('roles that do not handle cases get nothing, even at the holding unit', () => {
    const walk = act(open(d1), d1, { action: 'dispatch', toUnit: t1 });

    for (const role of ['trainer', 'employment_officer', 'inspector'] as const) {
      expect(availableActions(factsOf(walk), viewer(t1, role))).toEqual([]);
      expect(maySuspend(factsOf(walk), viewer(t1, role))).toBe(false);
    }
  });

  test('the chain is rebuilt from dispatches and returns, and a return at review keeps it', () => {
    const dispatch = (to: UnitRef): TimelineFact => ({
      kind: 'dispatch',
      fromStep: 'dispatch',
      actorUserId: null,
      data: { toUnitId: to.id },
    });
    const back = (fromStep: string): TimelineFact => ({ kind: 'return', fromStep, actorUserId: null, data: {} });

    expect(chainFromTimeline(d1, [dispatch(t1), dispatch(g1), back('accept')], pathOf)).toEqual([d1, t1]);
    expect(chainFromTimeline(d1, [dispatch(t1), dispatch(g1), back('review')], pathOf)).toEqual([d1, t1, g1]);
    expect(chainFromTimeline(d1, [back('accept')], pathOf)).toEqual([d1]);
  });

  test('for any reachable case, the facts rebuilt from the timeline give the same answer as the live state', () => {
    const anyViewer = fc.record({
      at: fc.constantFrom(...UNITS),
      role: fc.constantFrom<StaffRole>('admin', 'supervisor', 'caseworker', 'inspector'),
      planner: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 14 }),
        fc.array(anyViewer, { minLength: 1, maxLength: 4 }),
        (choices, viewers) => {
          let walk = open(d1);
          for (const choice of choices) {
            const options = moves(walk.state);
            if (options.length === 0) {
              break;
            }
            const [by, input] = options[choice % options.length]!;
            walk = act(walk, by, input);
          }
          const rebuilt = factsOf(walk);
          const live: CaseFacts = { ...walk.state, clockRunning: true };
          expect(rebuilt.chain).toEqual(walk.state.chain);
          expect(rebuilt.plannedBy).toEqual(walk.state.plannedBy);
          for (const v of viewers) {
            const who = viewer(
              v.at,
              v.role,
              v.planner && walk.state.plannedBy ? walk.state.plannedBy : `user-${v.at.id}`,
            );
            expect(availableActions(rebuilt, who)).toEqual(availableActions(live, who));
          }
        },
      ),
      { seed: 20261205, numRuns: 300 },
    );
  });
});

/** Every action some unit could take now, with a valid request: the moves of a random walk. */
function moves(state: CaseState): [UnitRef, ActionInput][] {
  const all: [UnitRef, ActionInput][] = [];
  for (const by of UNITS) {
    const candidates: ActionInput[] = [
      ...UNITS.map((to) => ({ action: 'dispatch' as const, toUnit: to })),
      { action: 'accept' },
      { action: 'return', reason: '退回' },
      { action: 'verify', eligible: true, findings: '属实' },
      { action: 'verify', eligible: false, findings: '不符' },
      { action: 'plan', items, approver: state.chain[state.chain.length - 2] ?? state.holder, thresholdVersion: 1 },
      { action: 'approve' },
      { action: 'reject', reason: '金额过高' },
      { action: 'deliver', items, method: 'cash', reference: 'R' },
      { action: 'report', result: '已到账', satisfaction: 4 },
      { action: 'close' },
    ];
    for (const input of candidates) {
      if (!checkAction(state, { ...input, actor: { userId: `user-${by.id}`, role: 'caseworker', unit: by } })) {
        all.push([by, input]);
      }
    }
  }
  return all;
}
