import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { readApiConfig } from '../api/config.js';
import { FEED_SCHEMAS, validateRow } from '../api/routes/feeds/feed-schemas.js';
import { importFeedBatch } from '../api/routes/feeds/importer.js';
import { withCheckDigit } from '../db/personal-data.js';
import { shanghaiDate } from '../workflows/shared/working-time.js';
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

type Side = 'copy' | 'ours';

interface ImportRun {
  side: Side;
  warmup: boolean;
  wallMs: number;
  rowsPerSec: number;
  cpu: CpuSeconds;
  /** Highest resident memory of this process during the run, MiB (the importer runs in it). */
  peakRssMiB: number;
}

export interface FeedImportResult {
  rows: number;
  fileMiB: number;
  runs: ImportRun[];
  rowsPerSec: Record<Side, number>;
  /** Per measured pair: ours rows/s / COPY rows/s. */
  rateRatio: Spread;
  cpuRatio: Spread;
  rssBeforeMiB: number;
}

const COLUMNS = 'kind, row_key, batch_id, id_number_hash, worker_id, occurred_on, amount_fen, department, detail';
const copyText = (value: string) => value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

function rssMiB(): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/**
 * Writes the feed twice: as the NDJSON file a department uploads (medical expenses of distinct fictional people),
 * and as the COPY text of the very rows the importer stores from it (keys and hashes computed once, untimed).
 */
async function writeFeed(dir: string, rows: number, batchId: string): Promise<{ ndjson: string; copy: string }> {
  const config = readApiConfig({});
  const context = { today: shanghaiDate(Date.now()), lookupHashKey: config.lookupHashKey };
  const ndjson = path.join(dir, 'b5-feed.ndjson');
  const copy = path.join(dir, 'b5-feed.copy');
  const json = createWriteStream(ndjson);
  const text = createWriteStream(copy);
  const write = (stream: NodeJS.WritableStream, chunk: string) =>
    stream.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  for (let n = 0; n < rows; n++) {
    const birth = new Date(Date.UTC(1960, 0, 1) + (n % 14_000) * 86_400_000)
      .toISOString()
      .slice(0, 10)
      .replaceAll('-', '');
    const idNumber = withCheckDigit(`330602${birth}${String(Math.floor(n / 14_000) % 1000).padStart(3, '0')}`);
    const record = {
      idNumber,
      occurredOn: shanghaiDate(Date.now() - (n % 300) * 86_400_000),
      department: '绍兴市医疗保障局',
      amountFen: 1000 + (n % 500_000),
      inpatient: n % 3 === 0,
    };
    const outcome = validateRow(FEED_SCHEMAS.medical_expense, record, 'json', context);
    if ('problems' in outcome) {
      throw new Error(`Synthetic row ${n} is invalid: ${JSON.stringify(outcome.problems)}`);
    }
    const row = outcome.row;
    await write(json, `${JSON.stringify(record)}\n`);
    await write(
      text,
      `medical_expense\t${row.rowKey}\t${batchId}\t${row.idNumberHash}\t\\N\t${row.occurredOn}\t${row.amountFen}\t` +
        `${copyText(row.department)}\t${copyText(row.detail)}\n`,
    );
  }
  await Promise.all([
    new Promise<void>((resolve) => json.end(() => resolve())),
    new Promise<void>((resolve) => text.end(() => resolve())),
  ]);
  return { ndjson, copy };
}

/**
 * B5: our importer (decode, split, validate, hash, chunked insert with worker matching and duplicate skipping,
 * one transaction) on one NDJSON feed of `feedRows` rows, streamed from disk, beside COPY of the same rows into the
 * same table from a client. The table is emptied before each run; baseline and ours alternate after a warm-up pair.
 */
