/*
 * CLI: opens demo cases through the real API (in-process) and moves them to every step, so the demo shows full
 * inboxes and boards. Needs the worker running. Every request carries a fixed Idempotency-Key, so a second run
 * answers from the stored results and changes nothing.
 *
 * Emergency + urgent cases get a demo time limit of two minutes per step (only while that policy is still the
 * built-in default), so a few minutes after the demo starts they turn overdue and escalate up the tree.
 */
import { TIMED_STEPS } from '../workflows/shared/case-vocabulary.js';
import { runDemoScript, type DemoCall } from './demo-app.js';

const DISTRICTS = ['yuecheng', 'keqiao', 'shangyu', 'zhuji', 'shengzhou', 'xinchang'] as const;

type Role = 'district' | 'township' | 'grassroots';
interface Move {
  by: Role;
  action: string;
  body?: Record<string, unknown>;
}

const MOVES: Move[] = [
  { by: 'district', action: 'dispatch', body: { toUnitId: 'township' } },
  { by: 'township', action: 'dispatch', body: { toUnitId: 'grassroots' } },
  { by: 'grassroots', action: 'accept' },
  {
    by: 'grassroots',
    action: 'verify',
    body: { eligible: true, findings: '入户走访核实，家庭收入低于当地低保标准 1.5 倍' },
  },
  { by: 'grassroots', action: 'plan', body: { items: [{ kind: 'living_allowance', amountFen: 150000 }] } },
  { by: 'township', action: 'approve', body: { note: '同意' } },
  {
    by: 'grassroots',
    action: 'deliver',
    body: {
      items: [{ kind: 'living_allowance', amountFen: 150000 }],
      method: 'bank_transfer',
      reference: 'DEMO-TRANSFER',
    },
  },
  { by: 'grassroots', action: 'report', body: { result: '帮扶金已到账，职工表示感谢', satisfaction: 5 } },
  { by: 'township', action: 'close' },
];

/** How many moves each demo case makes: 0 leaves it at dispatch, 9 closes it. */
const DEMO_CASES: { label: string; category: string; urgency: string; moves: number; ending?: string }[] = [
  { label: 'a', category: 'living', urgency: 'normal', moves: 0 },
  { label: 'b', category: 'medical', urgency: 'normal', moves: 1 },
  { label: 'c', category: 'education', urgency: 'normal', moves: 2 },
  { label: 'd', category: 'living', urgency: 'normal', moves: 3 },
  { label: 'e', category: 'medical', urgency: 'normal', moves: 4 },
  { label: 'f', category: 'employment', urgency: 'normal', moves: 5 },
  { label: 'g', category: 'living', urgency: 'normal', moves: 6 },
  { label: 'h', category: 'legal', urgency: 'normal', moves: 7 },
  { label: 'i', category: 'medical', urgency: 'normal', moves: 8 },
  { label: 'j', category: 'living', urgency: 'normal', moves: 9 },
  { label: 'k', category: 'medical', urgency: 'normal', moves: 4, ending: 'not_eligible' },
  { label: 'l', category: 'living', urgency: 'normal', moves: 1, ending: 'withdraw' },
  { label: 'm', category: 'emergency', urgency: 'urgent', moves: 1 },
  { label: 'n', category: 'emergency', urgency: 'urgent', moves: 2 },
];

type Passwords = { admin: string; demo: string };

async function login(call: DemoCall, username: string, password: string) {
  const answer = await call('POST', '/auth/login', null, { username, password });
  return { token: answer.token as string, unitId: answer.user.unitId as string };
}

async function ensureDemoPolicy(call: DemoCall, passwords: Passwords) {
  const admin = await login(call, 'admin', passwords.admin);
  const { items } = await call('GET', '/policies/time-limits', admin.token);
  const emergency = items.find(
    (p: { category: string; urgency: string }) => p.category === 'emergency' && p.urgency === 'urgent',
  );
  if (emergency.version === 0) {
    const limits = Object.fromEntries(TIMED_STEPS.map((step) => [step, { duration: 'PT2M', calendar: 'natural' }]));
    await call('PUT', '/policies/time-limits/emergency/urgent', admin.token, { limits });
  }
}

async function seedDistrict(call: DemoCall, passwords: Passwords, code: string) {
  const users: Record<Role, { token: string; unitId: string }> = {
    district: await login(call, `${code}_caseworker`, passwords.demo),
    township: await login(call, `${code}_t1_caseworker`, passwords.demo),
    grassroots: await login(call, `${code}_t1_g1_caseworker`, passwords.demo),
  };
  const workers = await call('GET', `/workers?unitId=${users.grassroots.unitId}&limit=20`, users.district.token);
  let opened = 0;
  for (const [index, demo] of DEMO_CASES.entries()) {
    const worker = workers.items[index % workers.items.length];
    const key = `demo-${code}-${demo.label}`;
    const created = await call(
      'POST',
      '/cases',
      users.district.token,
      {
        workerId: worker.id,
        category: demo.category,
        urgency: demo.urgency,
        summary: '演示工单：职工家庭困难，需核实帮扶',
        source: 'staff',
      },
      key,
    );
    opened++;
    for (const [step, move] of MOVES.slice(0, demo.moves).entries()) {
      const body = { ...move.body };
      if (body.toUnitId) {
        body.toUnitId = users[body.toUnitId as Role].unitId;
      }
      if (demo.ending === 'not_eligible' && move.action === 'verify') {
        Object.assign(body, { eligible: false, findings: '家庭人均收入高于困难职工认定标准' });
      }
      await call('POST', `/cases/${created.id}/actions/${move.action}`, users[move.by].token, body, `${key}-${step}`);
    }
    if (demo.ending === 'withdraw') {
      await call(
        'POST',
        `/cases/${created.id}/actions/withdraw`,
        users.district.token,
        { reason: '职工已获其他渠道救助，主动撤回' },
        `${key}-withdraw`,
      );
    }
  }
  return opened;
}

/** Opens the demo cases of every district and moves them to their steps; answers how many were opened. */
export async function runCaseDemo(call: DemoCall, passwords: Passwords): Promise<number> {
  await ensureDemoPolicy(call, passwords);
  const counts = await Promise.all(DISTRICTS.map((code) => seedDistrict(call, passwords, code)));
  return counts.reduce((a, b) => a + b, 0);
}

await runDemoScript(import.meta.url, 'Demo cases', async ({ call, passwords }) => {
  const opened = await runCaseDemo(call, passwords);
  console.log(`Demo cases in place: ${opened} across ${DISTRICTS.length} districts`);
  console.log('Emergency cases (limit 2 minutes per step) turn overdue within minutes and escalate up the tree.');
});
