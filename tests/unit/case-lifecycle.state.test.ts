import { describe, expect, test } from 'vitest';

import {
  applyAction,
  checkAction,
  checkSuspension,
  initialState,
  nextTimerPoint,
  reviewerOf,
  type ActionInput,
  type ActionRequest,
  type Actor,
  type CaseState,
  type PlanItem,
  type StepClock,
  type SuspendRequest,
  type Transition,
} from '../../workflows/case-lifecycle/case-lifecycle.state.js';
import { TIMED_STEPS, type StaffRole, type Step } from '../../workflows/shared/case-vocabulary.js';
import type { UnitRef } from '../../workflows/shared/org-path.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const unit = (path: string): UnitRef => ({ id: path.split('/').filter(Boolean).at(-1)!, path });

const city = unit('/city/');
const d1 = unit('/city/d1/');
const t1 = unit('/city/d1/t1/');
const g1 = unit('/city/d1/t1/g1/');
const d2 = unit('/city/d2/');
const t2 = unit('/city/d2/t2/');
const d10 = unit('/city/d10/');

const staff = (at: UnitRef, role: StaffRole = 'caseworker'): Actor => ({ userId: `user-${at.id}`, role, unit: at });

const request = (by: UnitRef, input: ActionInput, role: StaffRole = 'caseworker'): ActionRequest => ({
  ...input,
  actor: staff(by, role),
});

function openCase(by: UnitRef): CaseState {
  return initialState({
    caseId: 'case-1',
    workerId: 'worker-1',
    workerUnit: g1,
    category: 'living',
    urgency: 'normal',
    source: 'staff',
    summary: '家中老人住院，生活困难',
    openedBy: staff(by),
    policyVersion: 3,
  });
}

/** Checks and applies one action, failing loudly if the state machine refuses it. */
function act(state: CaseState, by: UnitRef, input: ActionInput): Transition {
  const rejection = checkAction(state, request(by, input));
  if (rejection) {
    throw new Error(`${input.action} by ${by.id} was refused: ${rejection.type}`);
  }

  return applyAction(state, request(by, input));
}

type Move = [UnitRef, ActionInput];

const run = (state: CaseState, moves: readonly Move[]): CaseState =>
  moves.reduce((current, [by, input]) => act(current, by, input).state, state);

const ITEMS: PlanItem[] = [
  { kind: 'cash', amountFen: 200_000, note: '春节慰问金' },
  { kind: 'rice', amountFen: 0 },
];

/** Opened by the city and passed down to a grassroots unit, which handles it; the township approves and reviews. */
const HAPPY_PATH: Move[] = [
  [city, { action: 'dispatch', toUnit: d1 }],
  [d1, { action: 'dispatch', toUnit: t1 }],
  [t1, { action: 'dispatch', toUnit: g1 }],
  [g1, { action: 'accept' }],
  [g1, { action: 'verify', eligible: true, findings: '入户核实属实' }],
  [g1, { action: 'plan', items: ITEMS, approver: t1, thresholdVersion: 0 }],
  [t1, { action: 'approve', note: '同意' }],
  [g1, { action: 'deliver', items: ITEMS, method: 'bank_transfer', reference: 'TX-20260309-01' }],
  [g1, { action: 'report', result: '已发放到位', satisfaction: 5 }],
  [t1, { action: 'close' }],
];

/** The state of the city-opened case just before the happy path's move at `index` (0 = freshly opened). */
const beforeMove = (index: number): CaseState => run(openCase(city), HAPPY_PATH.slice(0, index));

const atDispatch = beforeMove(0);
const atAcceptInDistrict = beforeMove(1);
const atAcceptInGrassroots = beforeMove(3);
const atVerify = beforeMove(4);
const atPlan = beforeMove(5);
const atApprove = beforeMove(6);
const atDeliver = beforeMove(7);
const atReport = beforeMove(8);
const atReview = beforeMove(9);
const closed = beforeMove(10);

