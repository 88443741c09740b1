import type { AssistanceCase, CaseEvent } from '../../../db/tables/assistance-case.table.js';
import {
  CATEGORY_LABELS,
  STATUS_LABELS,
  STEP_LABELS,
  type Category,
  type Step,
} from '../../../workflows/shared/case-vocabulary.js';
import { SHANGHAI_OFFSET_MS } from '../../../workflows/shared/working-time.js';
import { toShanghaiIso } from '../../time.js';

/**
 * How a case reads to the worker it is about: where it stands in one plain sentence, by when the current step
 * should be done, and what happened, in the worker's own words. Pure: the route passes the unit names.
 *
 * Staff-internal content never appears: no findings, reasons, notes, plan items, references, satisfaction
 * scores, staff names or user ids. Returns and rejections read neutrally. An event kind not listed here (a future
 * internal one) is left out rather than shown.
 */

export type UnitNames = (unitId: string | null | undefined) => string;

export const URGENCY_LABELS: Record<string, string> = { normal: '一般', urgent: '紧急' };

export const SOURCE_LABELS: Record<string, string> = {
  self_application: '本人申请',
  staff: '工会建立',
  referral: '部门转介',
  perception: '工会主动发现',
};

export const METHOD_LABELS: Record<string, string> = { bank_transfer: '银行转账', cash: '现金', goods: '实物' };

const yuan = (fen: number) => `${(fen / 100).toFixed(2)} 元`;

/** `12月10日` in Asia/Shanghai, with the year when it is not the year of `now`. */
export function chineseDay(ms: number, now = Date.now()): string {
  const day = new Date(ms + SHANGHAI_OFFSET_MS);
  const thisYear = new Date(now + SHANGHAI_OFFSET_MS).getUTCFullYear();
  const monthDay = `${day.getUTCMonth() + 1}月${day.getUTCDate()}日`;
  return day.getUTCFullYear() === thisYear ? monthDay : `${day.getUTCFullYear()}年${monthDay}`;
}

const dayOf = (iso: unknown, now: number) => (typeof iso === 'string' ? chineseDay(Date.parse(iso), now) : '');

/** The sentence a worker reads for where their case stands now. */
export function progressSentence(row: AssistanceCase, unitName: UnitNames, now = Date.now()): string {
  if (row.status === 'closed') {
    return '您的帮扶工单已办结';
  }
  if (row.status === 'withdrawn') {
    return `工单已撤销；如有疑问，可联系${unitName(row.opened_unit_id)}`;
  }
  if (row.status === 'not_eligible') {
    return `经核实，暂不符合本次帮扶条件，工单已结束；如有疑问，可联系${unitName(row.assignee_unit_id)}`;
  }
  const holder = unitName(row.holder_unit_id);
  const assignee = unitName(row.assignee_unit_id);
  if (row.suspended_until) {
    return `${STEP_LABELS[row.step]}暂停办理，预计${chineseDay(row.suspended_until.getTime(), now)}恢复`;
  }
  const by = row.due_at ? `${chineseDay(row.due_at.getTime(), now)}前` : '尽快';
  const applied = row.source === 'self_application' ? '您的申请' : '您的帮扶工单';
  switch (row.step) {
    case 'dispatch':
      return `${applied}已提交${holder}，工作人员将在${by}安排办理`;
    case 'accept':
      return `${applied}已转交${holder}，将在${by}受理`;
    case 'verify':
      return `${applied}已由${holder}受理，工作人员将在${by}上门核实`;
    case 'plan':
      return `经核实符合帮扶条件，${holder}将在${by}制定帮扶方案`;
    case 'approve':
      return `帮扶方案已提交${holder}审批，预计${by}完成审批`;
    case 'deliver':
      return `帮扶方案已批准，${holder}将在${by}发放帮扶`;
    case 'report':
      return `帮扶已发放，${holder}将在${by}反馈办理结果`;
    case 'review':
      return `${assignee}已反馈办理结果，${holder}将在${by}审核办结`;
    default:
      return `${applied}正在办理中`;
  }
}

