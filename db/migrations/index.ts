import type { Migration } from 'kysely';
import * as createCaseFoundation from './2026_12_03_1700_create_case_foundation.js';
import * as createWarmthFund from './2026_12_03_1800_create_warmth_fund.js';
import * as keepIdempotentAnswersVerbatim from './2026_12_03_1900_keep_idempotent_answers_verbatim.js';
import * as addPaymentReportColumns from './2026_12_03_2000_add_payment_report_columns.js';
import * as createFeedRows from './2026_12_04_2050_create_feed_rows.js';
import * as createPerception from './2026_12_05_0100_create_perception.js';
import * as seedPerceptionRules from './2026_12_05_0110_seed_perception_rules.js';

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
};
