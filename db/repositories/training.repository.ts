import { sql, type Expression, type SqlBool } from 'kysely';
import type { MatchLabels, OpeningProfile, TraineeProfile } from '../../activities/training-matching.js';
import type { Db } from '../database.js';
import type { TraineePipeline, TraineePipelineEvent } from '../tables/training.table.js';

/**
 * Reads of training data shared by the API and the activities. No business rules here, except the one rule of
 * who sees owned master data (`relatedTo`), which lives here so that every query applies it the same way.
 */

/**
 * Courses, enterprises, openings and fairs belong to an owning unit. Staff see those owned inside their subtree
 * and those owned by their own unit's ancestors: a city course is open to every district below, a district's
 * opening is not shown to another district.
 */
export function relatedTo(column: Expression<string>, unitPath: string): Expression<SqlBool> {
  return sql<SqlBool>`(${column} like ${`${unitPath}%`} or ${unitPath} like ${column} || '%')`;
}

/** The district of a unit: the second id of its path (`/<city>/<district>/...`), or null for the city itself. */
export const districtOf = (unitPath: string): string | null => unitPath.split('/').filter(Boolean)[1] ?? null;

/** The path of a unit's district (`/<city>/<district>/`), or the city's path for the city itself. */
export const districtPathOf = (unitPath: string): string => {
  const ids = unitPath.split('/').filter(Boolean).slice(0, 2);
  return `/${ids.join('/')}/`;
};

/** `柯桥区总工会` is shown as `柯桥区` in reasons and answers. */
export const districtLabel = (unitName: string): string => unitName.replace(/总工会$/, '');

/**
 * What matching knows about a trainee: the newest survey, the skills taught by courses the trainee completed,
 * certificates held and the district of the trainee's union. Undefined when the worker has no survey.
 */
export async function loadTraineeProfile(db: Db, workerId: string): Promise<TraineeProfile | undefined> {
  const survey = await db
    .selectFrom('needs_survey as s')
    .innerJoin('worker as w', 'w.id', 's.worker_id')
    .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
    .select(['s.skills', 's.wished_skills', 's.hours', 's.district_ids', 's.wished_pay_fen', 'o.path'])
    .where('s.worker_id', '=', workerId)
    .orderBy('s.surveyed_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!survey) {
    return undefined;
  }
  const [taught, certificates] = await Promise.all([
    db
      .selectFrom('trainee_pipeline as p')
      .innerJoin('course as c', 'c.id', 'p.course_id')
      .select('c.skills')
      .where('p.worker_id', '=', workerId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('trainee_pipeline_event as e')
            .select('e.id')
            .whereRef('e.pipeline_id', '=', 'p.id')
            .where('e.kind', '=', 'course_ended')
            .where(sql<SqlBool>`(e.data->>'completed')::boolean`),
        ),
      )
      .execute(),
    db.selectFrom('certificate').select('certificate_code').where('worker_id', '=', workerId).execute(),
  ]);
  return {
    workerId,
    skills: [...new Set([...survey.skills, ...taught.flatMap((row) => row.skills)])],
    wishedSkills: survey.wished_skills,
    certificates: [...new Set(certificates.map((row) => row.certificate_code))],
    homeDistrictId: districtOf(survey.path),
    acceptableDistrictIds: survey.district_ids,
    hours: survey.hours,
    wishedPayFen: survey.wished_pay_fen,
  };
}

export interface CandidateOpening extends OpeningProfile {
  title: string;
  enterpriseId: string;
  enterpriseName: string;
  headcount: number;
  placedCount: number;
}

/**
 * Open openings with a free place that share at least one skill with `skills` (the GIN index on skills answers
 * the overlap) and are visible from `unitPath`: the set-based first cut of matching, before scoring.
 */
export async function candidateOpenings(db: Db, skills: readonly string[], unitPath: string) {
  if (skills.length === 0) {
    return [];
  }
  const rows = await db
    .selectFrom('job_opening as o')
    .innerJoin('enterprise as e', 'e.id', 'o.enterprise_id')
    .select([
      'o.id',
      'o.title',
      'o.skills',
      'o.certificate_code',
      'o.district_id',
      'o.hours',
      'o.monthly_pay_fen',
      'o.headcount',
      'o.placed_count',
      'e.id as enterprise_id',
      'e.name as enterprise_name',
    ])
    .where('o.status', '=', 'open')
    .where(sql<SqlBool>`o.placed_count < o.headcount`)
    .where(sql<SqlBool>`o.skills && ${sql.val([...skills])}::text[]`)
    .where(({ ref }) => relatedTo(ref('o.owner_unit_path'), unitPath))
    .execute();
  return rows.map((row): CandidateOpening => ({
    openingId: row.id,
    skills: row.skills,
    certificateCode: row.certificate_code,
    districtId: row.district_id,
    hours: row.hours,
    monthlyPayFen: row.monthly_pay_fen,
    title: row.title,
    enterpriseId: row.enterprise_id,
    enterpriseName: row.enterprise_name,
    headcount: row.headcount,
    placedCount: row.placed_count,
  }));
}

/** Chinese labels of skills, certificates and districts, for reasons and answers. */
export async function matchLabels(db: Db): Promise<MatchLabels> {
  const [skills, certificates, districts] = await Promise.all([
    db.selectFrom('skill').select(['code', 'label']).execute(),
    db.selectFrom('certificate_type').select(['code', 'label']).execute(),
    db.selectFrom('org_unit').select(['id', 'name']).where('level', 'in', ['district', 'city']).execute(),
  ]);
  const skill = new Map(skills.map((row) => [row.code, row.label]));
  const certificate = new Map(certificates.map((row) => [row.code, row.label]));
  const district = new Map(districts.map((row) => [row.id, districtLabel(row.name)]));
  return {
    skill: (code) => skill.get(code) ?? code,
    certificate: (code) => certificate.get(code) ?? code,
    district: (id) => district.get(id) ?? '',
  };
}

/** A pipeline whose trainee belongs to the caller's subtree. */
export async function findVisiblePipeline(
  db: Db,
  pipelineId: string,
  unitPath: string,
): Promise<TraineePipeline | undefined> {
  return db
    .selectFrom('trainee_pipeline as p')
    .selectAll('p')
    .where('p.id', '=', pipelineId)
    .where(sql<SqlBool>`p.worker_unit_path like ${`${unitPath}%`}`)
    .executeTakeFirst();
}

export async function pipelineTimeline(db: Db, pipelineId: string): Promise<TraineePipelineEvent[]> {
  return db
    .selectFrom('trainee_pipeline_event')
    .selectAll()
    .where('pipeline_id', '=', pipelineId)
    .orderBy('seq')
    .execute();
}