/** The line a worker reads for one event, or null for an event that is not theirs to see. */
export function workerEventText(
  event: CaseEvent,
  context: { source: string; category: string },
  unitName: UnitNames,
  now = Date.now(),
): string | null {
  const d = event.data;
  switch (event.kind) {
    case 'opened': {
      const category = CATEGORY_LABELS[context.category as Category] ?? '帮扶';
      return context.source === 'self_application'
        ? `您提交了${category}申请`
        : `${unitName(event.actor_unit_id)}为您建立了${category}工单`;
    }
    case 'dispatch':
      return `工单已转交${unitName(typeof d.toUnitId === 'string' ? d.toUnitId : event.holder_unit_id)}办理`;
    case 'accept':
      return `${unitName(event.actor_unit_id)}已受理`;
    case 'return':
      return `工单转回${unitName(event.holder_unit_id)}重新安排办理`;
    case 'verify':
      return d.eligible === true ? '工作人员已完成核实，符合帮扶条件' : '经核实，暂不符合本次帮扶条件，工单结束';
    case 'plan':
      return `帮扶方案已制定，提交${unitName(event.holder_unit_id)}审批`;
    case 'approve':
      return '帮扶方案已审批通过';
    case 'reject':
      return '帮扶方案正在调整完善';
    case 'deliver': {
      const total = Number(d.totalFen);
      const method = METHOD_LABELS[String(d.method)] ?? '';
      if (!Number.isSafeInteger(total)) {
        return '帮扶已发放';
      }
      return d.method === 'goods' ? `实物帮扶已发放，折合 ${yuan(total)}` : `帮扶已发放：${yuan(total)}（${method}）`;
    }
    case 'report':
      return `${unitName(event.actor_unit_id)}已反馈帮扶结果`;
    case 'close':
      return '工单已办结';
    case 'withdraw':
      return '工单已撤销';
    case 'suspended':
      return `办理暂停，预计${dayOf(d.until, now)}恢复`;
    case 'resumed':
      return `恢复办理，本步骤预计${dayOf(d.dueAt, now)}前完成`;
    case 'deadline_moved':
      return `因节假日安排调整，本步骤预计完成日期调整为${dayOf(d.dueAt, now)}`;
    case 'overdue':
      return '本步骤已超出办理时限，上级工会已督办';
    case 'escalation':
      return '上级工会已进一步督办';
    default:
      return null;
  }
}

/** The worker's view of one case, as lists show it. */
export function workerCaseSummary(row: AssistanceCase, unitName: UnitNames, now = Date.now()) {
  const open = row.status === 'open';
  const suspended = open && row.suspended_until !== null;
  return {
    id: row.id,
    number: Number(row.number),
    category: row.category,
    categoryLabel: CATEGORY_LABELS[row.category as Category] ?? row.category,
    urgency: row.urgency,
    urgencyLabel: URGENCY_LABELS[row.urgency] ?? row.urgency,
    source: row.source,
    sourceLabel: SOURCE_LABELS[row.source] ?? row.source,
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    step: row.step,
    stepLabel: STEP_LABELS[row.step],
    progress: progressSentence(row, unitName, now),
    handlingUnit: { id: row.assignee_unit_id, name: unitName(row.assignee_unit_id) },
    currentUnit: open ? { id: row.holder_unit_id, name: unitName(row.holder_unit_id) } : null,
    expectedBy: open && !suspended ? toShanghaiIso(row.due_at) : null,
    expectedByLabel: !open ? null : suspended ? '暂停' : row.due_at ? chineseDay(row.due_at.getTime(), now) : null,
    suspended,
    openedAt: toShanghaiIso(row.opened_at),
    closedAt: toShanghaiIso(row.closed_at),
  };
}

/**
 * The worker's view of one case with its timeline. `description` is what the worker wrote themself; a case that
 * staff opened shows none, since its summary is staff's own note.
 */
export function workerCaseView(
  row: AssistanceCase,
  events: readonly CaseEvent[],
  unitName: UnitNames,
  now = Date.now(),
) {
  const context = { source: row.source, category: row.category };
  const timeline = events.flatMap((event) => {
    const text = workerEventText(event, context, unitName, now);
    return text === null
      ? []
      : [
          {
            seq: event.seq,
            text,
            step: event.to_step as Step,
            stepLabel: STEP_LABELS[event.to_step as Step] ?? event.to_step,
            occurredAt: toShanghaiIso(event.occurred_at),
          },
        ];
  });
  return {
    ...workerCaseSummary(row, unitName, now),
    description: row.source === 'self_application' ? row.summary : null,
    timeline,
  };
}

/** Every unit id a case view names, so the route can look their names up in one query. */
export function unitIdsOfCase(row: AssistanceCase, events: readonly CaseEvent[]): string[] {
  const ids = [row.holder_unit_id, row.assignee_unit_id, row.opened_unit_id];
  for (const event of events) {
    ids.push(...[event.actor_unit_id, event.holder_unit_id].filter((id): id is string => id !== null));
    if (typeof event.data.toUnitId === 'string') {
      ids.push(event.data.toUnitId);
    }
  }
  return [...new Set(ids)];
}
