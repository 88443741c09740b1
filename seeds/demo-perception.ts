/*
 * CLI: runs one perception scan through the real API (in-process) so the demo has leads to review, and prints
 * how many it raised per group. Needs the worker running. The scan carries an Idempotency-Key of the day, so a
 * second run the same day answers from the stored result and starts nothing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shanghaiDate } from '../workflows/shared/working-time.js';

export interface DemoRequest {
  (
    method: 'GET' | 'POST',
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>;
}

export interface PerceptionDemoResult {
  scanId: string;
  status: string;
  leadsCreated: number;
  openLeads: Record<string, number>;
}

/**
 * Signs in as the city admin, starts today's demo scan (or finds it), waits until it has finished and counts the
 * open leads by group.
 */
export async function runPerceptionDemo(
  request: DemoRequest,
  { adminPassword, timeoutMs = 120_000 }: { adminPassword: string; timeoutMs?: number },
): Promise<PerceptionDemoResult> {
  const login = await request('POST', '/auth/login', { body: { username: 'admin', password: adminPassword } });
  if (login.status !== 200) {
    throw new Error(`Login as admin answered ${login.status}`);
  }
  const token = login.body.token as string;
  const started = await request('POST', '/perception/scans', {
    token,
    body: {},
    headers: { 'idempotency-key': `demo-perception-scan-${shanghaiDate(Date.now())}` },
  });
  if (started.status !== 202) {
    throw new Error(`POST /perception/scans answered ${started.status}: ${JSON.stringify(started.body)}`);
  }
  const deadline = Date.now() + timeoutMs;
  let scan = started.body;
  while (scan.status === 'running') {
    if (Date.now() > deadline) {
      throw new Error(`Scan ${scan.id} did not finish within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    scan = (await request('GET', `/perception/scans/${scan.id}`, { token })).body;
  }
  const openLeads: Record<string, number> = {};
  for (const group of ['registered', 'borderline', 'discovered']) {
    let cursor: string | null = null;
    let count = 0;
    do {
      const page: { body: { items: unknown[]; nextCursor: string | null } } = await request(
        'GET',
        `/leads?group=${group}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      count += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    openLeads[group] = count;
  }
  return { scanId: scan.id, status: scan.status, leadsCreated: scan.counts.leadsCreated, openLeads };
}

async function main(): Promise<void> {
  const [{ Client, Connection }, { default: pino }, { buildApp }, { apiConfigFromEnvironment }, { createDb }] =
    await Promise.all([
      import('@temporalio/client'),
      import('pino'),
      import('../api/app.js'),
      import('../api/config.js'),
      import('../db/database.js'),
    ]);
  const { scriptConfig } = await import('../db/script-config.js');
  const { EncryptionCodec } = await import('../worker/payload-codec.js');
  const config = apiConfigFromEnvironment();
  const db = createDb({ connectionString: config.databaseUrl, poolSize: 4 });
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: { payloadCodecs: [new EncryptionCodec(config.payloadCodecKey)] },
    });
    const app = await buildApp({
      config,
      db,
      temporal: { client, taskQueue: config.temporal.taskQueue },
      logger: pino({ level: 'warn' }),
    });
    const request: DemoRequest = async (method, url, { token, body, headers = {} }) => {
      const response = await app.inject({
        method,
        url,
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : null };
    };
    const result = await runPerceptionDemo(request, { adminPassword: scriptConfig.seedAdminPassword });
    process.stdout.write(
      `Perception scan ${result.scanId} ${result.status}: ${result.leadsCreated} new leads; open leads ` +
        `registered ${result.openLeads.registered}, borderline ${result.openLeads.borderline}, ` +
        `discovered ${result.openLeads.discovered}. Review them as a supervisor: GET /leads\n`,
    );
    await app.close();
  } finally {
    await connection.close();
    await db.destroy();
  }
}

const runAsScript = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`Perception demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
