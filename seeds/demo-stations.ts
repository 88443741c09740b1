/*
 * CLI: starts this period's inspection rounds of benchmark and 24-hour stations through the real API (in-process)
 * and moves the benchmark inspections to every step, so the demo shows inspections scored, commended, awaiting
 * rectification, awaiting re-inspection, passed after rectification and one station suspended. Needs the worker
 * running. Every request carries a fixed Idempotency-Key, so a second run answers from the stored results.
 *
 * 24-hour stations' inspections get a demo limit of two minutes per step (only while that policy is still the
 * built-in default), so a few minutes after the demo starts they turn late and escalate up the tree.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runDemoScript, type DemoCall } from './demo-app.js';

export interface StationDemoOptions {
  adminPassword: string;
  demoPassword: string;
  /** Whose stations the rounds cover: the whole city (the admin's unit) when absent. */
  scopeUnitId?: string;
  /** Two-minute limits for 24-hour stations' inspections, so they escalate while the demo runs. */
  shortLimitsForRoundTheClock: boolean;
}

type Plan =
  'excellent' | 'rectified' | 'awaiting_rectification' | 'suspended' | 'passed' | 'awaiting_reinspection' | 'untouched';

/** What the benchmark inspections are moved to, in turn; small scopes still show the most varied steps first. */
const PLANS: readonly Plan[] = [
  'excellent',
  'rectified',
  'awaiting_rectification',
  'suspended',
  'passed',
  'awaiting_reinspection',
  'untouched',
];

interface DemoInspection {
  id: string;
  stationId: string;
  ownerUnitId: string;
  inspectorUserId: string | null;
  checklist: { id: string; maxScore: number }[];
  step: string;
  outcome: string | null;
}

function scoresTotalling(checklist: { id: string; maxScore: number }[], total: number) {
  let left = total;
  return Object.fromEntries(
    checklist.map((item) => {
      const points = Math.min(item.maxScore, left);
      left -= points;
      return [item.id, points];
    }),
  );
}

export interface StationDemoResult {
  period: string;
  /** Benchmark inspections of the round by where they now stand: `step/outcome`. */
  benchmark: Record<string, number>;
  roundTheClockInspections: number;
}

/**
 * Runs the station demo against an API: logs in, optionally shortens 24-hour stations' limits, starts the rounds
 * and moves each benchmark inspection along its plan. Idempotent through its fixed keys.
 */
export async function runStationDemo(call: DemoCall, options: StationDemoOptions): Promise<StationDemoResult> {
  const login = async (username: string, password = options.demoPassword) =>
    (await call('POST', '/auth/login', null, { username, password })).token as string;
  const admin = await login('admin', options.adminPassword);
  const users = (await call('GET', '/users?limit=500', admin)).items as {
    id: string;
    username: string;
    role: string;
    unitId: string;
  }[];
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (username: string) => {
    let token = tokens.get(username);
    if (!token) {
      token = login(username);
      tokens.set(username, token);
    }
    return token;
  };
  const scopeUnitId = options.scopeUnitId ?? users.find((user) => user.username === 'admin')!.unitId;

  if (options.shortLimitsForRoundTheClock) {
    const { items } = await call('GET', '/policies/inspections', admin);
    const policy = items.find((p: { stationType: string }) => p.stationType === '24h');
    if (policy.version === 0) {
      const limit = { duration: 'PT2M', calendar: 'natural' };
      await call('PUT', '/policies/inspections/24h', admin, {
        limits: { inspect: limit, rectify: limit, reinspect: limit },
      });
    }
  }

  const roundOf = async (stationType: string) => {
    const round = await call(
      'POST',
      '/inspections/rounds',
      admin,
      { stationType, unitId: scopeUnitId },
      `demo-round-${stationType}-${scopeUnitId}`,
    );
    const expected = (round.started as number) + (round.alreadyStarted as number);
    const url = `/inspections?stationType=${stationType}&period=${round.period}&unitId=${scopeUnitId}&limit=500`;
    for (let attempt = 0; ; attempt++) {
      const listed = (await call('GET', url, admin)).items as DemoInspection[];
      if (listed.length >= expected || attempt >= 100) {
        return {
          period: round.period as string,
          inspections: listed.sort((a, b) => a.stationId.localeCompare(b.stationId)),
        };
      }
      await delay(300);
    }
  };
  const benchmark = await roundOf('benchmark');
  const roundTheClock = await roundOf('24h');

  const inspectorOf = (inspection: DemoInspection) =>
    users.find((user) => user.id === inspection.inspectorUserId)?.username ?? 'inspector';
  const staffOf = (inspection: DemoInspection) =>
    users.find((user) => user.unitId === inspection.ownerUnitId && user.role === 'caseworker')?.username ??
    users.find((user) => user.unitId === inspection.ownerUnitId && user.role === 'admin')!.username;

  for (const [index, listed] of benchmark.inspections.entries()) {
    const plan = PLANS[index % PLANS.length]!;
    if (plan === 'untouched') {
      continue;
    }
    const inspection = (await call('GET', `/inspections/${listed.id}`, admin)) as DemoInspection;
    const inspector = await tokenOf(inspectorOf(inspection));
    const staff = await tokenOf(staffOf(inspection));
    const act = (token: string, action: string, body: unknown) =>
      call(
        'POST',
        `/inspections/${inspection.id}/actions/${action}`,
        token,
        body,
        `demo-inspection-${inspection.id}-${action}`,
      );
    const score = (total: number, remarks?: string) => ({
      scores: scoresTotalling(inspection.checklist, total),
      ...(remarks ? { remarks } : {}),
    });

    const first = plan === 'excellent' ? 96 : plan === 'passed' ? 78 : 48;
    await act(inspector, 'submit', score(first, first < 60 ? '饮水机故障，急救药箱过期，台账缺失' : undefined));
    if (plan === 'excellent' || plan === 'passed' || plan === 'awaiting_rectification') {
      continue;
    }
    await act(staff, 'rectify', { report: '已维修饮水机，更换急救药品，补齐服务台账' });
    if (plan === 'rectified') {
      await act(inspector, 'reinspect', score(84));
    } else if (plan === 'suspended') {
      await act(inspector, 'reinspect', score(52, '整改不到位，饮水仍无法供应'));
    }
  }

  const finalList = (
    await call(
      'GET',
      `/inspections?stationType=benchmark&period=${benchmark.period}&unitId=${scopeUnitId}&limit=500`,
      admin,
    )
  ).items as DemoInspection[];
  const standing: Record<string, number> = {};
  for (const inspection of finalList) {
    const key = `${inspection.step}/${inspection.outcome ?? 'open'}`;
    standing[key] = (standing[key] ?? 0) + 1;
  }
  return { period: benchmark.period, benchmark: standing, roundTheClockInspections: roundTheClock.inspections.length };
}

await runDemoScript(import.meta.url, 'Station demo', async ({ call, passwords }) => {
  const result = await runStationDemo(call, {
    adminPassword: passwords.admin,
    demoPassword: passwords.demo,
    shortLimitsForRoundTheClock: true,
  });
  console.log(
    `Station inspections ${result.period}: benchmark ${JSON.stringify(result.benchmark)}; ` +
      `${result.roundTheClockInspections} 24-hour stations awaiting inspection (limit 2 minutes, they escalate)`,
  );
});