/** A case opened by district d1 and handled by township t1, collected at the first state of every timed step. */
function districtCaseByStep(): Map<Step, CaseState> {
  const moves: Move[] = [
    [d1, { action: 'dispatch', toUnit: t1 }],
    [t1, { action: 'accept' }],
    [t1, { action: 'verify', eligible: true, findings: '属实' }],
    [t1, { action: 'plan', items: ITEMS, approver: d1, thresholdVersion: 0 }],
    [d1, { action: 'approve' }],
    [t1, { action: 'deliver', items: ITEMS, method: 'cash', reference: 'R-1' }],
    [t1, { action: 'report', result: '已发放', satisfaction: 4 }],
  ];
  const byStep = new Map<Step, CaseState>();
  let state = openCase(d1);
  byStep.set(state.step, state);
  for (const [by, input] of moves) {
    state = act(state, by, input).state;
    byStep.set(state.step, state);
  }

  return byStep;
}

const districtCase = districtCaseByStep();

describe('initialState', () => {
  test('opens the case at the dispatch step, held by the opening unit, with seq and stepSeq 1', () => {
    expect(openCase(city)).toEqual({
      caseId: 'case-1',
      workerId: 'worker-1',
      category: 'living',
      urgency: 'normal',
      source: 'staff',
      policyVersion: 3,
      status: 'open',
      step: 'dispatch',
      openerUnit: city,
      chain: [city],
      holder: city,
      seq: 1,
      stepSeq: 1,
      plan: null,
      planVersion: 0,
      plannedBy: null,
      fundsReserved: false,
      suspension: null,
      clock: null,
      recorded: false,
    });
  });
});

describe('the happy path', () => {
  test('moves a case city → district → township → grassroots and back up to closed, one step and one event per action', () => {
    const seen: { step: Step; holder: string; status: string; seq: number; stepSeq: number }[] = [];

    let state = openCase(city);
    for (const [by, input] of HAPPY_PATH) {
      state = act(state, by, input).state;
      seen.push({
        step: state.step,
        holder: state.holder.id,
        status: state.status,
        seq: state.seq,
        stepSeq: state.stepSeq,
      });
    }

    expect(seen).toEqual([
      { step: 'accept', holder: 'd1', status: 'open', seq: 2, stepSeq: 2 },
      { step: 'accept', holder: 't1', status: 'open', seq: 3, stepSeq: 3 },
      { step: 'accept', holder: 'g1', status: 'open', seq: 4, stepSeq: 4 },
      { step: 'verify', holder: 'g1', status: 'open', seq: 5, stepSeq: 5 },
      { step: 'plan', holder: 'g1', status: 'open', seq: 6, stepSeq: 6 },
      { step: 'approve', holder: 't1', status: 'open', seq: 7, stepSeq: 7 },
      { step: 'deliver', holder: 'g1', status: 'open', seq: 8, stepSeq: 8 },
      { step: 'report', holder: 'g1', status: 'open', seq: 9, stepSeq: 9 },
      { step: 'review', holder: 't1', status: 'open', seq: 10, stepSeq: 10 },
      { step: 'done', holder: 't1', status: 'closed', seq: 11, stepSeq: 11 },
    ]);
  });

  test('ends closed at step done with the whole dispatch chain and the approved plan kept', () => {
    expect(closed).toEqual({
      ...openCase(city),
      status: 'closed',
      step: 'done',
      chain: [city, d1, t1, g1],
      holder: t1,
      seq: 11,
      stepSeq: 11,
      plan: ITEMS,
      planVersion: 1,
      plannedBy: 'user-g1',
    });
  });

  test('hands the plan for approval to the township that dispatched to the grassroots unit, with the total in the event', () => {
    const transition = act(atPlan, g1, { action: 'plan', items: ITEMS, approver: t1, thresholdVersion: 0 });

    expect(transition.state.holder).toEqual(t1);
    expect(transition.newStep).toBe(true);
    expect(transition.event).toEqual({
      seq: 7,
      kind: 'plan',
      fromStep: 'plan',
      toStep: 'approve',
      actorUserId: 'user-g1',
      actorUnitId: 'g1',
      data: { items: ITEMS, totalFen: 200_000, approverUnitId: 't1', thresholdVersion: 0, planVersion: 1 },
    });
  });

  test('hands the report for review to the township that dispatched to the grassroots unit', () => {
    const transition = act(atReport, g1, { action: 'report', result: '已发放到位', satisfaction: 5 });

    expect(transition.state.step).toBe('review');
    expect(transition.state.holder).toEqual(t1);
    expect(transition.event.data).toEqual({ result: '已发放到位', satisfaction: 5 });
  });

  test('closing starts no new step', () => {
    const transition = act(atReview, t1, { action: 'close' });

    expect(transition.newStep).toBe(false);
    expect(transition.event).toEqual({
      seq: 11,
      kind: 'close',
      fromStep: 'review',
      toStep: 'done',
      actorUserId: 'user-t1',
      actorUnitId: 't1',
      data: {},
    });
  });

  test('lets the opening unit take the case on itself, going straight to verify with the chain unchanged', () => {
    const state = act(atDispatch, city, { action: 'accept' }).state;

    expect(state.step).toBe('verify');
    expect(state.holder).toEqual(city);
    expect(state.chain).toEqual([city]);
    expect(state.stepSeq).toBe(2);
  });
});

