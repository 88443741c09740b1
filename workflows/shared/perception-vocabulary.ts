/** The words of perception leads, shared by the API's answers and the console, so the two never drift apart. */

/** A lead's group: a registered hardship worker, one just above the line, or one nobody knew of. */
export const LEAD_GROUPS = ['registered', 'borderline', 'discovered'] as const;
export type LeadGroup = (typeof LEAD_GROUPS)[number];

export const LEAD_STATUSES = ['open', 'confirmed', 'dismissed', 'lapsed'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const GROUP_LABELS: Record<LeadGroup, string> = {
  registered: '建档困难职工',
  borderline: '临界困难职工',
  discovered: '感知发现',
};

export const LEAD_STATUS_LABELS: Record<LeadStatus, string> = {
  open: '待审核',
  confirmed: '已确认并开单',
  dismissed: '已排除',
  lapsed: '已失效',
};

export const LAPSED_REASON_LABELS: Record<'case_open' | 'no_longer_flagged', string> = {
  case_open: '职工已有在办工单',
  no_longer_flagged: '重新计算后不再达到临界线',
};
