import { WORK_HOURS, WORK_HOURS_LABELS, type WorkHours } from '../workflows/shared/training-vocabulary.js';

/**
 * Matching trainees to job openings (求职对接): a pure scoring function, the Chinese reasons for a score, and two
 * ways to rank many trainees at once (an inverted index from skill to openings, and the naive all-pairs loop it
 * is measured against; both give the same answers). The API ranks one trainee's candidates (already narrowed by
 * SQL to openings sharing a skill); the pipeline uses the same function when it pushes openings to a trainee.
 */

export interface TraineeProfile {
  workerId: string;
  /** Skills held: those in the survey and those taught by courses the trainee completed. */
  skills: readonly string[];
  /** Skills and jobs the trainee wishes for (求职意向). */
  wishedSkills: readonly string[];
  certificates: readonly string[];
  /** The district of the trainee's union. */
  homeDistrictId: string | null;
  /** Districts the trainee can work in; empty means anywhere. */
  acceptableDistrictIds: readonly string[];
  /** Working hours the trainee accepts; empty means any. */
  hours: readonly WorkHours[];
  wishedPayFen: number | null;
}

export interface OpeningProfile {
  openingId: string;
  skills: readonly string[];
  certificateCode: string | null;
  districtId: string;
  hours: WorkHours;
  monthlyPayFen: number;
}

export interface MatchScore {
  openingId: string;
  score: number;
  /** Skills of the opening the trainee holds, in the opening's order. */
  matchedSkills: string[];
  totalSkills: number;
  /** Skills of the opening the trainee does not hold but wishes for. */
  wishedSkills: string[];
  certificate: 'held' | 'missing' | null;
  sameDistrict: boolean;
  pay: 'meets' | 'below' | null;
}

/** Points of each factor. Skills weigh most; a required certificate the trainee lacks costs more than any bonus. */
export const WEIGHTS = {
  skills: 60,
  wish: 10,
  certificateHeld: 20,
  certificateMissing: -30,
  sameDistrict: 10,
  payMeets: 5,
  payBelow: -10,
} as const;

const skillPoints = (matched: number, total: number) => Math.round((WEIGHTS.skills * matched) / total);

function extraPoints(wished: boolean, certificate: MatchScore['certificate'], same: boolean, pay: MatchScore['pay']) {
  return (
    (wished ? WEIGHTS.wish : 0) +
    (certificate === 'held' ? WEIGHTS.certificateHeld : certificate === 'missing' ? WEIGHTS.certificateMissing : 0) +
    (same ? WEIGHTS.sameDistrict : 0) +
    (pay === 'meets' ? WEIGHTS.payMeets : pay === 'below' ? WEIGHTS.payBelow : 0)
  );
}

const payVerdict = (payFen: number, wishedFen: number | null): MatchScore['pay'] =>
  wishedFen === null ? null : payFen >= wishedFen ? 'meets' : 'below';

/** A trainee's lists as sets, built once per trainee rather than once per opening. */
interface PreparedTrainee {
  trainee: TraineeProfile;
  held: Set<string>;
  wishes: Set<string>;
  certificates: Set<string>;
  districts: Set<string> | null;
  hours: Set<WorkHours> | null;
}

const prepare = (trainee: TraineeProfile): PreparedTrainee => ({
  trainee,
  held: new Set(trainee.skills),
  wishes: new Set(trainee.wishedSkills),
  certificates: new Set(trainee.certificates),
  districts: trainee.acceptableDistrictIds.length > 0 ? new Set(trainee.acceptableDistrictIds) : null,
  hours: trainee.hours.length > 0 ? new Set(trainee.hours) : null,
});

function scorePrepared(prepared: PreparedTrainee, opening: OpeningProfile): MatchScore | null {
  const { trainee, held, wishes } = prepared;
  if (
    (prepared.hours && !prepared.hours.has(opening.hours)) ||
    (prepared.districts && !prepared.districts.has(opening.districtId))
  ) {
    return null;
  }
  const matchedSkills = opening.skills.filter((skill) => held.has(skill));
  const wishedSkills = opening.skills.filter((skill) => !held.has(skill) && wishes.has(skill));
  if (matchedSkills.length === 0 && wishedSkills.length === 0) {
    return null;
  }
  const certificate =
    opening.certificateCode === null ? null : prepared.certificates.has(opening.certificateCode) ? 'held' : 'missing';
  const sameDistrict = trainee.homeDistrictId !== null && trainee.homeDistrictId === opening.districtId;
  const pay = payVerdict(opening.monthlyPayFen, trainee.wishedPayFen);
  return {
    openingId: opening.openingId,
    score:
      skillPoints(matchedSkills.length, opening.skills.length) +
      extraPoints(wishedSkills.length > 0, certificate, sameDistrict, pay),
    matchedSkills,
    totalSkills: opening.skills.length,
    wishedSkills,
    certificate,
    sameDistrict,
    pay,
  };
}