describe('money rules of the case', () => {
  test('refuses approval by the person who submitted the plan with SelfApprovalError', () => {
    const plannedByT1 = { ...atApprove, plannedBy: 'user-t1' };

    expect(checkAction(plannedByT1, request(t1, { action: 'approve' }))?.type).toBe('SelfApprovalError');
  });

  test('refuses a delivery whose items differ from the approved plan with InvalidActionError', () => {
    const other = [{ kind: 'cash', amountFen: 199_999 }, ITEMS[1]!];

    expect(
      checkAction(atDeliver, request(g1, { action: 'deliver', items: other, method: 'cash', reference: 'R' }))?.type,
    ).toBe('InvalidActionError');
  });

  test("refuses a plan routed to an approver outside the assignee's line with InvalidActionError", () => {
    expect(
      checkAction(atPlan, request(g1, { action: 'plan', items: ITEMS, approver: d2, thresholdVersion: 0 }))?.type,
    ).toBe('InvalidActionError');
  });

  test('marks the money reserved on approval and no longer reserved once delivered', () => {
    expect(act(atApprove, t1, { action: 'approve' }).state.fundsReserved).toBe(true);
    expect(atReport.fundsReserved).toBe(false);
  });
});

describe('reviewerOf', () => {
  test.each([
    ['is the township when a township dispatched to the grassroots unit handling the case', atVerify, t1],
    ['is the city when the city took its own case on itself', act(atDispatch, city, { action: 'accept' }).state, city],
    [
      'is the parent city when a district took its own case on itself',
      act(openCase(d1), d1, { action: 'accept' }).state,
      city,
    ],
  ])('%s', (_title, state, expected) => {
    expect(reviewerOf(state)).toEqual(expected);
  });
});

describe('returning a case', () => {
  test('at accept sends the case back to the sender, at the dispatch step, and drops the returning unit from the chain', () => {
    const transition = act(atAcceptInGrassroots, g1, { action: 'return', reason: '不属于本单位辖区' });

    expect(transition.state.step).toBe('dispatch');
    expect(transition.state.holder).toEqual(t1);
    expect(transition.state.chain).toEqual([city, d1, t1]);
    expect(transition.state.stepSeq).toBe(5);
    expect(transition.event.data).toEqual({ reason: '不属于本单位辖区' });
  });

  test('at review sends the report back to the grassroots assignee, at the report step, with the chain kept', () => {
    const state = act(atReview, t1, { action: 'return', reason: '缺少发放凭证' }).state;

    expect(state.step).toBe('report');
    expect(state.holder).toEqual(g1);
    expect(state.chain).toEqual([city, d1, t1, g1]);
    expect(state.stepSeq).toBe(11);
  });

  test('a unit that got the case back can return it one level further up', () => {
    const returned = act(atAcceptInGrassroots, g1, { action: 'return', reason: '辖区不符' }).state;

    const state = act(returned, t1, { action: 'return', reason: '乡镇无力办理' }).state;

    expect(state.step).toBe('dispatch');
    expect(state.holder).toEqual(d1);
    expect(state.chain).toEqual([city, d1]);
  });

  test('the opening unit cannot return the case at the dispatch step', () => {
    expect(checkAction(atDispatch, request(city, { action: 'return', reason: '退回' }))).toEqual({
      type: 'StepMismatchError',
      message: '开单单位不能退回工单，可撤销或派单',
    });
  });
});

