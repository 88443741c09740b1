import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ancestorRef, receivingUnitId } from '../../api/routes/portal/applications.js';
import { normalisePhone } from '../../api/routes/portal/auth.js';
import {
  chineseDay,
  progressSentence,
  workerCaseSummary,
  workerCaseView,
  workerEventText,
} from '../../api/routes/portal/progress.js';
import type { AssistanceCase, CaseEvent } from '../../db/tables/assistance-case.table.js';

const UNION = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TOWNSHIP = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const DISTRICT = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const CITY = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
const NAMES: Record<string, string> = {
  [UNION]: '康宁社区联合工会',
  [TOWNSHIP]: '南明街道工会',
  [DISTRICT]: '新昌县总工会',
  [CITY]: '绍兴市总工会',
};
const unitName = (id: string | null | undefined) => (id ? NAMES[id] : undefined) ?? '工会';

/** 2026-12-04 12:00 in Shanghai. */
const NOW = Date.parse('2026-12-04T04:00:00Z');
/** 2026-12-10 17:30 in Shanghai. */
const DUE = new Date('2026-12-10T09:30:00Z');

const row = (over: Partial<AssistanceCase> = {}): AssistanceCase => ({
  id: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee',
  number: '42',
  worker_id: 'ffffffff-ffff-4fff-8fff-ffffffffffff',
  household_id: 'ffffffff-ffff-4fff-8fff-fffffffffff0',
  worker_unit_id: UNION,
  worker_unit_path: `/${CITY}/${DISTRICT}/${TOWNSHIP}/${UNION}/`,
  category: 'living',
  urgency: 'normal',
  source: 'self_application',
  summary: '我自己写的困难说明',
  status: 'open',
  step: 'verify',
  holder_unit_id: UNION,
  holder_unit_path: `/${CITY}/${DISTRICT}/${TOWNSHIP}/${UNION}/`,
  assignee_unit_id: UNION,
  opened_unit_id: UNION,
  opened_by_user_id: null,
  policy_version: 0,
  step_seq: 2,
  step_started_at: new Date(NOW),
  due_at: DUE,
  remind_at: null,
  suspended_until: null,
  escalation_level: 0,
  last_seq: 2,
  opened_at: new Date(NOW - 86_400_000),
  closed_at: null,
  fund: 'warmth',
  funding_blocked_reason: null,
  created_at: new Date(NOW),
  updated_at: new Date(NOW),
  ...over,
});

let seq = 0;
const event = (kind: string, data: Record<string, unknown> = {}, over: Partial<CaseEvent> = {}): CaseEvent => ({
  id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  case_id: row().id,
  seq,
  kind,
  from_step: 'verify',
  to_step: 'plan',
  actor_user_id: '99999999-9999-4999-8999-999999999999',
  actor_unit_id: UNION,
  holder_unit_id: UNION,
  data,
  occurred_at: new Date(NOW),
  created_at: new Date(NOW),
  updated_at: new Date(NOW),
  ...over,
});

describe('chineseDay', () => {
  test('is the Shanghai date, with the year only when it is not this year', () => {
    expect(chineseDay(DUE.getTime(), NOW)).toBe('12月10日');
    expect(chineseDay(Date.parse('2026-12-31T16:30:00Z'), NOW)).toBe('2027年1月1日');
    expect(chineseDay(Date.parse('2026-12-31T15:59:00Z'), NOW)).toBe('12月31日');
  });
});

