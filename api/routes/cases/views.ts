import type { AssistanceCase, CaseEvent } from '../../../db/tables/assistance-case.table.js';
import {
  ACTION_LABELS,
  CATEGORY_LABELS,
  STATUS_LABELS,
  STEP_LABELS,
  type CaseAction,
  type Category,
} from '../../../workflows/shared/case-vocabulary.js';
import { toShanghaiIso } from '../../time.js';

const yuan = (fen: unknown) => `${(Number(fen) / 100).toFixed(2)} 元`;
const shanghai = (iso: unknown) =>
  typeof iso === 'string' ? (toShanghaiIso(Date.parse(iso)) ?? '').slice(0, 16).replace('T', ' ') : '';
const days = (ms: unknown) => `${(Number(ms) / 86_400_000).toFixed(2)} 天`;

/** The timeline line a caseworker reads for one event, in Chinese. */
export function describeEvent(event: CaseEvent): string {
  const d = event.data;
  switch (event.kind) {
    case 'opened':
      return '开单';
    case 'dispatch':
      return '派单至下级单位';
    case 'return':
      return `退回：${String(d.reason)}`;
    case 'verify':
      return d.eligible ? '入户核实：符合帮扶条件' : `入户核实：不符合帮扶条件，工单结束`;
    case 'plan':
      return `提交帮扶方案，合计 ${yuan(d.totalFen)}`;
    case 'reject':
      return `方案被驳回：${String(d.reason)}`;
    case 'deliver':
      return `登记发放 ${yuan(d.totalFen)}`;
    case 'report':
      return `反馈帮扶结果，职工满意度 ${String(d.satisfaction)}/5`;
    case 'withdraw':
      return `撤销工单：${String(d.reason)}`;
    case 'suspended':
      return `暂停计时至 ${shanghai(d.until)}：${String(d.reason)}`;
    case 'resumed':
      return `恢复计时，暂停期间计入时限的时间 ${days(d.pausedMs)}（${d.calendar === 'working' ? '工作日' : '自然日'}），新期限 ${shanghai(d.dueAt)}`;
    case 'deadline_moved':
      return `${String(d.year)} 年节假日安排调整，期限由 ${shanghai(d.previousDueAt)} 调整为 ${shanghai(d.dueAt)}`;
    case 'reminder':
      return `到期提醒：本步骤将于 ${shanghai(d.dueAt)} 到期`;
    case 'overdue':
      return `已超时（期限 ${shanghai(d.dueAt)}），督办至上级单位`;
    case 'funding_blocked':
      return `审批受阻：${String(d.message)}`;
    case 'escalation':
      return `超时未办，升级督办（第 ${String(d.level)} 级）`;
    default:
      return ACTION_LABELS[event.kind as CaseAction] ?? event.kind;
  }
}

export function timelineView(events: CaseEvent[]) {
  return events.map((event) => ({
    seq: event.seq,
    kind: event.kind,
    description: describeEvent(event),
    fromStep: event.from_step,
    toStep: event.to_step,
    actorUserId: event.actor_user_id,
    actorUnitId: event.actor_unit_id,
    holderUnitId: event.holder_unit_id,
    occurredAt: toShanghaiIso(event.occurred_at),
    data: event.data,
  }));
}

/** A case as lists show it. Overdue is worked out at the moment of reading, never stored. */
export function caseSummaryView(row: AssistanceCase, now = Date.now()) {
  const dueMs = row.due_at?.getTime() ?? null;
  const overdue = row.status === 'open' && dueMs !== null && dueMs < now;
  return {
    id: row.id,
    number: Number(row.number),
    workerId: row.worker_id,
    householdId: row.household_id,
    category: row.category,
    categoryLabel: CATEGORY_LABELS[row.category as Category] ?? row.category,
    urgency: row.urgency,
    source: row.source,
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    step: row.step,
    stepLabel: STEP_LABELS[row.step],
    holderUnitId: row.holder_unit_id,
    assigneeUnitId: row.assignee_unit_id,
    openedUnitId: row.opened_unit_id,
    openedAt: toShanghaiIso(row.opened_at),
    closedAt: toShanghaiIso(row.closed_at),
    stepStartedAt: toShanghaiIso(row.step_started_at),
    dueAt: toShanghaiIso(row.due_at),
    overdue,
    lateBySeconds: overdue && dueMs !== null ? Math.floor((now - dueMs) / 1000) : 0,
    escalationLevel: row.status === 'open' ? row.escalation_level : 0,
    suspendedUntil: toShanghaiIso(row.suspended_until),
    policyVersion: row.policy_version,
    fund: row.fund,
    fundingBlockedReason: row.status === 'open' ? row.funding_blocked_reason : null,
  };
}

export function caseView(row: AssistanceCase, events: CaseEvent[], now = Date.now()) {
  return { ...caseSummaryView(row, now), summary: row.summary, timeline: timelineView(events) };
}