describe('approval', () => {
  test('a rejected plan goes back to the grassroots assignee at the plan step', () => {
    const state = act(atApprove, t1, { action: 'reject', reason: '金额超标' }).state;

    expect(state.step).toBe('plan');
    expect(state.holder).toEqual(g1);
    expect(state.stepSeq).toBe(8);
  });
});

describe('verification', () => {
  test('a worker found not eligible closes the case with status not_eligible and starts no new step', () => {
    const transition = act(atVerify, g1, { action: 'verify', eligible: false, findings: '家庭收入高于标准' });

    expect(transition.state.status).toBe('not_eligible');
    expect(transition.state.step).toBe('done');
    expect(transition.newStep).toBe(false);
    expect(transition.event.data).toEqual({ eligible: false, findings: '家庭收入高于标准' });
  });
});

describe('withdrawal', () => {
  test.each(TIMED_STEPS)('the city, above the opening district, may withdraw the case at the %s step', (step) => {
    const state = districtCase.get(step)!;
    const withdraw = request(city, { action: 'withdraw', reason: '重复开单' });

    expect(checkAction(state, withdraw)).toBeNull();
    const next = applyAction(state, withdraw);
    expect(next.state.status).toBe('withdrawn');
    expect(next.state.step).toBe('done');
    expect(next.state.stepSeq).toBe(state.stepSeq + 1);
    expect(next.newStep).toBe(false);
    expect(next.event.data).toEqual({ reason: '重复开单' });
  });

  test.each(TIMED_STEPS)('a unit of another district (d2) may not withdraw the case at the %s step', (step) => {
    const rejection = checkAction(districtCase.get(step)!, request(d2, { action: 'withdraw', reason: '重复开单' }));

    expect(rejection?.type).toBe('NotStepHolderError');
  });

  test('the township handling the case, below the opener, may withdraw it', () => {
    expect(
      checkAction(districtCase.get('verify')!, request(t1, { action: 'withdraw', reason: '职工已搬离' })),
    ).toBeNull();
  });
});

