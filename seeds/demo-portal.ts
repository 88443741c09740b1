/*
 * CLI: the worker portal's demo. Registers two fictional workers with known phone numbers, records help other
 * departments gave them, signs each in through the portal, applies for help as them and has staff take one
 * application through to payment, so the portal shows progress, records, policies and the warm-heart list.
 * Needs the worker running. Every write carries a fixed Idempotency-Key, so a second run changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { SmsSender } from '../api/routes/portal/sms-sender.js';
import type { Db } from '../db/database.js';
import { withCheckDigit } from '../db/personal-data.js';
import { seedId } from './ids.js';
import { runDemoScript } from './demo-app.js';

/** The demo's workers. Names, ID numbers and phones are fictional (any likeness to a real person is chance). */
export const PORTAL_DEMO_WORKERS = [
  {
    key: 'a',
    name: '陈秀娟',
    phone: '13957500101',
    idNumber: withCheckDigit('33060319780312002'),
    staff: 'keqiao_t1_g2_caseworker',
    hardshipStatus: 'registered',
  },
  {
    key: 'b',
    name: '王建国',
    phone: '13957500102',
    idNumber: withCheckDigit('33060219650708001'),
    staff: 'yuecheng_t1_g2_caseworker',
    hardshipStatus: 'none',
  },
] as const;

/** Keeps the newest message per phone, so the demo can read the code it signs in with. */
export class RecordingSmsSender implements SmsSender {
  private readonly last = new Map<string, string>();

  async send(phoneNumber: string, text: string): Promise<void> {
    this.last.set(phoneNumber, text);
  }

  codeFor(phoneNumber: string): string {
    const code = /验证码为 (\d{6})/.exec(this.last.get(phoneNumber) ?? '')?.[1];
    if (!code) {
      throw new Error('No sign-in code was sent to a demo worker');
    }
    return code;
  }
}

export interface PortalDemoDeps {
  /** The API, in-process, built with `sms` as its SMS sender. */
  app: FastifyInstance;
  db: Db;
  sms: RecordingSmsSender;
  demoPassword: string;
}

export interface PortalDemoSummary {
  workers: { name: string; phone: string; workerId: string; caseIds: string[] }[];
}

/** The help other departments gave worker A, as their feeds would report it. */
const DEPARTMENT_HELP = [
  {
    row: 'a-civil-affairs',
    occurredOn: '2026-03-01',
    department: '民政局',
    amountFen: 80_000,
    helpType: 'cash',
    title: '临时救助金',
  },
  {
    row: 'a-disability',
    occurredOn: '2025-11-20',
    department: '残联',
    amountFen: null,
    helpType: 'goods',
    title: '康复辅具（轮椅）',
  },
  {
    row: 'a-hrss',
    occurredOn: '2026-06-10',
    department: '人社局',
    amountFen: null,
    helpType: 'service',
    title: '公益性岗位推荐',
  },
] as const;

/**
 * Runs the portal demo through the API. Idempotent: fixed Idempotency-Keys on every write, fixed keys on the
 * department rows. The sign-in itself is done afresh on every run (a code is single-use), so the app's portal
 * limits must allow a code per run (the CLI sets them for its own app; a test sets them in its environment).
 */
