import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FailureType } from '../../workflows/shared/failure-types.js';
import {
  adoptOpening,
  applyInspectionAction,
  checkInspectionAction,
  initialInspectionState,
  nextEscalation,
  scoreProblems,
  totalScore,
  verdictOf,
  type InspectionActionRequest,
  type InspectionActor,
  type InspectionRules,
  type InspectionState,
  type Scores,
} from '../../workflows/station-inspection/station-inspection.state.js';

const CITY = { id: 'c0000000-0000-4000-8000-000000000000', path: '/c0000000-0000-4000-8000-000000000000/' };
const DISTRICT = {
  id: 'd0000000-0000-4000-8000-000000000000',
  path: `${CITY.path}d0000000-0000-4000-8000-000000000000/`,
};
const TOWNSHIP = {
  id: 'e0000000-0000-4000-8000-000000000000',
  path: `${DISTRICT.path}e0000000-0000-4000-8000-000000000000/`,
};
const OTHER_DISTRICT = {
  id: 'f0000000-0000-4000-8000-000000000000',
  path: `${CITY.path}f0000000-0000-4000-8000-000000000000/`,
};

const RULES: InspectionRules = {
  checklist: [
    { id: 'hygiene', maxScore: 40 },
    { id: 'water', maxScore: 30 },
    { id: 'records', maxScore: 30 },
  ],
  passMark: 60,
  excellentMark: 90,
};

const inspector: InspectionActor = { userId: 'u-inspector', role: 'inspector', unit: DISTRICT };
const stationStaff: InspectionActor = { userId: 'u-staff', role: 'caseworker', unit: TOWNSHIP };

function openedState(): InspectionState {
  const state = initialInspectionState({
    inspectionId: 'i-1',
    stationId: 's-1',
    period: '2026Q4',
    kind: 'scheduled',
    policyVersion: 0,
    orderedByUserId: null,
  });
  return adoptOpening(state, {
    owner: TOWNSHIP,
    inspectorUserId: inspector.userId,
    rules: RULES,
    clock: {
      stepSeq: 1,
      step: 'inspect',
      startedAt: 0,
      duration: 'PT10S',
      calendar: 'natural',
      dueAt: 10_000,
      escalations: [
        { level: 1, unitId: TOWNSHIP.id, at: 10_000 },
        { level: 2, unitId: DISTRICT.id, at: 20_000 },
        { level: 3, unitId: CITY.id, at: 30_000 },
      ],
      escalatedLevel: 0,
    },
  });
}

const scores = (hygiene: number, water: number, records: number): Scores => ({ hygiene, water, records });
const submit = (s: Scores, actor = inspector): InspectionActionRequest => ({ action: 'submit', scores: s, actor });
const reinspect = (s: Scores, actor = inspector): InspectionActionRequest => ({
  action: 'reinspect',
  scores: s,
  actor,
});
const rectify = (actor = stationStaff): InspectionActionRequest => ({
  action: 'rectify',
  report: '已更换饮水机',
  actor,
});

function run(state: InspectionState, ...requests: InspectionActionRequest[]) {
  let current = state;
  const effects = [];
  for (const request of requests) {
    expect(checkInspectionAction(current, request)).toBeNull();
    const transition = applyInspectionAction(current, request);
    effects.push(transition.effect);
    current = transition.state;
  }
  return { state: current, effects };
}

describe('verdictOf', () => {
  test('fails below the pass mark, passes from it, is excellent from the excellent mark', () => {
    expect([59, 60, 89, 90, 100].map((total) => verdictOf(RULES, total))).toEqual([
      'failed',
      'passed',
      'passed',
      'excellent',
      'excellent',
    ]);
  });
});

describe('scoreProblems', () => {
  test('names a missing item, one above its maximum, a negative one, a fraction and an unknown item', () => {
    expect(scoreProblems(RULES, { hygiene: 41, water: -1, records: 1.5, lights: 3 })).toEqual([
      { field: 'scores.hygiene', reason: '不能大于 40（该项满分）' },
      { field: 'scores.water', reason: '不能小于 0' },
      { field: 'scores.records', reason: '须为整数' },
      { field: 'scores.lights', reason: '检查表中没有此项' },
    ]);
    expect(scoreProblems(RULES, { hygiene: 10, water: 10 })).toEqual([
      { field: 'scores.records', reason: '缺少此项评分' },
    ]);
  });

  test('accepts every whole-number score from 0 to each maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (a, b, c) =>
          scoreProblems(RULES, scores(a, b, c)).length === 0 ? totalScore(scores(a, b, c)) === a + b + c : false,
      ),
    );
  });
});