export async function runFeedImport(ctx: BenchContext): Promise<{ result: FeedImportResult; rows: TableRow[] }> {
  const { options, monitor } = ctx;
  const rows = options.feedRows;
  const config = readApiConfig({});
  const batchId = (
    await monitor.query<{ id: string }>(
      `insert into feed_batch (kind, content_hash, format, accepted, rejected) values ('medical_expense', 'bench:b5', 'ndjson', 0, 0)
       returning id`,
    )
  ).rows[0]!.id;
  const files = await writeFeed(ctx.tmpDir, rows, batchId);
  const fileMiB = round(readFileSync(files.ndjson).length / 1024 / 1024, 1);
  log(`B5 feed of ${rows} rows written (${fileMiB} MiB NDJSON)`);
  const copyClient = new pg.Client({ connectionString: ctx.databaseUrl });
  await copyClient.connect();

  const clear = async () => {
    await monitor.query('truncate feed_row');
    await monitor.query("delete from feed_batch where content_hash <> 'bench:b5'");
    await monitor.query('checkpoint');
  };
  const runOnce = async (side: Side, warmup: boolean): Promise<ImportRun> => {
    await clear();
    let peak = rssMiB();
    const timer = setInterval(() => {
      peak = Math.max(peak, rssMiB());
    }, 50);
    const measured = await ctx.cpu.measure(async () => {
      if (side === 'copy') {
        await pipeline(
          createReadStream(files.copy),
          copyClient.query(copyStreams.from(`copy feed_row (${COLUMNS}) from stdin`)),
        );
        return rows;
      }
      const result = await importFeedBatch(ctx.workerDb, {
        kind: 'medical_expense',
        format: 'ndjson',
        encoding: 'utf-8',
        body: createReadStream(files.ndjson, { highWaterMark: 256 * 1024 }),
        limitBytes: 4 * 1024 * 1024 * 1024,
        uploadedBy: null,
        lookupHashKey: config.lookupHashKey,
      });
      if (result.stored !== rows) {
        throw new Error(`The importer stored ${result.stored} of ${rows} rows`);
      }
      return result.stored;
    });
    clearInterval(timer);
    const run: ImportRun = {
      side,
      warmup,
      wallMs: round(measured.wallMs, 1),
      rowsPerSec: round(rows / (measured.wallMs / 1000), 0),
      cpu: roundCpu(measured.cpu),
      peakRssMiB: round(peak, 0),
    };
    log(`B5 ${warmup ? 'warm-up ' : ''}${side}: ${run.rowsPerSec} rows/s, peak RSS ${run.peakRssMiB} MiB`);
    return run;
  };

  const rssBeforeMiB = round(rssMiB(), 0);
  const runs: ImportRun[] = [];
  try {
    for (let pair = 0; pair <= options.pairs; pair++) {
      runs.push(await runOnce('copy', pair === 0));
      runs.push(await runOnce('ours', pair === 0));
    }
  } finally {
    await copyClient.end();
  }
  const measured = runs.filter((r) => !r.warmup);
  const sides = (side: Side) => measured.filter((r) => r.side === side);
  const result: FeedImportResult = {
    rows,
    fileMiB,
    runs,
    rowsPerSec: {
      copy: median(sides('copy').map((r) => r.rowsPerSec)),
      ours: median(sides('ours').map((r) => r.rowsPerSec)),
    },
    rateRatio: roundSpread(spread(sides('ours').map((o, i) => o.rowsPerSec / sides('copy')[i]!.rowsPerSec))),
    cpuRatio: roundSpread(spread(sides('ours').map((o, i) => o.cpu.total / sides('copy')[i]!.cpu.total))),
    rssBeforeMiB,
  };
  const peakOurs = Math.max(...runs.filter((r) => r.side === 'ours').map((r) => r.peakRssMiB));
  return {
    result,
    rows: [
      {
        phase: 'B5 feed import',
        metric: `rows/s, ${rows} rows (${fileMiB} MiB NDJSON)`,
        baseline: String(result.rowsPerSec.copy),
        ours: String(result.rowsPerSec.ours),
        ratio: fmtSpread(result.rateRatio),
        target: '>= 0.5',
      },
      {
        phase: 'B5 feed import',
        metric: 'CPU s per run (all processes)',
        baseline: fmt(median(sides('copy').map((r) => r.cpu.total))),
        ours: fmt(median(sides('ours').map((r) => r.cpu.total))),
        ratio: fmtSpread(result.cpuRatio),
        target: '',
      },
      {
        phase: 'B5 feed import',
        metric: 'bench process RSS MiB (before / peak while importing)',
        baseline: '',
        ours: `${rssBeforeMiB} / ${peakOurs}`,
        ratio: '',
        target: 'flat',
      },
    ],
  };
}
