import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  WEIGHTS,
  buildMatchingIndex,
  explainMatch,
  rankAllNaive,
  rankAllWithIndex,
  rankOpenings,
  scoreOpening,
  type MatchLabels,
  type OpeningProfile,
  type TraineeProfile,
} from '../../activities/training-matching.js';
import { WORK_HOURS } from '../../workflows/shared/training-vocabulary.js';

const LABELS: MatchLabels = {
  skill: (code) => ({ electrician: '电工', welder: '焊工', forklift: '叉车', drone_pilot: '无人机驾驶' })[code] ?? code,
  certificate: (code) => ({ uom_drone_pilot: '无人机驾驶员证' })[code] ?? code,
  district: (id) => ({ keqiao: '柯桥区', yuecheng: '越城区' })[id] ?? id,
};

const trainee = (patch: Partial<TraineeProfile> = {}): TraineeProfile => ({
  workerId: 'w-1',
  skills: ['electrician', 'welder', 'forklift'],
  wishedSkills: [],
  certificates: ['uom_drone_pilot'],
  homeDistrictId: 'keqiao',
  acceptableDistrictIds: [],
  hours: [],
  wishedPayFen: null,
  ...patch,
});

const opening = (openingId: string, patch: Partial<OpeningProfile> = {}): OpeningProfile => ({
  openingId,
  skills: ['electrician'],
  certificateCode: null,
  districtId: 'keqiao',
  hours: 'full_time',
  monthlyPayFen: 600_000,
  ...patch,
});

describe('scoreOpening', () => {
  test('explains each factor in Chinese, as staff read it', () => {
    const job = opening('o-1', {
      skills: ['electrician', 'welder', 'forklift', 'drone_pilot'],
      certificateCode: 'uom_drone_pilot',
      monthlyPayFen: 650_000,
    });
    const who = trainee({ wishedPayFen: 500_000 });
    const match = scoreOpening(who, job)!;

    expect(explainMatch(match, job, who, LABELS)).toEqual([
      '技能匹配 3/4（电工、焊工、叉车）',
      '持有无人机驾驶员证',
      '同在柯桥区',
      '月薪 6500 元，达到期望 5000 元',
    ]);
    expect(match.score).toBe(45 + WEIGHTS.certificateHeld + WEIGHTS.sameDistrict + WEIGHTS.payMeets);
  });

  test('a missing required certificate, another district and low pay are said plainly and cost points', () => {
    const job = opening('o-1', { certificateCode: 'uom_drone_pilot', districtId: 'yuecheng', monthlyPayFen: 400_050 });
    const who = trainee({ certificates: [], wishedPayFen: 500_000, hours: ['full_time', 'shifts'] });
    const match = scoreOpening(who, job)!;

    expect(explainMatch(match, job, who, LABELS)).toEqual([
      '技能匹配 1/1（电工）',
      '缺少岗位要求的无人机驾驶员证',
      '岗位在越城区',
      '月薪 4000.50 元，低于期望 5000 元',
      '全职，符合工时要求',
    ]);
    expect(match.score).toBe(60 + WEIGHTS.certificateMissing + WEIGHTS.payBelow);
  });

  test('a wished-for skill makes an opening a candidate even with no skill held', () => {
    const job = opening('o-1', { skills: ['drone_pilot'] });
    const match = scoreOpening(trainee({ wishedSkills: ['drone_pilot'] }), job)!;

    expect(explainMatch(match, job, trainee(), LABELS).slice(0, 2)).toEqual([
      '技能匹配 0/1',
      '符合求职意向（无人机驾驶）',
    ]);
    expect(match.score).toBe(WEIGHTS.wish + WEIGHTS.sameDistrict);
  });

  test('hours, districts and skills in common are hard limits', () => {
    expect(scoreOpening(trainee({ hours: ['part_time'] }), opening('o-1'))).toBeNull();
    expect(scoreOpening(trainee({ acceptableDistrictIds: ['yuecheng'] }), opening('o-1'))).toBeNull();
    expect(scoreOpening(trainee(), opening('o-1', { skills: ['drone_pilot'] }))).toBeNull();
    expect(
      scoreOpening(trainee({ acceptableDistrictIds: ['keqiao'], hours: ['full_time'] }), opening('o-1')),
    ).not.toBeNull();
  });
});

describe('rankOpenings', () => {
  test('puts the obvious best opening first', () => {
    const openings = [
      opening('a-far-partial', { skills: ['electrician', 'drone_pilot'], districtId: 'yuecheng' }),
      opening('b-best', { skills: ['electrician', 'welder', 'forklift'] }),
      opening('c-needs-certificate', { skills: ['electrician', 'welder'], certificateCode: 'other_cert' }),
      opening('d-unrelated', { skills: ['drone_pilot'] }),
    ];

    const ranked = rankOpenings(trainee(), openings, 10);

    expect(ranked.map((m) => m.openingId)).toEqual(['b-best', 'c-needs-certificate', 'a-far-partial']);
  });

  test('breaks ties by skills matched, then by opening id', () => {
    const ranked = rankOpenings(trainee(), [opening('z'), opening('a'), opening('m')], 2);

    expect(ranked.map((m) => m.openingId)).toEqual(['a', 'm']);
  });
});

const SKILLS = Array.from({ length: 12 }, (_, i) => `skill_${i}`);
const DISTRICTS = ['d1', 'd2', 'd3'];
const skillSet = (max: number) => fc.uniqueArray(fc.constantFrom(...SKILLS), { minLength: 0, maxLength: max });

const openingArb = (id: number) =>
  fc.record({
    openingId: fc.constant(`o-${String(id).padStart(3, '0')}`),
    skills: fc.uniqueArray(fc.constantFrom(...SKILLS), { minLength: 1, maxLength: 4 }),
    certificateCode: fc.option(fc.constantFrom('c1', 'c2'), { nil: null }),
    districtId: fc.constantFrom(...DISTRICTS),
    hours: fc.constantFrom(...WORK_HOURS),
    monthlyPayFen: fc.integer({ min: 300_000, max: 900_000 }),
  });

const traineeArb = fc.record({
  workerId: fc.constant('w'),
  skills: skillSet(5),
  wishedSkills: skillSet(3),
  certificates: fc.uniqueArray(fc.constantFrom('c1', 'c2'), { maxLength: 2 }),
  homeDistrictId: fc.option(fc.constantFrom(...DISTRICTS), { nil: null }),
  acceptableDistrictIds: fc.uniqueArray(fc.constantFrom(...DISTRICTS), { maxLength: 2 }),
  hours: fc.uniqueArray(fc.constantFrom(...WORK_HOURS), { maxLength: 3 }),
  wishedPayFen: fc.option(fc.integer({ min: 300_000, max: 900_000 }), { nil: null }),
});

describe('the inverted index', () => {
  test('ranks exactly as the all-pairs loop does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => openingArb(i)))),
        fc.array(traineeArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 6 }),
        (openings, trainees, limit) => {
          const index = buildMatchingIndex(openings);

          expect(rankAllWithIndex(index, trainees, limit)).toEqual(rankAllNaive(openings, trainees, limit));
        },
      ),
      { seed: 20261205, numRuns: 300 },
    );
  });

  test('leaves no scratch state behind between trainees', () => {
    const openings = [opening('o-1'), opening('o-2', { skills: ['welder'] })];
    const index = buildMatchingIndex(openings);

    rankAllWithIndex(index, [trainee(), trainee()], 5);

    expect([...index.held, ...index.wished]).toEqual([0, 0, 0, 0]);
  });
});
