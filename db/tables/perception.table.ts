import type { ColumnType, Generated, Selectable } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type UuidArray = ColumnType<string[], string[], string[]>;

export const HARDSHIP_GROUPS = ['registered', 'borderline', 'discovered'] as const;
export type HardshipGroup = (typeof HARDSHIP_GROUPS)[number];

export const LEAD_STATUSES = ['open', 'confirmed', 'dismissed', 'lapsed'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export type RuleVersionStatus = 'draft' | 'published' | 'superseded';
export type ScanKind = 'scan' | 'dry_run';
export type ScanStatus = 'running' | 'completed' | 'skipped' | 'failed' | 'abandoned';

/** A rule model; what it evaluates is in activities/perception/rule-catalogue.ts, found by `code`. */
export interface PerceptionRuleTable {
  id: string;
  code: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One version of a rule's thresholds and weight. At most one per rule is published; leads cite the version id. */
export interface PerceptionRuleVersionTable {
  id: Generated<string>;
  rule_id: string;
  version: number;
  thresholds: Json<Record<string, number>>;
  weight: number;
  enabled: boolean;
  status: RuleVersionStatus;
  note: string | null;
  created_by: string | null;
  published_by: string | null;
  published_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Scoring settings, versioned: the line, the borderline margin below it, suppression and the review limit. */
export interface PerceptionSettingTable {
  id: Generated<string>;
  version: number;
  line: number;
  margin: number;
  suppress_days: number;
  review_limit: string;
  review_calendar: 'working' | 'natural';
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One scan (or dry run) and its progress; written only by the scan workflow's activities. */
export interface PerceptionScanTable {
  id: string;
  workflow_id: string;
  kind: ScanKind;
  trigger: 'manual' | 'schedule';
  status: ScanStatus;
  requested_by: string | null;
  as_of: string;
  rule_version_ids: UuidArray;
  candidate_version_id: string | null;
  setting_version: number;
  chunk_size: number;
  /** Keyset bounds of the chunks: chunk k covers worker ids in (bounds[k-1], bounds[k]], open at both ends. */
  chunk_bounds: UuidArray;
  total_chunks: number;
  chunks_done: Generated<number>;
  workers_scanned: Generated<number>;
  workers_flagged: Generated<number>;
  leads_created: Generated<number>;
  leads_updated: Generated<number>;
  leads_lapsed: Generated<number>;
  suppressed: Generated<number>;
  dry_added: Generated<number>;
  dry_dropped: Generated<number>;
  blocked_by_scan_id: string | null;
  failure: string | null;
  started_at: Date;
  finished_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The mark that a chunk of a scan was evaluated and written: unique per (scan, chunk), so never twice. */
export interface PerceptionScanChunkTable {
  id: Generated<string>;
  scan_id: string;
  chunk_no: number;
  workers: Generated<number>;
  flagged: Generated<number>;
  leads_created: Generated<number>;
  leads_updated: Generated<number>;
  leads_lapsed: Generated<number>;
  suppressed: Generated<number>;
  dry_added: Generated<number>;
  dry_dropped: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A flagged worker with its score and group; at most one open lead per worker. */
export interface PerceptionLeadTable {
  id: Generated<string>;
  worker_id: string;
  worker_unit_id: string;
  worker_unit_path: string;
  /** The unit whose supervisors review the lead: the worker's union, or its township when that is grassroots. */
  review_unit_id: string;
  review_unit_path: string;
  hardship_group: HardshipGroup;
  score: number;
  status: LeadStatus;
  raised_scan_id: string;
  last_scan_id: string;
  setting_version: number;
  rule_ids: UuidArray;
  rule_version_ids: UuidArray;
  reasons: Json<LeadReason[]>;
  reasons_digest: string;
  /** The latest `occurred_on` of the feed rows behind the lead. */
  data_as_of: string | null;
  due_at: Date | null;
  escalation_level: Generated<number>;
  case_id: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  dismiss_reason: string | null;
  lapsed_reason: 'no_longer_flagged' | 'case_open' | null;
  lapsed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One rule that fired for a lead, with the version that raised it and the figures behind it. */
export interface LeadReason {
  ruleId: string;
  ruleVersionId: string;
  ruleCode: string;
  ruleVersion: number;
  weight: number;
  reason: string;
  figures: Record<string, unknown>;
  /** The latest `occurred_on` of the feed rows this rule used. */
  dataAsOf: string | null;
}

/** A worker a dry run would add to or drop from the flagged set. */
export interface PerceptionDryRunChangeTable {
  id: Generated<string>;
  scan_id: string;
  worker_id: string;
  worker_unit_id: string;
  worker_unit_path: string;
  change: 'added' | 'dropped';
  score_before: number;
  score_after: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type PerceptionRuleVersion = Selectable<PerceptionRuleVersionTable>;
export type PerceptionSetting = Selectable<PerceptionSettingTable>;
export type PerceptionScan = Selectable<PerceptionScanTable>;
export type PerceptionLead = Selectable<PerceptionLeadTable>;
