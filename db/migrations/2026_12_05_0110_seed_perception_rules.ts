import { sql, type Kysely } from 'kysely';

/**
 * Version 1 of every perception rule model, published, and version 1 of the scoring settings: reference data
 * that every deployment needs (not demo data), so it ships as a migration. Ids are derived from the rule codes
 * (`md5('perception-rule:<code>')`), the same in every database. The rules' SQL lives in
 * activities/perception/rule-catalogue.ts; a unit test checks that both list the same rules and thresholds.
 * Later changes are new versions made through PUT /rules/:id, never edits here.
 */
export const RULES: [code: string, thresholds: string, weight: number][] = [
  ['medical_out_of_pocket', '{"months":12,"minFen":3000000}', 40],
  ['medical_frequent', '{"months":6,"minVisits":6}', 15],
  ['medical_inpatient', '{"months":12,"minStays":2}', 15],
  ['serious_illness', '{"months":24}', 40],
  ['minimum_living_allowance', '{"months":12}', 60],
  ['low_income', '{"months":12,"maxFen":150000}', 30],
  ['unemployment_long', '{"minDays":90}', 30],
  ['unpaid_wages', '{"months":12,"minFen":1000000}', 25],
  ['unpaid_wages_long', '{"months":12,"minMonths":3}', 15],
  ['disability_severe', '{"maxGrade":2}', 40],
  ['housing_hardship', '{"months":24}', 20],
  ['child_tuition', '{"months":12,"minFen":1000000}', 20],
  ['disaster_loss', '{"months":12,"minFen":2000000}', 35],
  ['family_death', '{"months":6}', 25],
  ['work_injury', '{"months":24,"maxGrade":6}', 30],
  ['illness_poverty', '{"months":12,"medicalFen":1000000,"maxIncomeFen":200000}', 30],
  ['unemployed_with_student', '{"minDays":30,"months":12}', 20],
  ['single_parent_signal', '{"spouseMonths":36,"months":12}', 25],
  ['multiple_hardships', '{"months":12,"minKinds":3}', 20],
  ['department_help_received', '{"months":12,"minFen":500000}', -20],
  ['disaster_no_help', '{"months":6}', 15],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [code, thresholds, weight] of RULES) {
    await sql`insert into perception_rule (id, code) values (md5(${`perception-rule:${code}`})::uuid, ${code})`.execute(
      db,
    );
    await sql`
      insert into perception_rule_version (id, rule_id, version, thresholds, weight, enabled, status, note, published_at)
      values (md5(${`perception-rule-version:${code}:1`})::uuid, md5(${`perception-rule:${code}`})::uuid, 1,
              ${thresholds}::jsonb, ${weight}, true, 'published', '初始版本', now())
    `.execute(db);
  }
  // Line 60 and a margin of 20: a score of 40 to 59 is borderline, 60 or more a discovered hardship. Dismissed
  // leads and closed cases keep a worker quiet for 90 days; a lead waits five working days for review.
  await sql`
    insert into perception_setting (version, line, margin, suppress_days, review_limit, review_calendar)
    values (1, 60, 20, 90, 'P5D', 'working')
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from perception_setting where version = 1`.execute(db);
  await sql`delete from perception_rule_version where version = 1`.execute(db);
  await sql`delete from perception_rule`.execute(db);
}
