/*
 * CLI: opens demo courses through the real API (in-process) and moves their trainees to several steps, so the demo
 * shows pipelines waiting on a seat, in class, at the retake, in matching, with an offer and placed. Needs the
 * worker running. Writes carry fixed Idempotency-Keys and courses are found by title, so a second run changes
 * nothing. The drone course's time limits are demo-short: its fair is held ten seconds after it ends, a trainee
 * still without a job ten minutes later is escalated, and follow-ups fall due after five and fifteen minutes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { buildOrgTree, buildWorkers } from './01-reference-data.js';
import { runDemoScript, type DemoCall } from './demo-app.js';

export interface TrainingDemoSummary {
  courses: number;
  pipelines: number;
  steps: Record<string, number>;
}

interface Pipeline {
  id: string;
  step: string;
  status: string;
  workerId: string;
}

const DEMO_LIMITS = {
  placement: { duration: 'PT10M', calendar: 'natural' },
  followUp1: { duration: 'PT5M', calendar: 'natural' },
  followUp3: { duration: 'PT15M', calendar: 'natural' },
  followUpWithin: { duration: 'PT5M', calendar: 'natural' },
};

/** Drives the training demo through `call`; answers how many pipelines stand at each step afterwards. */
export async function runTrainingDemo(
  call: DemoCall,
  passwords: { admin: string; demo: string },
): Promise<TrainingDemoSummary> {
  const login = async (username: string, password = passwords.demo) =>
    (await call('POST', '/auth/login', null, { username, password })).token as string;
  const admin = await login('admin', passwords.admin);
  const trainer = await login('trainer');
  const cityOfficer = await login('city_employment_officer');
  const keqiaoTrainer = await login('keqiao_trainer');
  const keqiaoOfficer = await login('keqiao_employment_officer');
  const yuechengTrainer = await login('yuecheng_trainer');
  const yuechengOfficer = await login('yuecheng_employment_officer');
  const units = new Map<string, string>(
    ((await call('GET', '/users?limit=500', admin)).items as { username: string; unitId: string }[]).map((u) => [
      u.username,
      u.unitId,
    ]),
  );

  // Seeded workers only (the first 60, which every seeding has), so that a second run picks the same people.
  const seeded = buildWorkers(buildOrgTree(), 60);
  const workersAt = async (caseworker: string, count: number): Promise<string[]> =>
    seeded
      .filter((worker) => worker.unitId === units.get(caseworker))
      .slice(0, count)
      .map((worker) => worker.id);
  const survey = (token: string, workerId: string, skills: string[], wishedSkills: string[]) =>
    call('POST', '/surveys', token, { workerId, skills, wishedSkills }, `demo-survey-${workerId}`);
  const courseByTitle = async (token: string, title: string, body: Record<string, unknown>) => {
    const existing = ((await call('GET', '/courses?limit=500', token)).items as { id: string; title: string }[]).find(
      (c) => c.title === title,
    );
    return existing?.id ?? ((await call('POST', '/courses', token, { title, ...body })).id as string);
  };
  const enrol = async (token: string, courseId: string, workerId: string): Promise<Pipeline> =>
    call('POST', `/courses/${courseId}/enrolments`, token, { workerId }, `demo-enrol-${courseId}-${workerId}`);
  const act = (token: string, pipeline: Pipeline, action: string, body: Record<string, unknown> = {}) =>
    call('POST', `/pipelines/${pipeline.id}/actions/${action}`, token, body, `demo-${action}-${pipeline.id}`);
  const waitUntil = async (token: string, pipeline: Pipeline, done: (p: Pipeline) => boolean) => {
    for (let i = 0; i < 300; i++) {
      const current = (await call('GET', `/pipelines/${pipeline.id}`, token)) as Pipeline;
      if (done(current)) {
        return current;
      }
      await delay(200);
    }
    throw new Error(`Pipeline ${pipeline.id} did not move on in time`);
  };
  const day = 86_400_000;
  const now = Date.now();

  // A drone-pilot course of the city with its licence exam: ended by the trainer, so its fair follows.
  const drone = await courseByTitle(trainer, '无人机驾驶员培训班（第三期）', {
    skills: ['drone_pilot', 'aerial_survey'],
    capacity: 6,
    waitlistCapacity: 2,
    startsAt: new Date(now - 20 * day).toISOString(),
    endsAt: new Date(now + 2 * day).toISOString(),
    sessions: 4,
    exam: { certificate: 'uom_drone_pilot' },
    fairWithin: 'PT10S',
    timeLimits: DEMO_LIMITS,
  });
  const droneWorkers = [
    ...(await workersAt('yuecheng_t1_g1_caseworker', 2)),
    ...(await workersAt('keqiao_t1_g1_caseworker', 2)),
    ...(await workersAt('zhuji_t1_g1_caseworker', 1)),
  ];
  const droneTrainees: Pipeline[] = [];
  for (const workerId of droneWorkers) {
    await survey(cityOfficer, workerId, ['office_software'], ['drone_pilot']);
    const pipeline = await enrol(cityOfficer, drone, workerId);
    if (pipeline.step === 'confirm') {
      await act(cityOfficer, pipeline, 'confirm');
    }
    droneTrainees.push(pipeline);
  }
  for (const session of [1, 2, 3, 4]) {
    await call(
      'POST',
      `/courses/${drone}/attendance`,
      trainer,
      { session, records: droneWorkers.map((workerId, i) => ({ workerId, present: i !== 4 || session === 1 })) },
      `demo-attendance-${drone}-${session}`,
    ).catch((error: unknown) => {
      // A second run meets the course already ended: its attendance was settled by the first.
      if (!String(error).includes('COURSE_ENDED')) {
        throw error;
      }
    });
  }
  await call('POST', `/courses/${drone}/actions/end`, trainer, undefined, `demo-end-${drone}`);
  const completed = droneTrainees.slice(0, 4);
  for (const pipeline of completed) {
    await waitUntil(cityOfficer, pipeline, (p) => p.step !== 'attendance');
  }
  await call(
    'POST',
    `/exams/${drone}/results`,
    trainer,
    { results: completed.map((p, i) => ({ workerId: p.workerId, passed: i !== 3 })) },
    `demo-exam-${drone}`,
  );
  for (const pipeline of completed.slice(0, 3)) {
    await waitUntil(cityOfficer, pipeline, (p) => !['exam', 'fair'].includes(p.step));
  }
  const [placed, offered] = completed as [Pipeline, Pipeline];
  const pilotOpening = (
    (await call('GET', '/openings?skill=drone_pilot&limit=50', cityOfficer)).items as { id: string; title: string }[]
  ).find((o) => o.title === '植保无人机飞手')!;
  for (const pipeline of [placed, offered]) {
    await act(cityOfficer, pipeline, 'record-offer', { openingId: pilotOpening.id });
  }
  await act(cityOfficer, placed, 'accept-offer');

  // A housekeeping course in Keqiao that has not started: seats to confirm, seats confirmed, a waiting list.
  const housekeeping = await courseByTitle(keqiaoTrainer, '家政服务员培训班（柯桥）', {
    skills: ['housekeeping', 'cleaning'],
    capacity: 3,
    waitlistCapacity: 3,
    startsAt: new Date(now + 3 * day).toISOString(),
    endsAt: new Date(now + 13 * day).toISOString(),
    sessions: 10,
    fairWithin: 'P3D',
  });
  const keqiaoWorkers = [
    ...(await workersAt('keqiao_t1_g2_caseworker', 2)),
    ...(await workersAt('keqiao_t2_g1_caseworker', 2)),
    ...(await workersAt('keqiao_t2_g2_caseworker', 1)),
  ];
  for (const [i, workerId] of keqiaoWorkers.entries()) {
    await survey(keqiaoOfficer, workerId, ['cleaning'], ['housekeeping']);
    const pipeline = await enrol(keqiaoOfficer, housekeeping, workerId);
    if (i < 2 && pipeline.step === 'confirm') {
      await act(keqiaoOfficer, pipeline, 'confirm');
    }
  }

  // An electricians' course in Yuecheng in progress.
  const electricians = await courseByTitle(yuechengTrainer, '低压电工上岗培训班', {
    skills: ['electrician'],
    capacity: 10,
    startsAt: new Date(now - 5 * day).toISOString(),
    endsAt: new Date(now + 25 * day).toISOString(),
    sessions: 20,
    exam: { certificate: 'electrician_permit' },
  });
  for (const workerId of await workersAt('yuecheng_t2_g1_caseworker', 3)) {
    await survey(yuechengOfficer, workerId, ['plumbing'], ['electrician']);
    const pipeline = await enrol(yuechengOfficer, electricians, workerId);
    if (pipeline.step === 'confirm') {
      await act(yuechengOfficer, pipeline, 'confirm');
    }
  }

  const steps: Record<string, number> = {};
  let pipelines = 0;
  for (const course of [drone, housekeeping, electricians]) {
    const answer = await call('GET', `/pipelines?courseId=${course}&limit=500`, admin);
    for (const pipeline of answer.items as Pipeline[]) {
      const key = pipeline.status === 'open' ? pipeline.step : pipeline.status;
      steps[key] = (steps[key] ?? 0) + 1;
      pipelines++;
    }
  }
  return { courses: 3, pipelines, steps };
}

await runDemoScript(import.meta.url, 'Demo training', async ({ call, passwords }) => {
  const summary = await runTrainingDemo(call, passwords);
  console.log(`Demo training in place: ${summary.pipelines} trainees on ${summary.courses} courses`);
  console.log(`  by step: ${JSON.stringify(summary.steps)}`);
  console.log('Sign in as city_employment_officer or keqiao_employment_officer and GET /pipelines to follow them.');
});
