import type { Query } from '../shared/api.js';
import { api, type Page } from './data.js';

/**
 * The perception (感知) area's API calls: department feeds (GET /feeds, POST /feeds/:kind/batches), rule models
 * (GET /rules), scans (POST/GET /perception/scans) and lead review (GET /leads, POST /leads/:id/confirm|dismiss).
 */

export interface FeedColumn {
  key: string;
  required: boolean;
}

export interface FeedKind {
  kind: string;
  label: string;
  amount: { use: 'required' | 'optional' | 'none'; label?: string };
  columns: FeedColumn[];
  detail: { key: string; label: string; required: boolean; type: string }[];
}

export interface FeedRowError {
  line: number;
  field: string;
  reason: string;
}

export interface FeedBatchResult {
  batchId: string;
  kind: string;
  format: 'ndjson' | 'csv';
  accepted: number;
  rejected: number;
  stored: number;
  duplicates: number;
  errors: FeedRowError[];
  errorCount: number;
  errorsTruncated: boolean;
  duplicateBatch: boolean;
}

export interface RuleRecord {
  open: number;
  confirmed: number;
  dismissed: number;
  lapsed: number;
  confirmRate: number | null;
}

export interface RuleVersion {
  versionId: string;
  version: number;
  status: 'draft' | 'published' | 'superseded';
  thresholds: Record<string, number>;
  weight: number;
  enabled: boolean;
  note: string | null;
  publishedAt: string | null;
}

export interface ThresholdSpec {
  key: string;
  label: string;
  unit: 'months' | 'days' | 'fen' | 'count' | 'grade';
  min: number;
  max: number;
}

export interface Rule {
  id: string;
  code: string;
  name: string;
  description: string;
  category: string | null;
  feedKinds: string[];
  thresholdSpec: ThresholdSpec[];
  published: RuleVersion | null;
  drafts: RuleVersion[];
  record: RuleRecord;
}

export interface ScanCounts {
  workersScanned: number;
  workersFlagged: number;
  leadsCreated: number;
  leadsUpdated: number;
  leadsLapsed: number;
  suppressed: number;
}

export interface Scan {
  id: string;
  kind: 'scan' | 'dry_run';
  trigger: string;
  status: 'running' | 'completed' | 'skipped' | 'failed' | 'abandoned';
  asOf: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  totalChunks: number;
  chunksDone: number;
  progress: number;
  counts: ScanCounts;
  failure: string | null;
}

export interface LeadReason {
  ruleId: string;
  ruleCode: string;
  ruleName: string;
  ruleVersionId: string;
  ruleVersion: number;
  weight: number;
  reason: string;
  figures: Record<string, unknown>;
  dataAsOf: string | null;
}

export interface Lead {
  id: string;
  workerId: string;
  worker: { id: string; name: string; idNumber: string; hardshipStatus: string; unitId: string };
  unitId: string;
  reviewUnitId: string;
  group: 'registered' | 'borderline' | 'discovered';
  groupLabel: string;
  score: number;
  status: 'open' | 'confirmed' | 'dismissed' | 'lapsed';
  statusLabel: string;
  raisedAt: string;
  updatedAt: string;
  dueAt: string | null;
  overdue: boolean;
  escalationLevel: number;
  dataAsOf: string | null;
  reasons: LeadReason[];
  caseId: string | null;
  reviewedAt: string | null;
  dismissReason: string | null;
  lapsedReason: string | null;
}

export { LEAD_GROUPS, LEAD_STATUSES } from '../../../../workflows/shared/perception-vocabulary.js';

/** The roles GET /leads and its review actions allow. */
export const LEAD_REVIEWERS = ['admin', 'supervisor'] as const;

export const fetchFeedKinds = () => api.get<{ items: FeedKind[] }>('/feeds');

/** The media type the API reads a file as: CSV by its name or type, otherwise NDJSON; CSV may be GBK. */
export function feedContentType(file: { name: string; type: string }, csvCharset: string): string {
  const csv = /\.csv$/i.test(file.name) || file.type === 'text/csv';
  return csv ? `text/csv; charset=${csvCharset}` : 'application/x-ndjson';
}

export const uploadFeed = (kind: string, file: Blob, contentType: string, onProgress: (share: number) => void) =>
  api.upload<FeedBatchResult>(`/feeds/${encodeURIComponent(kind)}/batches`, file, contentType, onProgress);

export const fetchRules = () => api.get<Page<Rule>>('/rules');

export const startScan = (idempotencyKey: string) =>
  api.post<Scan>('/perception/scans', {}, { idempotencyKey, timeoutMs: 60_000 });
export const fetchScan = (id: string) => api.get<Scan>(`/perception/scans/${encodeURIComponent(id)}`);
export const fetchScans = (cursor: string | null) =>
  api.get<Page<Scan>>('/perception/scans', { kind: 'scan', limit: 20, cursor });

export const fetchLeads = (query: Query) => api.get<Page<Lead>>('/leads', { limit: 50, ...query });
export const fetchLead = (id: string) => api.get<Lead>(`/leads/${encodeURIComponent(id)}`);
export const confirmLead = (id: string, idempotencyKey: string) =>
  api.post<{ lead: Lead; caseId: string }>(`/leads/${encodeURIComponent(id)}/confirm`, {}, { idempotencyKey });
export const dismissLead = (id: string, reason: string, idempotencyKey: string) =>
  api.post<Lead>(`/leads/${encodeURIComponent(id)}/dismiss`, { reason }, { idempotencyKey });