describe('progressSentence', () => {
  test.each([
    ['dispatch', UNION, '您的申请已提交康宁社区联合工会，工作人员将在12月10日前安排办理'],
    ['accept', UNION, '您的申请已转交康宁社区联合工会，将在12月10日前受理'],
    ['verify', UNION, '您的申请已由康宁社区联合工会受理，工作人员将在12月10日前上门核实'],
    ['plan', UNION, '经核实符合帮扶条件，康宁社区联合工会将在12月10日前制定帮扶方案'],
    ['approve', TOWNSHIP, '帮扶方案已提交南明街道工会审批，预计12月10日前完成审批'],
    ['deliver', UNION, '帮扶方案已批准，康宁社区联合工会将在12月10日前发放帮扶'],
    ['report', UNION, '帮扶已发放，康宁社区联合工会将在12月10日前反馈办理结果'],
    ['review', TOWNSHIP, '康宁社区联合工会已反馈办理结果，南明街道工会将在12月10日前审核办结'],
  ] as const)('at %s names the unit holding the step and its due day', (step, holder, sentence) => {
    expect(progressSentence(row({ step, holder_unit_id: holder }), unitName, NOW)).toBe(sentence);
  });

  test('a case staff opened says 您的帮扶工单, not 您的申请', () => {
    expect(progressSentence(row({ source: 'staff', step: 'dispatch' }), unitName, NOW)).toBe(
      '您的帮扶工单已提交康宁社区联合工会，工作人员将在12月10日前安排办理',
    );
  });

  test('a suspended step says when it resumes', () => {
    const suspended = row({ due_at: null, suspended_until: new Date('2026-12-20T02:00:00Z') });

    expect(progressSentence(suspended, unitName, NOW)).toBe('入户核实暂停办理，预计12月20日恢复');
    expect(workerCaseSummary(suspended, unitName, NOW)).toMatchObject({
      suspended: true,
      expectedBy: null,
      expectedByLabel: '暂停',
    });
  });

  test.each([
    ['closed', '您的帮扶工单已办结'],
    ['withdrawn', '工单已撤销；如有疑问，可联系康宁社区联合工会'],
    ['not_eligible', '经核实，暂不符合本次帮扶条件，工单已结束；如有疑问，可联系康宁社区联合工会'],
  ] as const)('an ended case (%s) reads as ended, with no date pending', (status, sentence) => {
    const ended = row({ status, step: 'done', closed_at: new Date(NOW) });

    expect(progressSentence(ended, unitName, NOW)).toBe(sentence);
    expect(workerCaseSummary(ended, unitName, NOW)).toMatchObject({ expectedBy: null, currentUnit: null });
  });
});