describe('an inspection’s course', () => {
  test('an excellent first score closes it with a commendation', () => {
    const { state, effects } = run(openedState(), submit(scores(40, 30, 25)));

    expect([state.status, state.step, state.outcome, state.firstScore]).toEqual(['closed', 'done', 'excellent', 95]);
    expect(effects).toEqual(['commend']);
  });

  test('a passing first score closes it as passed, with nothing else to do', () => {
    const { state, effects } = run(openedState(), submit(scores(30, 20, 10)));

    expect([state.status, state.outcome, state.finalScore]).toEqual(['closed', 'passed', 60]);
    expect(effects).toEqual([null]);
  });

  test('a failing score orders rectification; the report asks for re-inspection; a pass closes it as rectified', () => {
    const { state, effects } = run(openedState(), submit(scores(20, 20, 10)), rectify(), reinspect(scores(35, 25, 20)));

    expect([state.status, state.outcome, state.firstScore, state.finalScore]).toEqual(['closed', 'rectified', 50, 80]);
    expect(effects).toEqual(['order_rectification', 'request_reinspection', null]);
  });

  test('failing the re-inspection too closes it as failed and suspends the station', () => {
    const { state, effects } = run(openedState(), submit(scores(20, 20, 10)), rectify(), reinspect(scores(20, 20, 19)));

    expect([state.status, state.outcome, state.finalScore]).toEqual(['closed', 'failed', 59]);
    expect(effects).toEqual(['order_rectification', 'request_reinspection', 'suspend_station']);
  });

  test('each action is one event with the next sequence number, and begins a new timed step while open', () => {
    const first = applyInspectionAction(openedState(), submit(scores(20, 20, 10)));

    expect(first.event).toMatchObject({ seq: 2, kind: 'submit', fromStep: 'inspect', toStep: 'rectify' });
    expect(first.event.data).toEqual({ scores: scores(20, 20, 10), total: 50, verdict: 'failed' });
    expect([first.newStep, first.state.stepSeq, first.state.clock]).toEqual([true, 2, null]);
  });
});

describe('checkInspectionAction', () => {
  test('refuses a rectification for a station that passed, saying no rectification is needed', () => {
    const { state } = run(openedState(), submit(scores(40, 30, 30)));

    expect(checkInspectionAction(state, rectify())).toEqual({
      type: FailureType.RectificationNotRequired,
      message: '该驿站本次检查已合格，无需整改',
    });
  });

  test('refuses a rectification before any failure, and a second one', () => {
    const failed = run(openedState(), submit(scores(10, 10, 10))).state;
    const rectified = run(failed, rectify()).state;

    expect(checkInspectionAction(openedState(), rectify())?.type).toBe(FailureType.InspectionStepMismatch);
    expect(checkInspectionAction(rectified, rectify())?.type).toBe(FailureType.InspectionStepMismatch);
  });

  test('refuses scores outside the checklist, naming the item', () => {
    expect(checkInspectionAction(openedState(), submit(scores(41, 0, 0)))).toEqual({
      type: FailureType.ScoresInvalid,
      message: 'scores.hygiene：不能大于 40（该项满分）',
    });
  });

  test('lets only inspectors at or above the owning unit score, and only station staff there or above rectify', () => {
    const failed = run(openedState(), submit(scores(10, 10, 10))).state;
    const elsewhere: InspectionActor = { userId: 'u-x', role: 'inspector', unit: OTHER_DISTRICT };
    const cityInspector: InspectionActor = { userId: 'u-c', role: 'inspector', unit: CITY };

    expect(checkInspectionAction(openedState(), submit(scores(1, 1, 1), stationStaff))?.type).toBe(
      FailureType.NotInspectionActor,
    );
    expect(checkInspectionAction(openedState(), submit(scores(1, 1, 1), elsewhere))?.type).toBe(
      FailureType.NotInspectionActor,
    );
    expect(checkInspectionAction(openedState(), submit(scores(1, 1, 1), cityInspector))).toBeNull();
    expect(checkInspectionAction(failed, rectify(inspector))?.type).toBe(FailureType.NotInspectionActor);
  });

  test('refuses a second submit, a re-inspection before the report, and anything once closed', () => {
    const failed = run(openedState(), submit(scores(10, 10, 10))).state;
    const closed = run(failed, rectify(), reinspect(scores(10, 10, 10))).state;

    expect(checkInspectionAction(failed, submit(scores(40, 30, 30)))?.type).toBe(FailureType.InspectionStepMismatch);
    expect(checkInspectionAction(failed, reinspect(scores(40, 30, 30)))?.type).toBe(FailureType.InspectionStepMismatch);
    expect(checkInspectionAction(closed, reinspect(scores(40, 30, 30)))?.type).toBe(FailureType.InspectionNotOpen);
    expect(checkInspectionAction(closed, rectify())?.type).toBe(FailureType.InspectionNotOpen);
  });

  test('asks to wait while the inspection is not yet recorded', () => {
    const fresh = initialInspectionState({
      inspectionId: 'i-2',
      stationId: 's-2',
      period: '2026Q4',
      kind: 'scheduled',
      policyVersion: 0,
      orderedByUserId: null,
    });

    expect(checkInspectionAction(fresh, submit(scores(40, 30, 30)))?.type).toBe(FailureType.InspectionStepMismatch);
  });
});

describe('nextEscalation', () => {
  test('walks the ladder from the owning unit up to the city, then stops', () => {
    const state = openedState();
    const levels: number[] = [];
    for (let next = nextEscalation(state); next; next = nextEscalation(state)) {
      levels.push(next.level);
      state.clock!.escalatedLevel = next.level;
    }

    expect(levels).toEqual([1, 2, 3]);
  });

  test('has nothing pending once the inspection is closed', () => {
    expect(nextEscalation(run(openedState(), submit(scores(40, 30, 30))).state)).toBeNull();
  });
});