describe('checkAction', () => {
  test.each([
    [
      'a district dispatching while the city holds the dispatch step',
      atDispatch,
      d1,
      { action: 'dispatch', toUnit: t1 },
    ],
    ['the city accepting on behalf of the district it dispatched to', atAcceptInDistrict, city, { action: 'accept' }],
    ['the grassroots unit approving its own plan', atApprove, g1, { action: 'approve' }],
    ['the district closing a case the township reviews', atReview, d1, { action: 'close' }],
    [
      'the township reporting for the grassroots unit',
      atReport,
      t1,
      { action: 'report', result: '完成', satisfaction: 5 },
    ],
  ] satisfies [string, CaseState, UnitRef, ActionInput][])(
    'refuses %s with NotStepHolderError',
    (_title, state, by, input) => {
      expect(checkAction(state, request(by, input))?.type).toBe('NotStepHolderError');
    },
  );

  test.each([
    ['verify at the dispatch step', atDispatch, city, { action: 'verify', eligible: true, findings: '属实' }],
    ['plan at the verify step', atVerify, g1, { action: 'plan', items: ITEMS, approver: t1, thresholdVersion: 0 }],
    ['approve at the plan step', atPlan, g1, { action: 'approve' }],
    [
      'dispatch at the verify step, once the case is accepted',
      atVerify,
      g1,
      { action: 'dispatch', toUnit: unit('/city/d1/t1/g1/x/') },
    ],
    ['close at the report step', atReport, g1, { action: 'close' }],
    ['return at the plan step', atPlan, g1, { action: 'return', reason: '退回' }],
    ['resume when the clock is not suspended', atVerify, g1, { action: 'resume' }],
  ] satisfies [string, CaseState, UnitRef, ActionInput][])(
    'refuses %s with StepMismatchError',
    (_title, state, by, input) => {
      expect(checkAction(state, request(by, input))?.type).toBe('StepMismatchError');
    },
  );

  test('names the current step and the refused action in Chinese', () => {
    expect(checkAction(atDispatch, request(city, { action: 'verify', eligible: true, findings: '属实' }))).toEqual({
      type: 'StepMismatchError',
      message: '工单当前处于「派单」步骤，不能执行「核实」',
    });
  });

  test.each([
    ['a unit of another district', d2],
    ['a township of another district', t2],
    ['a district whose path only starts with the same characters (/city/d10/)', d10],
    ['the holder itself', d1],
    ['its parent, the city', city],
  ])('refuses dispatch from district d1 to %s with DispatchTargetInvalidError', (_title, target) => {
    const rejection = checkAction(atAcceptInDistrict, request(d1, { action: 'dispatch', toUnit: target }));

    expect(rejection).toEqual({ type: 'DispatchTargetInvalidError', message: '只能派单给本单位的下级单位' });
  });

  test('accepts dispatch from district d1 straight to a grassroots unit two levels below', () => {
    expect(checkAction(atAcceptInDistrict, request(d1, { action: 'dispatch', toUnit: g1 }))).toBeNull();
  });

  test.each(['trainer', 'employment_officer', 'inspector'] satisfies StaffRole[])(
    'refuses a %s of the holding unit with RoleNotAllowedError',
    (role) => {
      expect(checkAction(atDispatch, request(city, { action: 'dispatch', toUnit: d1 }, role))).toEqual({
        type: 'RoleNotAllowedError',
        message: '您的角色不能办理帮扶工单',
      });
    },
  );

  test.each(['admin', 'supervisor', 'caseworker'] satisfies StaffRole[])(
    'lets a %s of the holding unit act',
    (role) => {
      expect(checkAction(atDispatch, request(city, { action: 'dispatch', toUnit: d1 }, role))).toBeNull();
    },
  );

  test.each([
    ['close', t1, { action: 'close' }],
    ['return', t1, { action: 'return', reason: '退回' }],
    ['withdraw by the city', city, { action: 'withdraw', reason: '撤销' }],
    ['accept', t1, { action: 'accept' }],
    ['resume', t1, { action: 'resume' }],
  ] satisfies [string, UnitRef, ActionInput][])(
    'refuses %s on a closed case with CaseNotOpenError',
    (_title, by, input) => {
      expect(checkAction(closed, request(by, input))).toEqual({
        type: 'CaseNotOpenError',
        message: '工单已结束，不能再办理',
      });
    },
  );

  test('refuses any action on a case closed as not eligible with CaseNotOpenError', () => {
    const notEligible = act(atVerify, g1, { action: 'verify', eligible: false, findings: '不符合' }).state;

    expect(
      checkAction(notEligible, request(g1, { action: 'plan', items: ITEMS, approver: t1, thresholdVersion: 0 }))?.type,
    ).toBe('CaseNotOpenError');
  });

  test.each([
    ['no items', []],
    ['a negative amount', [{ kind: 'cash', amountFen: -1 }]],
    ['a fractional amount of fen', [{ kind: 'cash', amountFen: 100.5 }]],
    ['an amount that is not a number', [{ kind: 'cash', amountFen: Number.NaN }]],
    [
      'one bad item among good ones',
      [
        { kind: 'rice', amountFen: 5_000 },
        { kind: 'cash', amountFen: -100 },
      ],
    ],
  ] satisfies [string, PlanItem[]][])('refuses a plan with %s with InvalidActionError', (_title, items) => {
    expect(checkAction(atPlan, request(g1, { action: 'plan', items, approver: t1, thresholdVersion: 0 }))?.type).toBe(
      'InvalidActionError',
    );
  });

  test('refuses a delivery with no items with InvalidActionError', () => {
    const deliver: ActionInput = { action: 'deliver', items: [], method: 'cash', reference: 'R-1' };

    expect(checkAction(atDeliver, request(g1, deliver))).toEqual({
      type: 'InvalidActionError',
      message: '发放明细须与批准的帮扶方案一致（项目与金额）',
    });
  });

  test('accepts a plan item of 0 fen (help in kind)', () => {
    expect(
      checkAction(
        atPlan,
        request(g1, { action: 'plan', items: [{ kind: 'visit', amountFen: 0 }], approver: t1, thresholdVersion: 0 }),
      ),
    ).toBeNull();
  });

  test.each([0, 6, 2.5])('refuses a report with satisfaction %s with InvalidActionError', (satisfaction) => {
    expect(checkAction(atReport, request(g1, { action: 'report', result: '完成', satisfaction }))).toEqual({
      type: 'InvalidActionError',
      message: '满意度须为 1 到 5 的整数',
    });
  });

  test.each([1, 5])('accepts a report with satisfaction %s', (satisfaction) => {
    expect(checkAction(atReport, request(g1, { action: 'report', result: '完成', satisfaction }))).toBeNull();
  });
});

