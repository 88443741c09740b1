import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callThrough, type DemoCall } from '../../seeds/demo-app.js';
import { runTrainingDemo } from '../../seeds/demo-training.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../support/api-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

/** The demo script (seeds/demo-training.ts) against the test stack, as `npm run demo` runs it. */

describe('training demo seed', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const call: DemoCall = callThrough((method, url, options) => h.request(method, url, options));

  const demoEvents = async () =>
    (
      await sql<{ n: number }>`
        select count(*)::int as n from trainee_pipeline_event e
        join trainee_pipeline p on p.id = e.pipeline_id
        join course c on c.id = p.course_id
        where c.title in ('无人机驾驶员培训班（第三期）', '家政服务员培训班（柯桥）', '低压电工上岗培训班')
      `.execute(h.db)
    ).rows[0]!.n;

  test('leaves trainees at every kind of step, and a second run changes nothing', async () => {
    const passwords = { admin: ADMIN_PASSWORD, demo: DEMO_PASSWORD };

    const first = await runTrainingDemo(call, passwords);
    const events = await demoEvents();
    const second = await runTrainingDemo(call, passwords);

    expect(first).toEqual({
      courses: 3,
      pipelines: 13,
      steps: {
        not_completed: 1,
        retake: 1,
        matching: 1,
        offer: 1,
        followup_1m: 1,
        attendance: 5,
        confirm: 1,
        waitlist: 2,
      },
    });
    expect(second).toEqual(first);
    expect(await demoEvents()).toBe(events);
  });
});
