import type { Migration } from 'kysely';
import * as createCaseFoundation from './2026_12_03_1700_create_case_foundation.js';
import * as createWarmthFund from './2026_12_03_1800_create_warmth_fund.js';
import * as keepIdempotentAnswersVerbatim from './2026_12_03_1900_keep_idempotent_answers_verbatim.js';
import * as addPaymentReportColumns from './2026_12_03_2000_add_payment_report_columns.js';
import * as createFeedRows from './2026_12_04_2050_create_feed_rows.js';
import * as createPerception from './2026_12_05_0100_create_perception.js';
import * as seedPerceptionRules from './2026_12_05_0110_seed_perception_rules.js';
import * as createPortalLoginCodes from './2026_12_05_0200_create_portal_login_codes.js';
import * as createAssistancePolicies from './2026_12_05_0210_create_assistance_policies.js';
import * as addAuditActorWorker from './2026_12_05_0220_add_audit_actor_worker.js';
import * as createTraining from './2026_12_05_0300_create_training.js';
import * as createRestStations from './2026_12_05_0400_create_rest_stations.js';

/**
 * Every migration, in order, by name. Listed statically (rather than read from the folder at run time) so they
 * load the same way under tsx, vitest and a compiled build. Add each new migration here.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '2026_12_03_1700_create_case_foundation': createCaseFoundation,
  '2026_12_03_1800_create_warmth_fund': createWarmthFund,
  '2026_12_03_1900_keep_idempotent_answers_verbatim': keepIdempotentAnswersVerbatim,
  '2026_12_03_2000_add_payment_report_columns': addPaymentReportColumns,
  '2026_12_04_2050_create_feed_rows': createFeedRows,
  '2026_12_05_0100_create_perception': createPerception,
  '2026_12_05_0110_seed_perception_rules': seedPerceptionRules,
  '2026_12_05_0200_create_portal_login_codes': createPortalLoginCodes,
  '2026_12_05_0210_create_assistance_policies': createAssistancePolicies,
  '2026_12_05_0220_add_audit_actor_worker': addAuditActorWorker,
  '2026_12_05_0300_create_training': createTraining,
  '2026_12_05_0400_create_rest_stations': createRestStations,
};
