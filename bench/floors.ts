import pg from 'pg';
import { log, median, round, timed } from './support.js';

export interface Floors {
  /** Serial single-row INSERTs, autocommit, synchronous_commit as configured, one client. */
  singleRowInsertsPerSec: number;
  /** One `INSERT ... SELECT * FROM unnest($1, $2)` of 100 k rows. */
  unnestRowsPerSec: number;
  /** Median round trip of `SELECT 1` on one connection. */
  select1Us: number;
  /** Best of three: count over a sequential scan of 1 M cached rows in a temp table, one predicate. */
  seqScan1MMs: number;
  settings: Record<string, string>;
}

/**
 * The machine's own floors, measured on a fresh connection to the bench database, so that a run on a slower or
 * busier machine can be read against them (compare with the reference table in shared/BENCHMARKS.md).
 */
export async function measureFloors(databaseUrl: string): Promise<Floors> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const settings: Record<string, string> = {};
    for (const name of ['server_version', 'synchronous_commit', 'shared_buffers', 'max_parallel_workers_per_gather']) {
      settings[name] = (await client.query<Record<string, string>>(`show ${name}`)).rows[0]![name]!;
    }

    await client.query('create table bench_floor_insert (id integer primary key, note text not null)');
    const inserts = 2_000;
    const single = await timed(async () => {
      for (let i = 0; i < inserts; i++) {
        await client.query('insert into bench_floor_insert (id, note) values ($1, $2)', [i, `row ${i}`]);
      }
    });

    await client.query('create table bench_floor_bulk (id integer primary key, note text not null)');
    const bulkRows = 100_000;
    const ids = Array.from({ length: bulkRows }, (_, i) => i);
    const notes = ids.map((i) => `row ${i}`);
    const bulk = await timed(() =>
      client.query('insert into bench_floor_bulk (id, note) select * from unnest($1::int[], $2::text[])', [ids, notes]),
    );
    await client.query('drop table bench_floor_insert, bench_floor_bulk');

    for (let i = 0; i < 200; i++) {
      await client.query('select 1');
    }
    const trips: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const started = performance.now();
      await client.query('select 1');
      trips.push(performance.now() - started);
    }

    await client.query(
      'create temp table bench_floor_scan as select g as id, (g::bigint * 7919) % 1000 as v from generate_series(1, 1000000) g',
    );
    await client.query('analyze bench_floor_scan');
    await client.query('select count(*) from bench_floor_scan where v = 3');
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) {
      scans.push((await timed(() => client.query('select count(*) from bench_floor_scan where v = 3'))).ms);
    }
    await client.query('drop table bench_floor_scan');

    const floors: Floors = {
      singleRowInsertsPerSec: Math.round(inserts / (single.ms / 1000)),
      unnestRowsPerSec: Math.round(bulkRows / (bulk.ms / 1000)),
      select1Us: round(median(trips) * 1000, 1),
      seqScan1MMs: round(Math.min(...scans), 1),
      settings,
    };
    log(
      `floors: ${floors.singleRowInsertsPerSec} single-row inserts/s, ${floors.unnestRowsPerSec} unnest rows/s, ` +
        `SELECT 1 ${floors.select1Us} µs, seq scan of 1 M rows ${floors.seqScan1MMs} ms`,
    );
    return floors;
  } finally {
    await client.end();
  }
}
