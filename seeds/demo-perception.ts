/*
 * CLI: runs one perception scan through the real API (in-process) so the demo has leads to review, and prints
 * how many it raised per group. Needs the worker running. The scan carries an Idempotency-Key of the day, so a
 * second run the same day answers from the stored result and starts nothing.
 */
import { shanghaiDate } from '../workflows/shared/working-time.js';
import { runDemoScript, type DemoRequest } from './demo-app.js';

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

await runDemoScript(import.meta.url, 'Perception demo', async ({ request, passwords }) => {
  const result = await runPerceptionDemo(request, { adminPassword: passwords.admin });
  console.log(
    `Perception scan ${result.scanId} ${result.status}: ${result.leadsCreated} new leads; open leads ` +
      `registered ${result.openLeads.registered}, borderline ${result.openLeads.borderline}, ` +
      `discovered ${result.openLeads.discovered}. Review them as a supervisor: GET /leads`,
  );
});
