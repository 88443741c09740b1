import { RULES_BY_CODE } from '../../../activities/perception/rule-catalogue.js';
import type { LeadRow, RuleRecord } from '../../../db/repositories/perception.repository.js';
import type { PerceptionRuleVersion, PerceptionScan, PerceptionSetting } from '../../../db/tables/perception.table.js';
import { GROUP_LABELS, LEAD_STATUS_LABELS } from '../../../workflows/shared/perception-vocabulary.js';
import { toShanghaiIso } from '../../time.js';

export { GROUP_LABELS, LEAD_STATUS_LABELS };

export const versionView = (row: PerceptionRuleVersion) => ({
  versionId: row.id,
  version: row.version,
  status: row.status,
  thresholds: row.thresholds,
  weight: row.weight,
  enabled: row.enabled,
  note: row.note,
  createdBy: row.created_by,
  createdAt: toShanghaiIso(row.created_at),
  publishedBy: row.published_by,
  publishedAt: toShanghaiIso(row.published_at),
});

export function recordView(record: RuleRecord | undefined) {
  const confirmed = record?.confirmed ?? 0;
  const dismissed = record?.dismissed ?? 0;
  return {
    open: record?.open ?? 0,
    confirmed,
    dismissed,
    lapsed: record?.lapsed ?? 0,
    /** Share of reviewed leads that were confirmed; null before any review. */
    confirmRate: confirmed + dismissed > 0 ? Math.round((confirmed / (confirmed + dismissed)) * 1000) / 1000 : null,
  };
}

/** A rule as GET /rules shows it: what it looks at, its published version, drafts, and its record. */
export function ruleView(
  rule: { id: string; code: string },
  versions: PerceptionRuleVersion[],
  record: RuleRecord | undefined,
) {
  const definition = RULES_BY_CODE.get(rule.code);
  const published = versions.find((v) => v.status === 'published');
  return {
    id: rule.id,
    code: rule.code,
    name: definition?.name ?? rule.code,
    description: definition?.description ?? '',
    category: definition?.category ?? null,
    feedKinds: definition?.kinds ?? [],
    thresholdSpec: definition?.thresholds ?? [],
    published: published ? versionView(published) : null,
    drafts: versions.filter((v) => v.status === 'draft').map(versionView),
    record: recordView(record),
  };
}

export const settingView = (row: PerceptionSetting) => ({
  version: row.version,
  line: row.line,
  margin: row.margin,
  borderlineFrom: row.line - row.margin,
  suppressDays: row.suppress_days,
  reviewLimit: { duration: row.review_limit, calendar: row.review_calendar },
  createdBy: row.created_by,
  createdAt: toShanghaiIso(row.created_at),
});

export function scanView(row: PerceptionScan) {
  return {
    id: row.id,
    kind: row.kind,
    trigger: row.trigger,
    status: row.status,
    asOf: row.as_of,
    requestedBy: row.requested_by,
    startedAt: toShanghaiIso(row.started_at),
    finishedAt: toShanghaiIso(row.finished_at),
    chunkSize: row.chunk_size,
    totalChunks: row.total_chunks,
    chunksDone: row.chunks_done,
    progress: row.total_chunks > 0 ? Math.round((row.chunks_done / row.total_chunks) * 1000) / 1000 : 0,
    counts: {
      workersScanned: row.workers_scanned,
      workersFlagged: row.workers_flagged,
      leadsCreated: row.leads_created,
      leadsUpdated: row.leads_updated,
      leadsLapsed: row.leads_lapsed,
      suppressed: row.suppressed,
    },
    ruleVersionIds: row.rule_version_ids,
    candidateVersionId: row.candidate_version_id,
    settingVersion: row.setting_version,
    blockedByScanId: row.blocked_by_scan_id,
    failure: row.failure,
  };
}

/** A lead with its reasons (strongest first) and how fresh the data behind it is. */
export function leadView(row: LeadRow, now = Date.now()) {
  const dueMs = row.due_at?.getTime() ?? null;
  return {
    id: row.id,
    workerId: row.worker_id,
    worker: {
      id: row.worker_id,
      name: row.worker_name,
      idNumber: row.id_number_masked,
      hardshipStatus: row.hardship_status,
      unitId: row.worker_unit_id,
    },
    unitId: row.worker_unit_id,
    reviewUnitId: row.review_unit_id,
    group: row.hardship_group,
    groupLabel: GROUP_LABELS[row.hardship_group],
    score: row.score,
    status: row.status,
    statusLabel: LEAD_STATUS_LABELS[row.status],
    raisedAt: toShanghaiIso(row.created_at),
    updatedAt: toShanghaiIso(row.updated_at),
    dueAt: toShanghaiIso(row.due_at),
    overdue: row.status === 'open' && dueMs !== null && dueMs < now,
    escalationLevel: row.escalation_level,
    /** The latest date of the department rows behind the lead. */
    dataAsOf: row.data_as_of,
    reasons: row.reasons.map((r) => ({
      ruleId: r.ruleId,
      ruleCode: r.ruleCode,
      ruleName: RULES_BY_CODE.get(r.ruleCode)?.name ?? r.ruleCode,
      ruleVersionId: r.ruleVersionId,
      ruleVersion: r.ruleVersion,
      weight: r.weight,
      reason: r.reason,
      figures: r.figures,
      dataAsOf: r.dataAsOf,
    })),
    raisedByScanId: row.raised_scan_id,
    lastScanId: row.last_scan_id,
    settingVersion: row.setting_version,
    caseId: row.case_id,
    reviewedBy: row.reviewed_by,
    reviewedAt: toShanghaiIso(row.reviewed_at),
    dismissReason: row.dismiss_reason,
    lapsedReason: row.lapsed_reason,
  };
}
