import {
  buildMatchingIndex,
  rankAllNaive,
  rankAllWithIndex,
  type MatchScore,
  type OpeningProfile,
  type TraineeProfile,
} from '../activities/training-matching.js';
import { mulberry32, randomInt } from '../seeds/ids.js';
import { WORK_HOURS, type WorkHours } from '../workflows/shared/training-vocabulary.js';
import {
  fmt,
  fmtSpread,
  log,
  median,
  round,
  roundCpu,
  roundSpread,
  spread,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Side = 'baseline' | 'ours';

interface MatchingRun {
  side: Side;
  warmup: boolean;
  wallMs: number;
  cpu: CpuSeconds;
  /** Trainee-opening pairs scored (all of them for the baseline; the index's candidates for ours). */
  pairsScored: number;
}

export interface MatchingResult {
  trainees: number;
  openings: number;
  skills: number;
  limit: number;
  runs: MatchingRun[];
  /** Per measured pair: ours wall time / baseline wall time (below 1 is faster). */
  timeRatio: Spread;
  cpuRatio: Spread;
  traineesPerSec: Record<Side, number>;
  /** Whether both sides ranked every trainee's openings identically (checked on the warm-up pair). */
  identical: boolean;
}

const SKILLS = 120;
const DISTRICTS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'];
const CERTIFICATES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const LIMIT = 10;

/** Skills drawn with a long tail (a few common, many rare), as real skill lists are. */
function skillPicker(random: () => number): () => string {
  const weights = Array.from({ length: SKILLS }, (_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, w) => (cumulative.push((sum + w) / total), sum + w), 0);
  return () => {
    const draw = random();
    const index = cumulative.findIndex((c) => draw <= c);
    return `skill_${index < 0 ? SKILLS - 1 : index}`;
  };
}

function distinct(pick: () => string, count: number): string[] {
  const chosen = new Set<string>();
  for (let tries = 0; chosen.size < count && tries < count * 20; tries++) {
    chosen.add(pick());
  }
  return [...chosen];
}

/** Fixed-seed synthetic openings and trainees: the same every run. */
export function syntheticMarket(trainees: number, openings: number) {
  const random = mulberry32(5_000_10_000);
  const skill = skillPicker(random);
  const pickOf = <T>(items: readonly T[]) => items[randomInt(random, items.length)]!;
  const openingList: OpeningProfile[] = Array.from({ length: openings }, (_, i) => ({
    openingId: `o-${String(i).padStart(6, '0')}`,
    skills: distinct(skill, 1 + randomInt(random, 4)),
    certificateCode: random() < 0.3 ? pickOf(CERTIFICATES) : null,
    districtId: pickOf(DISTRICTS),
    hours: pickOf(WORK_HOURS),
    monthlyPayFen: (3000 + randomInt(random, 7000)) * 100,
  }));
  const traineeList: TraineeProfile[] = Array.from({ length: trainees }, (_, i) => ({
    workerId: `w-${i}`,
    skills: distinct(skill, 1 + randomInt(random, 5)),
    wishedSkills: distinct(skill, randomInt(random, 3)),
    certificates: random() < 0.3 ? [pickOf(CERTIFICATES)] : [],
    homeDistrictId: pickOf(DISTRICTS),
    acceptableDistrictIds: random() < 0.2 ? [pickOf(DISTRICTS), pickOf(DISTRICTS)] : [],
    hours: random() < 0.3 ? ([pickOf(WORK_HOURS)] as WorkHours[]) : [],
    wishedPayFen: random() < 0.6 ? (4000 + randomInt(random, 4000)) * 100 : null,
  }));
  return { openings: openingList, trainees: traineeList };
}

const fingerprint = (results: MatchScore[][]) =>
  results.map((list) => list.map((m) => `${m.openingId}:${m.score}`).join(',')).join('|');

/**
 * Matching: `trainees` synthetic trainees ranked against `openings` openings (top 10 each), ours with the inverted
 * index from skill to openings (index build included), the baseline scoring every pair with the same scoring
 * function and sorting. Both must give identical rankings. B O after a warm-up pair; CPU of this process.
 */
export async function runMatching(ctx: BenchContext): Promise<{ result: MatchingResult; rows: TableRow[] }> {
  const { options } = ctx;
  const market = syntheticMarket(options.matchingTrainees, options.matchingOpenings);
  log(
    `MATCHING ${market.trainees.length} trainees x ${market.openings.length} openings, ${SKILLS} skills, top ${LIMIT}`,
  );
  const runs: MatchingRun[] = [];
  let identical = false;
  const runSide = async (side: Side, warmup: boolean) => {
    const measured = await ctx.cpu.measure(async () =>
      side === 'baseline'
        ? rankAllNaive(market.openings, market.trainees, LIMIT)
        : rankAllWithIndex(buildMatchingIndex(market.openings), market.trainees, LIMIT),
    );
    const touched =
      side === 'baseline'
        ? market.trainees.length * market.openings.length
        : countCandidates(buildMatchingIndex(market.openings), market.trainees);
    const run: MatchingRun = {
      side,
      warmup,
      wallMs: round(measured.wallMs, 1),
      cpu: roundCpu(measured.cpu),
      pairsScored: touched,
    };
    runs.push(run);
    log(
      `MATCHING ${warmup ? 'warm-up ' : ''}${side.padEnd(8)} ${fmt(measured.wallMs / 1000)} s, CPU ${fmt(measured.cpu.total)} s, ` +
        `${touched} pairs scored`,
    );
    return { run, results: measured.result };
  };

  const timeRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair <= options.pairs; pair++) {
    const warmup = pair === 0;
    const baseline = await runSide('baseline', warmup);
    const ours = await runSide('ours', warmup);
    if (warmup) {
      identical = fingerprint(baseline.results) === fingerprint(ours.results);
      if (!identical) {
        throw new Error('MATCHING: the index ranked differently from the all-pairs baseline');
      }
    } else {
      timeRatios.push(ours.run.wallMs / baseline.run.wallMs);
      cpuRatios.push(ours.run.cpu.total / baseline.run.cpu.total);
    }
  }

  const measured = (side: Side) => runs.filter((r) => !r.warmup && r.side === side);
  const perSec = (side: Side) =>
    round(median(measured(side).map((r) => market.trainees.length / (r.wallMs / 1000))), 0);
  const result: MatchingResult = {
    trainees: market.trainees.length,
    openings: market.openings.length,
    skills: SKILLS,
    limit: LIMIT,
    runs,
    timeRatio: roundSpread(spread(timeRatios)),
    cpuRatio: roundSpread(spread(cpuRatios)),
    traineesPerSec: { baseline: perSec('baseline'), ours: perSec('ours') },
    identical,
  };
  const pairs = (side: Side) => measured(side)[0]?.pairsScored ?? 0;
  const rows: TableRow[] = [
    {
      phase: 'matching',
      metric: `trainees/s (${result.trainees} x ${result.openings}, top ${LIMIT}, same ranking: ${identical})`,
      baseline: fmt(result.traineesPerSec.baseline, 0),
      ours: fmt(result.traineesPerSec.ours, 0),
      ratio: `time ${fmtSpread(result.timeRatio, 3)}`,
      target: '< 1 (faster than all pairs)',
    },
    {
      phase: 'matching',
      metric: 'pairs scored / CPU',
      baseline: String(pairs('baseline')),
      ours: String(pairs('ours')),
      ratio: `cpu ${fmtSpread(result.cpuRatio, 3)}`,
      target: '< 1',
    },
  ];
  return { result, rows };
}

/** How many trainee-opening pairs the index touches: openings sharing a skill held or wished, per trainee. */
function countCandidates(index: ReturnType<typeof buildMatchingIndex>, trainees: readonly TraineeProfile[]): number {
  let total = 0;
  const seen = new Uint32Array(index.openings.length);
  trainees.forEach((trainee, t) => {
    for (const skill of new Set([...trainee.skills, ...trainee.wishedSkills])) {
      const id = index.skillIds.get(skill);
      for (const o of id === undefined ? [] : index.postings[id]!) {
        if (seen[o] !== t + 1) {
          seen[o] = t + 1;
          total++;
        }
      }
    }
  });
  return total;
}
