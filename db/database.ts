import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AppUserTable } from './tables/app-user.table.js';
import type { AssistanceCaseTable, CaseEventTable, CaseStepTable } from './tables/assistance-case.table.js';
import type {
  ApprovalThresholdPolicyTable,
  AssistanceStandardTable,
  BudgetTable,
  LedgerEntryTable,
  LedgerTransactionTable,
  PaymentTable,
  StandardExceptionTable,
} from './tables/fund.table.js';
import type { FeedBatchTable, FeedRowTable } from './tables/feed.table.js';
import type { OrgUnitTable } from './tables/org-unit.table.js';
import type {
  PerceptionDryRunChangeTable,
  PerceptionLeadTable,
  PerceptionRuleTable,
  PerceptionRuleVersionTable,
  PerceptionScanChunkTable,
  PerceptionScanTable,
  PerceptionSettingTable,
} from './tables/perception.table.js';
import type { AuditLogTable, IdempotencyRecordTable, NotificationTable } from './tables/platform.table.js';
import type { AssistancePolicyTable, PortalLoginAttemptTable, PortalLoginCodeTable } from './tables/portal.table.js';
import type { HolidayCalendarTable, TimeLimitPolicyTable } from './tables/policy.table.js';
import type {
  InspectionEventTable,
  InspectionPolicyTable,
  InspectionTable,
  StationActivityTable,
  StationCommendationTable,
  StationTable,
  StationVisitTable,
} from './tables/station.table.js';
import type {
  CertificateTable,
  CourseAttendanceTable,
  CourseEnrolmentTable,
  CourseOpeningTable,
  CourseTable,
  EnterpriseTable,
  ExamResultTable,
  FairOpeningTable,
  HiringFairTable,
  JobOfferTable,
  JobOpeningTable,
  NeedsSurveyTable,
  OpeningPushTable,
  ProfilePushTable,
  TraineePipelineEventTable,
  TraineePipelineTable,
  VocabularyTable,
} from './tables/training.table.js';
import type { HouseholdTable, WorkerTable } from './tables/worker.table.js';

export interface Database {
  org_unit: OrgUnitTable;
  app_user: AppUserTable;
  household: HouseholdTable;
  worker: WorkerTable;
  time_limit_policy: TimeLimitPolicyTable;
  holiday_calendar: HolidayCalendarTable;
  assistance_case: AssistanceCaseTable;
  case_event: CaseEventTable;
  case_step: CaseStepTable;
  notification: NotificationTable;
  audit_log: AuditLogTable;
  idempotency_record: IdempotencyRecordTable;
  budget: BudgetTable;
  ledger_transaction: LedgerTransactionTable;
  ledger_entry: LedgerEntryTable;
  payment: PaymentTable;
  assistance_standard: AssistanceStandardTable;
  approval_threshold_policy: ApprovalThresholdPolicyTable;
  standard_exception: StandardExceptionTable;
  feed_batch: FeedBatchTable;
  feed_row: FeedRowTable;
  station: StationTable;
  station_activity: StationActivityTable;
  station_visit: StationVisitTable;
  inspection_policy: InspectionPolicyTable;
  inspection: InspectionTable;
  inspection_event: InspectionEventTable;
  station_commendation: StationCommendationTable;
  skill: VocabularyTable;
  certificate_type: VocabularyTable;
  needs_survey: NeedsSurveyTable;
  enterprise: EnterpriseTable;
  job_opening: JobOpeningTable;
  course: CourseTable;
  course_opening: CourseOpeningTable;
  course_enrolment: CourseEnrolmentTable;
  course_attendance: CourseAttendanceTable;
  hiring_fair: HiringFairTable;
  fair_opening: FairOpeningTable;
  trainee_pipeline: TraineePipelineTable;
  trainee_pipeline_event: TraineePipelineEventTable;
  exam_result: ExamResultTable;
  certificate: CertificateTable;
  job_offer: JobOfferTable;
  profile_push: ProfilePushTable;
  opening_push: OpeningPushTable;
  portal_login_code: PortalLoginCodeTable;
  portal_login_attempt: PortalLoginAttemptTable;
  assistance_policy: AssistancePolicyTable;
  perception_rule: PerceptionRuleTable;
  perception_rule_version: PerceptionRuleVersionTable;
  perception_setting: PerceptionSettingTable;
  perception_scan: PerceptionScanTable;
  perception_scan_chunk: PerceptionScanChunkTable;
  perception_lead: PerceptionLeadTable;
  perception_dry_run_change: PerceptionDryRunChangeTable;
}

export type Db = Kysely<Database>;

// Dates come back as strings for `date` columns: a calendar date has no time zone to convert.
pg.types.setTypeParser(1082, (value: string) => value);
// date[] likewise: `{2026-10-01,2026-10-02}` becomes ['2026-10-01', '2026-10-02'] (dates need no quoting).
pg.types.setTypeParser(1182 as Parameters<typeof pg.types.setTypeParser>[0], (value: string) =>
  value.length > 2 ? value.slice(1, -1).split(',') : [],
);
// bigint counts (late_ms, sums of fen) fit in a JS number far beyond any real amount.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface DatabaseOptions {
  connectionString: string;
  poolSize?: number;
  logger?: Logger;
  /** Queries slower than this are logged at warn level, without their parameters. */
  slowQueryMs?: number;
}

export function createDb(options: DatabaseOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  const { logger, slowQueryMs = 500 } = options;
  pool.on('error', (error) => logger?.error({ err: error }, 'Idle database client failed'));
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: logger
      ? (event: LogEvent) => {
          if (event.level === 'error') {
            logger.error({ err: event.error, durationMs: event.queryDurationMillis }, 'Query failed');
          } else if (event.queryDurationMillis > slowQueryMs) {
            logger.warn({ sql: event.query.sql, durationMs: event.queryDurationMillis }, 'Query was slow');
          }
        }
      : undefined,
  });
}