/**
 * Scores one opening for one trainee, or null when it is not a candidate: its hours or district break the
 * trainee's constraints, or it shares no skill with what the trainee holds or wishes for.
 */
export const scoreOpening = (trainee: TraineeProfile, opening: OpeningProfile): MatchScore | null =>
  scorePrepared(prepare(trainee), opening);

/** Best first: higher score, then more skills matched, then the opening id (so ties always fall the same way). */
export function compareMatches(a: MatchScore, b: MatchScore): number {
  return (
    b.score - a.score ||
    b.matchedSkills.length - a.matchedSkills.length ||
    (a.openingId < b.openingId ? -1 : a.openingId > b.openingId ? 1 : 0)
  );
}

/** Ranks the given openings for a trainee: every candidate scored, best first, at most `limit`. */
export function rankOpenings(
  trainee: TraineeProfile,
  openings: readonly OpeningProfile[],
  limit: number,
): MatchScore[] {
  const scored: MatchScore[] = [];
  for (const opening of openings) {
    const match = scoreOpening(trainee, opening);
    if (match) {
      scored.push(match);
    }
  }
  return scored.sort(compareMatches).slice(0, limit);
}

export interface MatchLabels {
  skill(code: string): string;
  certificate(code: string): string;
  district(unitId: string): string;
}

const yuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

/**
 * Why an opening ranks where it does, in Chinese, one phrase per factor:
 * `技能匹配 3/4（电工、焊工、叉车）；持有无人机驾驶员证；同在柯桥区；月薪 6500 元，达到期望 5000 元`.
 */
export function explainMatch(
  match: MatchScore,
  opening: OpeningProfile,
  trainee: TraineeProfile,
  labels: MatchLabels,
): string[] {
  const names = (codes: string[]) => codes.map((code) => labels.skill(code)).join('、');
  const reasons = [
    match.matchedSkills.length > 0
      ? `技能匹配 ${match.matchedSkills.length}/${match.totalSkills}（${names(match.matchedSkills)}）`
      : `技能匹配 0/${match.totalSkills}`,
  ];
  if (match.wishedSkills.length > 0) {
    reasons.push(`符合求职意向（${names(match.wishedSkills)}）`);
  }
  if (match.certificate === 'held') {
    reasons.push(`持有${labels.certificate(opening.certificateCode!)}`);
  } else if (match.certificate === 'missing') {
    reasons.push(`缺少岗位要求的${labels.certificate(opening.certificateCode!)}`);
  }
  reasons.push(
    match.sameDistrict ? `同在${labels.district(opening.districtId)}` : `岗位在${labels.district(opening.districtId)}`,
  );
  if (match.pay && trainee.wishedPayFen !== null) {
    const relation = match.pay === 'meets' ? '达到' : '低于';
    reasons.push(`月薪 ${yuan(opening.monthlyPayFen)} 元，${relation}期望 ${yuan(trainee.wishedPayFen)} 元`);
  }
  if (trainee.hours.length > 0 && trainee.hours.length < WORK_HOURS.length) {
    reasons.push(`${WORK_HOURS_LABELS[opening.hours]}，符合工时要求`);
  }
  return reasons;
}

// ---------------------------------------------------------------------------------------------------------------
// Many trainees at once

/**
 * Openings laid out for fast matching: sorted by id (so an index order is also the tie-break order), each skill
 * a number, and for each skill the openings that want it. Scratch arrays are reused between trainees.
 */
export interface MatchingIndex {
  openings: OpeningProfile[];
  skillIds: Map<string, number>;
  postings: Int32Array[];
  skillCount: Uint16Array;
  certificate: (string | null)[];
  district: string[];
  hours: Uint8Array;
  pay: Int32Array;
  held: Uint16Array;
  wished: Uint8Array;
}

const HOURS_BIT: Record<WorkHours, number> = { full_time: 1, part_time: 2, shifts: 4 };