const NOW = Date.parse('2026-03-09T10:00:00+08:00');

const clockAt = (overrides: Partial<StepClock> = {}): StepClock => ({
  stepSeq: 5,
  step: 'verify',
  startedAt: NOW - 2 * HOUR,
  duration: 'P5D',
  calendar: 'working',
  maxSuspension: 'P7D',
  pauses: [],
  dueAt: NOW + 5 * DAY,
  remindAt: NOW + 3 * DAY,
  escalations: [
    { level: 1, unitId: 't1', at: NOW + 5 * DAY },
    { level: 2, unitId: 'd1', at: NOW + 10 * DAY },
    { level: 3, unitId: 'city', at: NOW + 15 * DAY },
  ],
  reminded: false,
  escalatedLevel: 0,
  ...overrides,
});

const timed: CaseState = { ...atVerify, clock: clockAt() };

const suspend = (by: UnitRef, until: number | string, role: StaffRole = 'caseworker'): SuspendRequest => ({
  actor: staff(by, role),
  reason: '等待职工补交材料',
  until: typeof until === 'number' ? new Date(until).toISOString() : until,
});

describe('checkSuspension', () => {
  test('lets the holder suspend the clock until a moment within the maximum', () => {
    expect(checkSuspension(timed, suspend(g1, NOW + 3 * DAY), NOW)).toBeNull();
  });

  test('lets the holder suspend for exactly the maximum, P7D', () => {
    expect(checkSuspension(timed, suspend(g1, NOW + 7 * DAY), NOW)).toBeNull();
  });

  test.each([
    ['an end in the past', NOW - HOUR, '暂停截止时间须晚于当前时间'],
    ['an end equal to now', NOW, '暂停截止时间须晚于当前时间'],
    ['an end that is not a date', 'next week', '暂停截止时间须晚于当前时间'],
    [
      'an end one second beyond the clock’s maxSuspension P7D',
      NOW + 7 * DAY + 1000,
      '本步骤累计暂停时长将超过政策允许的上限 P7D',
    ],
  ])('refuses %s with SuspensionInvalidError', (_title, until, message) => {
    expect(checkSuspension(timed, suspend(g1, until), NOW)).toEqual({ type: 'SuspensionInvalidError', message });
  });

  test('counts earlier suspensions of the same step towards the maximum', () => {
    const resumedOnce: CaseState = {
      ...timed,
      clock: clockAt({ pauses: [{ from: NOW - 5 * DAY, to: NOW - 1 * DAY }] }),
    };

    expect(checkSuspension(resumedOnce, suspend(g1, NOW + 3 * DAY), NOW)).toBeNull();
    expect(checkSuspension(resumedOnce, suspend(g1, NOW + 3 * DAY + 1000), NOW)).toEqual({
      type: 'SuspensionInvalidError',
      message: '本步骤累计暂停时长将超过政策允许的上限 P7D',
    });
  });

  test('refuses a second suspension while the first is running with SuspensionInvalidError', () => {
    const suspended: CaseState = { ...timed, suspension: { reason: '等待材料', from: NOW - HOUR, until: NOW + DAY } };

    expect(checkSuspension(suspended, suspend(g1, NOW + 2 * DAY), NOW)).toEqual({
      type: 'SuspensionInvalidError',
      message: '当前步骤已在暂停计时中',
    });
  });

  test('refuses a step whose clock is not yet computed with SuspensionInvalidError', () => {
    expect(checkSuspension(atVerify, suspend(g1, NOW + DAY), NOW)?.type).toBe('SuspensionInvalidError');
  });

  test('refuses a unit that does not hold the step with NotStepHolderError', () => {
    expect(checkSuspension(timed, suspend(t1, NOW + DAY), NOW)?.type).toBe('NotStepHolderError');
  });

  test('refuses a trainer of the holding unit with RoleNotAllowedError', () => {
    expect(checkSuspension(timed, suspend(g1, NOW + DAY, 'trainer'), NOW)?.type).toBe('RoleNotAllowedError');
  });

  test('refuses a closed case with CaseNotOpenError', () => {
    expect(checkSuspension({ ...timed, status: 'closed' }, suspend(g1, NOW + DAY), NOW)?.type).toBe('CaseNotOpenError');
  });
});

