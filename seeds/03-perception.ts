import { sql } from 'kysely';
import { FEED_SCHEMAS, validateRow } from '../api/routes/feeds/feed-schemas.js';
import type { Db } from '../db/database.js';
import type { PersonalDataKeys } from '../db/personal-data.js';
import type { FeedKind } from '../db/tables/feed.table.js';
import { shanghaiDate } from '../workflows/shared/working-time.js';
import { DEFAULT_WORKER_COUNT, buildOrgTree, buildWorkers, type SeedWorker } from './01-reference-data.js';
import { mulberry32, pick, randomInt, seedId } from './ids.js';

const FEED_RANDOM_SEED = 20_261_205;

type Fact = { kind: FeedKind; days: number; amountFen?: number; department: string } & Record<string, unknown>;

const fact = (kind: FeedKind, days: number, department: string, rest: Record<string, unknown> = {}): Fact => ({
  kind,
  days,
  department,
  ...rest,
});

/**
 * The hardship stories seed workers may have, as department data: enough for every group of leads (discovered,
 * borderline, registered follow-ups) and for the help other departments already gave (the warm-heart list).
 */
const STORIES: readonly ((random: () => number) => Fact[])[] = [
  () => [fact('minimum_living_allowance', 45, '绍兴市民政局', { amountFen: 95_000, householdSize: 3 })],
  (r) => [
    fact('medical_expense', 20 + randomInt(r, 60), '绍兴市医疗保障局', {
      amountFen: 3_200_000 + randomInt(r, 2_000_000),
      totalFen: 9_000_000,
      inpatient: true,
    }),
  ],
  (r) => [
    fact('medical_expense', 30, '绍兴市医疗保障局', { amountFen: 2_100_000 + randomInt(r, 900_000), inpatient: true }),
    fact('medical_expense', 80, '绍兴市医疗保障局', { amountFen: 1_400_000, inpatient: true }),
    fact('serious_illness', 90, '绍兴市卫生健康委员会', { relation: pick(r, ['self', 'spouse', 'child']) }),
  ],
  () => [
    fact('low_income', 60, '绍兴市民政局', { amountFen: 130_000, householdSize: 4 }),
    fact('housing_hardship', 200, '绍兴市住房和城乡建设局', { situation: 'dilapidated' }),
  ],
  (r) => [
    fact('unemployment_registration', 100 + randomInt(r, 80), '绍兴市人力资源和社会保障局'),
    fact('child_tuition', 70, '绍兴市教育局', { amountFen: 1_150_000, stage: 'university' }),
  ],
  (r) => [
    fact('disaster_accident', 25, '绍兴市应急管理局', {
      amountFen: 2_600_000 + randomInt(r, 1_000_000),
      type: 'typhoon',
    }),
  ],
  () => [
    fact('disability_certificate', 900, '绍兴市残疾人联合会', { grade: 1, category: 'physical' }),
    fact('low_income', 40, '绍兴市民政局', { amountFen: 140_000, householdSize: 2 }),
  ],
  () => [
    fact('family_death', 120, '绍兴市公安局', { relation: 'spouse' }),
    fact('child_tuition', 50, '绍兴市教育局', { amountFen: 1_050_000, stage: 'senior' }),
  ],
  (r) => [
    fact('unpaid_wages', 35, '绍兴市人力资源和社会保障局', { amountFen: 1_800_000 + randomInt(r, 500_000), months: 4 }),
  ],
  (r) => [
    fact('work_injury', 150, '绍兴市人力资源和社会保障局', { grade: 5 }),
    fact('department_help', 130, '绍兴市民政局', {
      amountFen: 300_000,
      helpType: 'cash',
      title: pick(r, ['临时救助', '医疗救助金']),
    }),
  ],
];

/** Help from other departments that some workers received with no hardship story of their own. */
const HELP: readonly Fact[] = [
  fact('department_help', 12, '绍兴市民政局', { amountFen: 200_000, helpType: 'cash', title: '临时救助' }),
  fact('department_help', 40, '越城区慈善总会', { helpType: 'goods', title: '慰问品' }),
  fact('department_help', 75, '绍兴市残疾人联合会', { helpType: 'service', title: '康复服务' }),
];

/**
 * Which seed workers have which department data: a third have a hardship story, another tenth only help from
 * other departments. The same worker count always gives the same facts; dates count back from `today`.
 */
export function buildDemoFacts(workers: readonly SeedWorker[]): { worker: SeedWorker; facts: Fact[] }[] {
  const random = mulberry32(FEED_RANDOM_SEED);
  return workers.flatMap((worker) => {
    const draw = random();
    if (draw < 0.33) {
      return [{ worker, facts: pick(random, STORIES)(random) }];
    }
    if (draw < 0.43) {
      return [{ worker, facts: [pick(random, HELP)] }];
    }
    return [];
  });
}

/**
 * Department feed rows for the seed workers (fictional data only), stored as if uploaded in one seed batch per
 * kind. Idempotent: each row's key comes from the worker and the fact's place in the seed, and inserts ignore
 * conflicts, so a later run (on a later day) adds nothing. Returns the rows added.
 */
export async function seedPerceptionFeeds(
  db: Db,
  options: { keys: PersonalDataKeys; workerCount?: number; today?: string },
): Promise<number> {
  const workers = buildWorkers(buildOrgTree(), options.workerCount ?? DEFAULT_WORKER_COUNT);
  const today = options.today ?? shanghaiDate(Date.now());
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const context = { today, lookupHashKey: options.keys.lookupHashKey };
  let inserted = 0;
  await db.transaction().execute(async (trx) => {
    const batchOf = new Map<FeedKind, string>();
    for (const { worker, facts } of buildDemoFacts(workers)) {
      for (const [n, { kind, days, ...values }] of facts.entries()) {
        const occurredOn = new Date(todayMs - days * 86_400_000).toISOString().slice(0, 10);
        const outcome = validateRow(
          FEED_SCHEMAS[kind],
          { idNumber: worker.idNumber, occurredOn, ...values },
          'json',
          context,
        );
        if ('problems' in outcome) {
          throw new Error(`Seed fact ${kind} of ${worker.id} is invalid: ${JSON.stringify(outcome.problems)}`);
        }
        let batchId = batchOf.get(kind);
        if (!batchId) {
          batchId = seedId(`feed-batch:seed:${kind}`);
          await trx
            .insertInto('feed_batch')
            .values({
              id: batchId,
              kind,
              content_hash: `seed:${kind}`,
              format: 'ndjson',
              accepted: 0,
              rejected: 0,
              errors: '[]',
            })
            .onConflict((oc) => oc.doNothing())
            .execute();
          batchOf.set(kind, batchId);
        }
        const row = outcome.row;
        const result = await sql`
          insert into feed_row (kind, row_key, batch_id, id_number_hash, worker_id, occurred_on, amount_fen, department, detail)
          values (${kind}, ${`seed:${seedId(`feed:${worker.id}:${n}`)}`}, ${batchId}::uuid, ${row.idNumberHash},
                  ${worker.id}::uuid, ${row.occurredOn}::date, ${row.amountFen}, ${row.department}, ${row.detail}::jsonb)
          on conflict (kind, row_key) do nothing`.execute(trx);
        inserted += Number(result.numAffectedRows ?? 0);
      }
    }
    for (const [kind, batchId] of batchOf) {
      await sql`update feed_batch b set accepted = c.n, stored = c.n
                from (select count(*)::int as n from feed_row where batch_id = ${batchId}::uuid) c
                where b.id = ${batchId}::uuid and b.kind = ${kind}`.execute(trx);
    }
  });
  return inserted;
}
