import type { Payment } from '../../../db/tables/fund.table.js';
import type { HelpRow } from '../../../db/repositories/portal.repository.js';
import type { HardshipStatus } from '../../../db/tables/worker.table.js';
import { CATEGORY_LABELS, type Category } from '../../../workflows/shared/case-vocabulary.js';
import { toShanghaiIso } from '../../time.js';
import { HARDSHIP_LABELS } from './eligibility.js';
import { METHOD_LABELS } from './progress.js';

/**
 * Answers of the worker portal. Every view is built for the worker it is about, with a Chinese label beside each
 * code so a phone page can show it as it is. Staff-internal fields (references, reasons, notes, staff ids) are
 * never copied in.
 */

/** The signed-in worker: their own name, phone masked, union and hardship status. */
export const meView = (row: {
  id: string;
  name: string;
  phone_masked: string;
  unit_id: string;
  unit_name: string;
  hardship_status: HardshipStatus;
}) => ({
  id: row.id,
  name: row.name,
  phone: row.phone_masked,
  unit: { id: row.unit_id, name: row.unit_name },
  hardshipStatus: row.hardship_status,
  hardshipStatusLabel: HARDSHIP_LABELS[row.hardship_status],
});

/** A payment as the worker sees it: amount, date, category and method; a reversed one says so, without why. */
export const workerPaymentView = (payment: Payment) => ({
  id: payment.id,
  caseId: payment.case_id,
  item: payment.kind,
  category: payment.category,
  categoryLabel: CATEGORY_LABELS[payment.category as Category] ?? payment.category,
  amountFen: payment.amount_fen,
  method: payment.method,
  methodLabel: METHOD_LABELS[payment.method] ?? payment.method,
  paidAt: toShanghaiIso(payment.paid_at),
  reversed: payment.reversed_at !== null,
  reversedAt: toShanghaiIso(payment.reversed_at),
  statusLabel: payment.reversed_at === null ? '已发放' : '已撤回（冲正）',
});

export const HELP_TYPE_LABELS = { cash: '现金', goods: '实物', service: '服务' } as const;

/** One line of the warm-heart list. */
export function helpItemView(row: HelpRow) {
  const union = row.source === 'union';
  const categoryLabel = row.category ? (CATEGORY_LABELS[row.category as Category] ?? row.category) : null;
  return {
    id: row.id,
    source: row.source,
    sourceLabel: union ? '工会' : (row.department ?? '其他部门'),
    date: row.day,
    year: row.year,
    helpType: row.help_type,
    helpTypeLabel: HELP_TYPE_LABELS[row.help_type],
    title: union ? `工会${categoryLabel ?? ''}帮扶` : (row.title ?? `${row.department ?? '其他部门'}帮扶`),
    item: union ? row.item : null,
    amountFen: row.amount_fen,
    caseId: row.case_id,
  };
}