export function buildMatchingIndex(openings: readonly OpeningProfile[]): MatchingIndex {
  const sorted = [...openings].sort((a, b) => (a.openingId < b.openingId ? -1 : a.openingId > b.openingId ? 1 : 0));
  const skillIds = new Map<string, number>();
  const lists: number[][] = [];
  sorted.forEach((opening, index) => {
    for (const skill of new Set(opening.skills)) {
      let id = skillIds.get(skill);
      if (id === undefined) {
        id = skillIds.size;
        skillIds.set(skill, id);
        lists.push([]);
      }
      lists[id]!.push(index);
    }
  });
  return {
    openings: sorted,
    skillIds,
    postings: lists.map((list) => Int32Array.from(list)),
    skillCount: Uint16Array.from(sorted.map((o) => o.skills.length)),
    certificate: sorted.map((o) => o.certificateCode),
    district: sorted.map((o) => o.districtId),
    hours: Uint8Array.from(sorted.map((o) => HOURS_BIT[o.hours])),
    pay: Int32Array.from(sorted.map((o) => o.monthlyPayFen)),
    held: new Uint16Array(sorted.length),
    wished: new Uint8Array(sorted.length),
  };
}

interface Candidate {
  index: number;
  score: number;
  matched: number;
}

const better = (a: Candidate, b: Candidate) =>
  a.score > b.score ||
  (a.score === b.score && (a.matched > b.matched || (a.matched === b.matched && a.index < b.index)));

/**
 * Ranks the index's openings for one trainee, touching only openings that share a skill with what the trainee
 * holds or wishes for, and keeping the best `limit` as it goes. Same answer as `rankOpenings` over all openings.
 */
export function rankWithIndex(index: MatchingIndex, trainee: TraineeProfile, limit: number): MatchScore[] {
  const { held, wished, postings, skillIds } = index;
  const heldSkills = new Set(trainee.skills);
  const touched: number[] = [];
  const visit = (skill: string, onto: (o: number) => void) => {
    const id = skillIds.get(skill);
    if (id !== undefined) {
      for (const o of postings[id]!) {
        if (held[o] === 0 && wished[o] === 0) {
          touched.push(o);
        }
        onto(o);
      }
    }
  };
  for (const skill of heldSkills) {
    visit(skill, (o) => (held[o] = held[o]! + 1));
  }
  for (const skill of new Set(trainee.wishedSkills)) {
    if (!heldSkills.has(skill)) {
      visit(skill, (o) => (wished[o] = 1));
    }
  }

  const hoursMask = trainee.hours.reduce((mask, h) => mask | HOURS_BIT[h], 0);
  const districts = trainee.acceptableDistrictIds.length > 0 ? new Set(trainee.acceptableDistrictIds) : null;
  const certificates = new Set(trainee.certificates);
  const top: Candidate[] = [];
  for (const o of touched) {
    const matched = held[o]!;
    const hasWish = wished[o] === 1;
    held[o] = 0;
    wished[o] = 0;
    if ((hoursMask !== 0 && (hoursMask & index.hours[o]!) === 0) || (districts && !districts.has(index.district[o]!))) {
      continue;
    }
    const code = index.certificate[o]!;
    const certificate = code === null ? null : certificates.has(code) ? 'held' : 'missing';
    const same = trainee.homeDistrictId !== null && trainee.homeDistrictId === index.district[o];
    const candidate = {
      index: o,
      matched,
      score:
        skillPoints(matched, index.skillCount[o]!) +
        extraPoints(hasWish, certificate, same, payVerdict(index.pay[o]!, trainee.wishedPayFen)),
    };
    if (top.length < limit || better(candidate, top[top.length - 1]!)) {
      let at = top.length;
      while (at > 0 && better(candidate, top[at - 1]!)) {
        at--;
      }
      top.splice(at, 0, candidate);
      if (top.length > limit) {
        top.pop();
      }
    }
  }
  const prepared = prepare(trainee);
  return top.map((candidate) => scorePrepared(prepared, index.openings[candidate.index]!)!);
}

/** The index's answer for every trainee. */
export const rankAllWithIndex = (index: MatchingIndex, trainees: readonly TraineeProfile[], limit: number) =>
  trainees.map((trainee) => rankWithIndex(index, trainee, limit));

/** The all-pairs baseline: every opening scored for every trainee, then sorted. */
export const rankAllNaive = (openings: readonly OpeningProfile[], trainees: readonly TraineeProfile[], limit: number) =>
  trainees.map((trainee) => rankOpenings(trainee, openings, limit));