export async function seedPortalDemo({ app, db, sms, demoPassword }: PortalDemoDeps): Promise<PortalDemoSummary> {
  const call = async (
    method: 'GET' | 'POST',
    url: string,
    { token, body, key }: { token?: string; body?: unknown; key?: string } = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(key ? { 'idempotency-key': key } : {}) },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const json = response.body ? JSON.parse(response.body) : null;
    if (response.statusCode >= 400) {
      throw new Error(`${method} ${url} answered ${response.statusCode}: ${JSON.stringify(json?.error ?? json)}`);
    }
    return json;
  };
  const staffTokens = new Map<string, Promise<string>>();
  const staff = (username: string) => {
    let token = staffTokens.get(username);
    if (!token) {
      token = call('POST', '/auth/login', { body: { username, password: demoPassword } }).then(
        (a) => a.token as string,
      );
      staffTokens.set(username, token);
    }
    return token;
  };
  const act = async (username: string, caseId: string, action: string, key: string, body: object = {}) =>
    call('POST', `/cases/${caseId}/actions/${action}`, { token: await staff(username), body, key });

  const workers: Record<'a' | 'b', string> = { a: '', b: '' };
  for (const worker of PORTAL_DEMO_WORKERS) {
    const staffToken = await staff(worker.staff);
    const unitId = (await call('GET', '/me', { token: staffToken })).unitId as string;
    const registered = await call('POST', '/workers', {
      token: staffToken,
      key: `demo-portal-worker-${worker.key}`,
      body: {
        name: worker.name,
        idNumber: worker.idNumber,
        phone: worker.phone,
        unitId,
        hardshipStatus: worker.hardshipStatus,
      },
    });
    workers[worker.key] = registered.id as string;
  }
  await recordDepartmentHelp(db, workers.a);

  const signIn = async (phone: string) => {
    await call('POST', '/portal/auth/code', { body: { phone } });
    return (await call('POST', '/portal/auth/login', { body: { phone, code: sms.codeFor(phone) } })).token as string;
  };
  const [tokenA, tokenB] = [await signIn(PORTAL_DEMO_WORKERS[0].phone), await signIn(PORTAL_DEMO_WORKERS[1].phone)];

  const living = await call('POST', '/portal/applications', {
    token: tokenA,
    key: 'demo-portal-a-living',
    body: { category: 'living', description: '丈夫因病住院三个月，家中只有我一人收入，孩子下学期学费还没有着落。' },
  });
  const grassroots = 'keqiao_t1_g2_caseworker';
  const items = [
    { kind: '生活救助金', amountFen: 150_000 },
    { kind: '节日慰问品', amountFen: 20_000 },
  ];
  await act(grassroots, living.id, 'accept', 'demo-portal-a-living-accept');
  await act(grassroots, living.id, 'verify', 'demo-portal-a-living-verify', {
    eligible: true,
    findings: '演示：入户核实，家庭人均收入低于当地低保标准 1.5 倍',
  });
  await act(grassroots, living.id, 'plan', 'demo-portal-a-living-plan', { items });
  await act('keqiao_t1_caseworker', living.id, 'approve', 'demo-portal-a-living-approve', { note: '演示：同意' });
  await act(grassroots, living.id, 'deliver', 'demo-portal-a-living-deliver', {
    items,
    method: 'bank_transfer',
    reference: 'DEMO-PORTAL-0001',
  });
  const medical = await call('POST', '/portal/applications', {
    token: tokenA,
    key: 'demo-portal-a-medical',
    body: { category: 'medical', description: '丈夫住院自付医疗费已超过四万元。', urgency: 'urgent' },
  });
  await act(grassroots, medical.id, 'accept', 'demo-portal-a-medical-accept');
  const employment = await call('POST', '/portal/applications', {
    token: tokenB,
    key: 'demo-portal-b-employment',
    body: { category: 'employment', description: '工厂停产，今年六十一岁，希望找一份看门或保洁的工作。' },
  });

  return {
    workers: [
      {
        name: PORTAL_DEMO_WORKERS[0].name,
        phone: PORTAL_DEMO_WORKERS[0].phone,
        workerId: workers.a,
        caseIds: [living.id, medical.id],
      },
      {
        name: PORTAL_DEMO_WORKERS[1].name,
        phone: PORTAL_DEMO_WORKERS[1].phone,
        workerId: workers.b,
        caseIds: [employment.id],
      },
    ],
  };
}

/**
 * Department rows about demo worker A, stored as the feed importer stores them, under fixed keys.
 * Stand-in until the feed importer (POST /feeds/:kind/batches) lands: then upload them as one NDJSON batch.
 */
async function recordDepartmentHelp(db: Db, workerId: string): Promise<void> {
  const worker = await db
    .selectFrom('worker')
    .select('id_number_hash')
    .where('id', '=', workerId)
    .executeTakeFirstOrThrow();
  const batchId = seedId('feed-batch:demo-portal-department-help');
  await db
    .insertInto('feed_batch')
    .values({
      id: batchId,
      kind: 'department_help',
      content_hash: 'demo-portal-department-help',
      format: 'ndjson',
      accepted: DEPARTMENT_HELP.length,
      rejected: 0,
      errors: '[]',
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('feed_row')
    .values(
      DEPARTMENT_HELP.map((help) => ({
        id: seedId(`feed-row:demo-portal:${help.row}`),
        kind: 'department_help' as const,
        row_key: `demo-portal:${help.row}`,
        batch_id: batchId,
        id_number_hash: worker.id_number_hash,
        worker_id: workerId,
        occurred_on: help.occurredOn,
        amount_fen: help.amountFen,
        department: help.department,
        detail: JSON.stringify({ helpType: help.helpType, title: help.title }),
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const sms = new RecordingSmsSender();
await runDemoScript(
  import.meta.url,
  'Portal demo',
  async ({ app, db, passwords }) => {
    const summary = await seedPortalDemo({ app, db, sms, demoPassword: passwords.demo });
    console.log('Worker portal demo in place. Sign in at POST /portal/auth/code then /portal/auth/login with:');
    for (const worker of summary.workers) {
      console.log(`  ${worker.phone}  ${worker.name}  (${worker.caseIds.length} case(s))`);
    }
    console.log('The development SMS sender writes each code to the API log (.data/api.log).');
  },
  {
    // This in-process app signs the demo workers in on every run; the real API keeps the configured limits.
    configure: (config) => ({
      ...config,
      portal: { ...config.portal, codeResendSeconds: 0, codesPerPhonePerHour: 1000 },
    }),
    smsSender: sms,
  },
);
