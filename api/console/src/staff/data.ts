import { ApiError, createApiClient, type Query } from '../shared/api.js';
import type { CaseAction, Step } from '../shared/labels.js';

/**
 * The console's data layer: one typed function per API call it makes, over the one client. Pages never build
 * URLs themselves. Phase-2 areas (perception leads, training pipelines, stations and inspections) add their
 * calls here beside these.
 */

export const UNAUTHORIZED_EVENT = 'yue:unauthorized';

export const api = createApiClient({
  tokenKey: 'yue-staff-token',
  onUnauthorized: (error) => window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: error.message })),
});

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  id: string;
  username: string;
  name: string;
  role: string;
  unitId: string;
  unitName: string;
  unitLevel: string;
}

export interface OrgUnit {
  id: string;
  parentId: string | null;
  level: string;
  name: string;
  path: string;
}

export interface CaseSummary {
  id: string;
  number: number;
  workerId: string;
  category: string;
  categoryLabel: string;
  urgency: string;
  source: string;
  status: string;
  statusLabel: string;
  step: Step;
  stepLabel: string;
  holderUnitId: string;
  assigneeUnitId: string;
  openedUnitId: string;
  openedAt: string;
  closedAt: string | null;
  stepStartedAt: string;
  dueAt: string | null;
  overdue: boolean;
  lateBySeconds: number;
  escalationLevel: number;
  suspendedUntil: string | null;
  fund: string;
  fundingBlockedReason: string | null;
  stepCalendar?: 'working' | 'natural' | null;
  timeLeftSeconds?: number | null;
  timeLeftWorkingSeconds?: number | null;
}

export interface TimelineEntry {
  seq: number;
  kind: string;
  description: string;
  fromStep: string;
  toStep: string;
  actorUserId: string | null;
  actorUnitId: string | null;
  holderUnitId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface CaseDetail extends CaseSummary {
  summary: string;
  timeline: TimelineEntry[];
  availableActions: CaseAction[];
  canSuspend: boolean;
  worker?: { id: string; name: string; idNumber: string; hardshipStatus: string; unitId: string };
}

export interface PlanItem {
  kind: string;
  amountFen: number;
  note?: string;
}

export interface Payment {
  id: string;
  kind: string;
  amountFen: number;
  method: string;
  reference: string;
  fund: string;
  paidAt: string;
  reversedAt: string | null;
  reversalReason: string | null;
}

export interface OverdueBoard extends Page<{
  caseId: string;
  number: number;
  step: Step;
  holderUnitId: string;
  dueAt: string | null;
  lateBySeconds: number;
  escalationLevel: number;
}> {
  byUnit: { unitId: string; overdue: number; escalated: number }[];
}

export interface CaseCounts {
  open: number;
  overdue: number;
  escalated: number;
  suspended: number;
}

export interface CaseReport {
  unitId: string;
  asOf: string;
  totals: CaseCounts;
  byStep: { step: Step; open: number; overdue: number }[];
  units: (CaseCounts & { unitId: string; self: boolean; byStep: Record<string, number> })[];
}

export interface Budget {
  id: string;
  unitId: string;
  year: number;
  fund: string;
  allocatedFen: number;
  allocatedOutFen: number;
  reservedFen: number;
  paidFen: number;
  availableFen: number;
  updatedAt: string;
}

export interface FundsTotals {
  amountFen: number;
  households: number;
  personTimes: number;
  registeredHouseholds: number;
}

export interface FundsReport {
  unitId: string;
  from: string;
  to: string;
  totals: FundsTotals;
  byCategory: { category: string; fund: string; amountFen: number; households: number; personTimes: number }[];
  byMonth?: {
    month: string;
    amountFen: number;
    personTimes: number;
    byCategory: { category: string; amountFen: number }[];
  }[];
  previousYear: FundsTotals;
  changePercent: Record<'amount' | 'households' | 'personTimes' | 'registeredHouseholds', number | null>;
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  caseId: string | null;
  unitId: string;
  deliveredAt: string;
  readAt: string | null;
}

export const login = (username: string, password: string) =>
  api.post<{ token: string; user: Me }>('/auth/login', { username, password });
export const fetchMe = () => api.get<Me>('/me');

let unitsCache: { token: string | null; units: Promise<OrgUnit[]> } | null = null;

/**
 * The caller's whole subtree of units, read once per session (page by page) for names and pickers.
 * Known limit: a subtree of more than 20,000 units is cut at that size.
 */
export function fetchUnits(): Promise<OrgUnit[]> {
  if (unitsCache && unitsCache.token === api.token()) {
    return unitsCache.units;
  }
  const load = async () => {
    const units: OrgUnit[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 40; page++) {
      const answer: Page<OrgUnit> = await api.get<Page<OrgUnit>>('/org-units', { limit: 500, cursor });
      units.push(...answer.items);
      cursor = answer.nextCursor;
      if (!cursor) {
        break;
      }
    }
    return units;
  };
  const units = load();
  unitsCache = { token: api.token(), units };
  units.catch(() => {
    unitsCache = null;
  });
  return units;
}

export const forgetSession = () => {
  unitsCache = null;
  api.setToken(null);
};

export const fetchInbox = (cursor?: string | null) => api.get<Page<CaseSummary>>('/inbox', { limit: 50, cursor });
export const fetchCases = (query: Query) => api.get<Page<CaseSummary>>('/cases', { limit: 50, ...query });
export const fetchCase = (id: string) => api.get<CaseDetail>(`/cases/${encodeURIComponent(id)}`);
export const fetchPayments = (id: string) => api.get<{ items: Payment[] }>(`/cases/${encodeURIComponent(id)}/payments`);

export const actOnCase = (id: string, action: CaseAction, body: Record<string, unknown>, idempotencyKey: string) =>
  api.post<CaseDetail>(`/cases/${encodeURIComponent(id)}/actions/${action}`, body, { idempotencyKey });

export const suspendCase = (id: string, body: { reason: string; until: string }, idempotencyKey: string) =>
  api.post<CaseDetail>(`/cases/${encodeURIComponent(id)}/suspensions`, body, { idempotencyKey });

export const fetchOverdue = (unitId?: string, cursor?: string | null) =>
  api.get<OverdueBoard>('/supervision/overdue', { limit: 100, unitId, cursor });
export const fetchCaseReport = (unitId?: string) => api.get<CaseReport>('/reports/cases', { unitId });

export async function fetchBudgets(year: number): Promise<Budget[]> {
  const budgets: Budget[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const answer: Page<Budget> = await api.get<Page<Budget>>('/budgets', { limit: 500, year, cursor });
    budgets.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) {
      break;
    }
  }
  return budgets;
}

export const fetchFundsReport = (query: { unitId?: string; from: string; to: string }) =>
  api.get<FundsReport>('/reports/funds', query);

export const fetchNotifications = (cursor?: string | null, unread?: boolean) =>
  api.get<Page<Notification>>('/notifications', { limit: 50, cursor, unread: unread ? true : undefined });
export const markNotificationRead = (id: string) =>
  api.post<{ id: string; readAt: string }>(`/notifications/${encodeURIComponent(id)}/read`);

export { ApiError };