describe('nextTimerPoint', () => {
  test('gives the reminder first while it is pending', () => {
    expect(nextTimerPoint(timed)).toEqual({ kind: 'reminder', at: NOW + 3 * DAY });
  });

  test.each([
    [0, { level: 1, unitId: 't1', at: NOW + 5 * DAY }],
    [1, { level: 2, unitId: 'd1', at: NOW + 10 * DAY }],
    [2, { level: 3, unitId: 'city', at: NOW + 15 * DAY }],
  ])('after the reminder and escalation level %i, gives the next escalation', (escalatedLevel, escalation) => {
    const state: CaseState = { ...timed, clock: clockAt({ reminded: true, escalatedLevel }) };

    expect(nextTimerPoint(state)).toEqual({ kind: 'escalation', at: escalation.at, escalation });
  });

  test('gives null once the reminder and every escalation have fired', () => {
    expect(nextTimerPoint({ ...timed, clock: clockAt({ reminded: true, escalatedLevel: 3 }) })).toBeNull();
  });

  test('gives the first escalation before a reminder that falls after it', () => {
    const state: CaseState = { ...timed, clock: clockAt({ remindAt: NOW + 6 * DAY }) };

    expect(nextTimerPoint(state)).toEqual({
      kind: 'escalation',
      at: NOW + 5 * DAY,
      escalation: { level: 1, unitId: 't1', at: NOW + 5 * DAY },
    });
  });

  test('gives the end of the suspension while the clock is suspended, ahead of the pending reminder', () => {
    const suspended: CaseState = { ...timed, suspension: { reason: '等待材料', from: NOW, until: NOW + 2 * DAY } };

    expect(nextTimerPoint(suspended)).toEqual({ kind: 'suspension_end', at: NOW + 2 * DAY });
  });

  test('gives null for a closed case, even one that still carries a clock', () => {
    expect(nextTimerPoint({ ...timed, status: 'closed', step: 'done' })).toBeNull();
    expect(nextTimerPoint(closed)).toBeNull();
  });

  test('gives null while the step’s clock is not yet computed', () => {
    expect(nextTimerPoint(atVerify)).toBeNull();
  });
});