describe('workerEventText', () => {
  const context = { source: 'self_application', category: 'medical' };

  test.each(
    [
      [event('opened', { source: 'self_application' }), '您提交了医疗救助申请'],
      [event('dispatch', { toUnitId: TOWNSHIP }), '工单已转交南明街道工会办理'],
      [event('accept'), '康宁社区联合工会已受理'],
      [event('return', { reason: '地址不符' }, { holder_unit_id: TOWNSHIP }), '工单转回南明街道工会重新安排办理'],
      [event('verify', { eligible: true, findings: '家庭困难' }), '工作人员已完成核实，符合帮扶条件'],
      [event('verify', { eligible: false, findings: '收入超标' }), '经核实，暂不符合本次帮扶条件，工单结束'],
      [event('plan', { totalFen: 100 }, { holder_unit_id: TOWNSHIP }), '帮扶方案已制定，提交南明街道工会审批'],
      [event('approve', { note: '同意' }), '帮扶方案已审批通过'],
      [event('reject', { reason: '金额偏高' }), '帮扶方案正在调整完善'],
      [
        event('deliver', { totalFen: 150_000, method: 'bank_transfer', reference: 'T-1' }),
        '帮扶已发放：1500.00 元（银行转账）',
      ],
      [event('deliver', { totalFen: 30_000, method: 'goods', reference: 'G-1' }), '实物帮扶已发放，折合 300.00 元'],
      [event('report', { result: '已回访', satisfaction: 2 }), '康宁社区联合工会已反馈帮扶结果'],
      [event('close'), '工单已办结'],
      [event('withdraw', { reason: '重复工单' }), '工单已撤销'],
      [event('suspended', { reason: '住院', until: '2026-12-20T02:00:00.000Z' }), '办理暂停，预计12月20日恢复'],
      [event('resumed', { dueAt: DUE.toISOString(), pausedMs: 1 }), '恢复办理，本步骤预计12月10日前完成'],
      [
        event('deadline_moved', { dueAt: DUE.toISOString(), year: 2026 }),
        '因节假日安排调整，本步骤预计完成日期调整为12月10日',
      ],
      [event('overdue', { level: 1 }), '本步骤已超出办理时限，上级工会已督办'],
      [event('escalation', { level: 2 }), '上级工会已进一步督办'],
    ].map(([e, text]) => ({ kind: (e as CaseEvent).kind, e: e as CaseEvent, text: text as string })),
  )('$kind reads $text', ({ e, text }) => {
    expect(workerEventText(e, context, unitName, NOW)).toBe(text);
  });

  test('a case opened by staff names the opening unit', () => {
    expect(
      workerEventText(event('opened', { source: 'staff' }), { source: 'staff', category: 'living' }, unitName, NOW),
    ).toBe('康宁社区联合工会为您建立了生活救助工单');
  });

  test('reminders, funding problems and kinds it does not know are not shown', () => {
    for (const kind of ['reminder', 'funding_blocked', 'standard_exception', 'internal_note']) {
      expect(workerEventText(event(kind, { message: '预算不足' }), context, unitName, NOW)).toBeNull();
    }
  });

  test('no text staff wrote, nor any staff id, ever reaches the worker’s timeline', () => {
    const KINDS = [
      'dispatch',
      'accept',
      'return',
      'verify',
      'plan',
      'approve',
      'reject',
      'deliver',
      'report',
      'close',
      'withdraw',
      'suspended',
      'resumed',
      'overdue',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.string({ minLength: 6, maxLength: 30 }).map((s) => `秘${s}密`),
        fc.boolean(),
        (kind, secret, eligible) => {
          const data = {
            reason: secret,
            findings: secret,
            note: secret,
            reference: secret,
            result: secret,
            message: secret,
            items: [{ kind: secret, amountFen: 100, note: secret }],
            eligible,
            totalFen: 100,
            method: 'cash',
            satisfaction: 3,
            until: DUE.toISOString(),
            dueAt: DUE.toISOString(),
          };
          const view = workerCaseView(row({ source: 'staff', summary: secret }), [event(kind, data)], unitName, NOW);
          const text = JSON.stringify(view);
          expect(text).not.toContain(secret);
          expect(text).not.toContain('99999999-9999-4999-8999-999999999999');
        },
      ),
      { seed: 20261207, numRuns: 200 },
    );
  });

  test('a self-application shows the worker’s own description; a staff case shows none', () => {
    expect(workerCaseView(row(), [], unitName, NOW).description).toBe('我自己写的困难说明');
    expect(workerCaseView(row({ source: 'perception' }), [], unitName, NOW).description).toBeNull();
  });
});

describe('receivingUnitId', () => {
  const lineage = [UNION, TOWNSHIP, DISTRICT, CITY];

  test('is the worker’s own union when it has case staff', () => {
    expect(receivingUnitId(lineage, new Set([UNION, TOWNSHIP]))).toBe(UNION);
  });

  test('is the nearest unit above with case staff otherwise', () => {
    expect(receivingUnitId(lineage, new Set([DISTRICT, CITY]))).toBe(DISTRICT);
  });

  test('falls back to the worker’s own union when no unit on the way up has staff', () => {
    expect(receivingUnitId(lineage, new Set())).toBe(UNION);
  });

  test('ancestorRef cuts the path at the unit', () => {
    expect(ancestorRef(`/${CITY}/${DISTRICT}/${TOWNSHIP}/${UNION}/`, DISTRICT)).toEqual({
      id: DISTRICT,
      path: `/${CITY}/${DISTRICT}/`,
    });
    expect(() => ancestorRef(`/${CITY}/${DISTRICT}/`, UNION)).toThrow();
  });
});

describe('normalisePhone', () => {
  test.each([
    ['13912345678', '13912345678'],
    [' 139 1234 5678 ', '13912345678'],
    ['139-1234-5678', '13912345678'],
    ['+86 13912345678', '13912345678'],
    ['008613912345678', '13912345678'],
    ['１３９１２３４５６７８', '13912345678'],
    ['12912345678', null],
    ['1391234567', null],
    ['139123456789', null],
    ['1391234567a', null],
    ['', null],
  ])('%j is %j', (raw, phone) => {
    expect(normalisePhone(raw)).toBe(phone);
  });
});
