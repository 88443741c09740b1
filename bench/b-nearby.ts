import Fastify, { type FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { publicFeature } from '../api/routes/stations/views.js';
import { toShanghaiIso } from '../api/time.js';
import type { Database } from '../db/database.js';
import { nearbyStations, type NearbyQuery, type NearbyRow } from '../db/repositories/station.repository.js';
import { mulberry32 } from '../seeds/ids.js';
import { SERVICE_AREA, boundingBox } from '../workflows/shared/geo.js';
import {
  openRanges,
  roundTheClock,
  shanghaiMoment,
  toMultirange,
  type OpeningHours,
} from '../workflows/shared/opening-hours.js';
import {
  fmt,
  fmtSpread,
  log,
  median,
  quantile,
  round,
  roundCpu,
  roundSpread,
  spread,
  timed,
  type BenchContext,
  type CpuSeconds,
  type Spread,
  type TableRow,
} from './support.js';

type Variant = 'raw-pg' | 'raw-fastify' | 'brute-scan' | 'ours';

interface LoadRun {
  size: string;
  variant: Variant;
  warmup: boolean;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpu: CpuSeconds;
  cpuMsPerRequest: number;
}

interface SizeResult {
  stations: number;
  /** Features answered per request, on average over the centres. */
  meanFeatures: number;
  /** Per measured pair, ours / raw pg (the same SQL through a bare pool, shaped the same, no HTTP). */
  reqPerSecRatio: Spread;
  p99Ratio: Spread;
  /** Ours / a bare Fastify route running the same SQL through pg (B3's definition of the raw rate). */
  fastifyReqPerSecRatio: Spread;
  fastifyP99Ratio: Spread;
  /** Ours / a bare Fastify route that computes every public station's distance and opening (no box, no index). */
  bruteReqPerSecRatio: Spread;
  bruteP99Ratio: Spread;
  median: Record<Variant, { reqPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerRequest: number }>;
  /** EXPLAIN ANALYZE of the statement at the first centre. */
  sqlMs: number;
  plan: string[];
}

export interface NearbyResult {
  radiusM: number;
  concurrency: number;
  durationMs: number;
  insertMs: number;
  statement: string;
  sizes: Record<string, SizeResult>;
  runs: LoadRun[];
}

/** A fixed moment (Monday noon) so that "open" is the same for every side and every run. */
const AT = '2026-12-07T12:00:00+08:00';
const RADIUS_M = 3000;
const LIMIT = 50;
const CENTRES = 20;

/** Synthetic stations spread evenly over the service area: ~1 in 6 benchmark or 24-hour, 2 % suspended. */
const SYNTHETIC_STATIONS = `
insert into station (id, name, type, status, latitude, longitude, address, services, hours, weekly_open, holiday_open,
                     owner_unit_id, owner_unit_path, responsible_name, responsible_phone_enc, responsible_phone_masked)
select md5('bench-station-' || s)::uuid,
       '合成驿站 ' || s,
       case when s % 100 < 17 then 'benchmark' when s % 100 < 26 then '24h' else 'standard' end,
       case when s % 50 = 0 then 'suspended' else 'open' end,
       ${SERVICE_AREA.minLat} + (abs(hashint4(s)::bigint) % 1200000) / 1000000.0,
       ${SERVICE_AREA.minLng} + (abs(hashint4(s + 7919)::bigint) % 1300000) / 1000000.0,
       '合成地址 ' || s || ' 号',
       (case s % 3 when 0 then array['water', 'charging', 'rest_seats']
                   when 1 then array['water', 'hot_water', 'microwave', 'charging', 'toilet']
                   else array['rest_seats', 'first_aid', 'air_conditioning'] end)::text[],
       case when s % 100 between 17 and 25 then $2::jsonb else $3::jsonb end,
       case when s % 100 between 17 and 25 then $4::int4multirange else $5::int4multirange end,
       case when s % 100 between 17 and 25 then $6::int4multirange else $7::int4multirange end,
       $8::uuid, $9, '合成负责人', 'sealed', '139****0000'
from generate_series(1, $1::int) s`;

function dailyHours(): OpeningHours {
  const day = [{ opens: '08:00', closes: '20:00' }];
  return {
    mon: day,
    tue: day,
    wed: day,
    thu: day,
    fri: day,
    sat: day,
    sun: day,
    holiday: [{ opens: '09:00', closes: '17:00' }],
  };
}

/**
 * Phase `nearby`: the public lookup GET /public/stations/nearby (Fastify through inject: rate limit, validation,
 * auth hook, kysely, GeoJSON) against the same SQL sent with a bare `pg` pool and shaped into the same GeoJSON,
 * against a bare Fastify route doing that, and against a brute-force scan: a bare Fastify route whose statement has
 * no bounding box, so PostgreSQL works out the distance and opening of every public station on each request.
 * Over the 100 seeded stations, then over `stations` synthetic ones.
 * Twenty fixed centres in turn, radius 3 km, open now at a fixed moment, with water; concurrency 8; B O pairs.
 */
export async function runNearby(ctx: BenchContext): Promise<{ result: NearbyResult; rows: TableRow[] }> {
  const { options } = ctx;
  const random = mulberry32(3_000_001);
  const centres = Array.from({ length: CENTRES }, () => ({
    lat: round(29.5 + random() * 0.7, 5),
    lng: round(120.2 + random() * 0.8, 5),
  }));
  const moment = shanghaiMoment(Date.parse(AT));
  const queries: NearbyQuery[] = centres.map((centre) => ({
    centre,
    radiusM: RADIUS_M,
    box: boundingBox(centre, RADIUS_M),
    services: ['water'],
    openNow: true,
    moment,
    limit: LIMIT,
  }));
  const urls = centres.map(
    (c) =>
      `/public/stations/nearby?lat=${c.lat}&lng=${c.lng}&radiusM=${RADIUS_M}&openNow=true&service=water&limit=${LIMIT}&at=${encodeURIComponent(AT)}`,
  );

  // The exact statement and parameters our repository sends for each centre, captured from kysely.
  const captured: { sql: string; parameters: unknown[] }[] = [];
  const capturePool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
  const captureDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturePool }),
    log: (event) => {
      captured.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
    },
  });
  for (const query of queries) {
    await nearbyStations(captureDb, query);
  }
  // The brute-force baseline: the same filters and order with a box that holds the whole globe, so no index helps.
  const world = { minLat: -90, maxLat: 90, minLng: -180, maxLng: 180 };
  for (const query of queries) {
    await nearbyStations(captureDb, { ...query, box: world });
  }
  await captureDb.destroy();
  const bruteCaptured = captured.splice(CENTRES);

  const rawPool = new pg.Pool({ connectionString: ctx.databaseUrl, max: ctx.config.databasePoolSize });
  ctx.cleanups.add('close nearby raw pool', () => rawPool.end());
  const rawAnswer = async (index: number, statements = captured): Promise<string> => {
    const query = statements[index]!;
    const result = await rawPool.query<NearbyRow>(query.sql, query.parameters);
    return JSON.stringify({
      type: 'FeatureCollection',
      openNowAt: toShanghaiIso(Date.parse(AT)),
      radiusM: RADIUS_M,
      features: result.rows.map(publicFeature),
    });
  };
  const rawApp: FastifyInstance = Fastify({ logger: false });
  ctx.cleanups.add('close nearby raw app', () => rawApp.close());
  rawApp.get<{ Querystring: { c: string } }>('/nearby', async (request, reply) =>
    reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=30')
      .send(await rawAnswer(Number(request.query.c))),
  );
  rawApp.get<{ Querystring: { c: string } }>('/brute', async (request, reply) =>
    reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=30')
      .send(await rawAnswer(Number(request.query.c), bruteCaptured)),
  );
  await rawApp.ready();

  const send: Record<Variant, (index: number) => Promise<number>> = {
    'raw-pg': async (index) => (await rawAnswer(index)).length,
    'raw-fastify': async (index) => {
      const response = await rawApp.inject({ method: 'GET', url: `/nearby?c=${index}` });
      return response.statusCode === 200 ? response.body.length : -response.statusCode;
    },
    'brute-scan': async (index) => {
      const response = await rawApp.inject({ method: 'GET', url: `/brute?c=${index}` });
      return response.statusCode === 200 ? response.body.length : -response.statusCode;
    },
    ours: async (index) => {
      const response = await ctx.app.inject({ method: 'GET', url: urls[index]! });
      return response.statusCode === 200 ? response.body.length : -response.statusCode;
    },
  };

  const runs: LoadRun[] = [];
  const load = async (size: string, variant: Variant, durationMs: number, warmup: boolean): Promise<LoadRun> => {
    const latencies: number[] = [];
    let next = 0;
    const measured = await ctx.cpu.measure(async () => {
      const end = performance.now() + durationMs;
      await Promise.all(
        Array.from({ length: options.readConcurrency }, async () => {
          while (performance.now() < end) {
            const index = next++ % CENTRES;
            const started = performance.now();
            const bytes = await send[variant](index);
            latencies.push(performance.now() - started);
            if (bytes < 0) {
              throw new Error(`${variant} answered ${-bytes}`);
            }
          }
        }),
      );
    });
    const run: LoadRun = {
      size,
      variant,
      warmup,
      requests: latencies.length,
      reqPerSec: round(latencies.length / (measured.wallMs / 1000), 1),
      p50Ms: round(quantile(latencies, 0.5), 2),
      p99Ms: round(quantile(latencies, 0.99), 2),
      cpu: roundCpu(measured.cpu),
      cpuMsPerRequest: round((measured.cpu.total * 1000) / latencies.length, 3),
    };
    runs.push(run);
    log(
      `NEARBY ${size} ${warmup ? 'warm-up ' : ''}${variant.padEnd(11)} ${fmt(run.reqPerSec, 0)} req/s, ` +
        `p50 ${fmt(run.p50Ms)} ms, p99 ${fmt(run.p99Ms)} ms, CPU ${fmt(run.cpuMsPerRequest, 3)} ms/req`,
    );
    return run;
  };

  const measureSize = async (size: string, stations: number): Promise<SizeResult> => {
    let features = 0;
    for (let index = 0; index < CENTRES; index++) {
      const ours = await ctx.app.inject({ method: 'GET', url: urls[index]! });
      if (ours.statusCode !== 200) {
        throw new Error(`Ours answered ${ours.statusCode}: ${ours.body}`);
      }
      const raw = await rawAnswer(index);
      const key = (body: string) =>
        (JSON.parse(body) as { features: { id: string; properties: { distanceM: number } }[] }).features
          .map((f) => `${f.id}:${f.properties.distanceM}`)
          .join();
      if (key(ours.body) !== key(raw)) {
        throw new Error(`Ours and raw pg disagree at centre ${index}`);
      }
      if (key(await rawAnswer(index, bruteCaptured)) !== key(raw)) {
        throw new Error(`The brute-force scan and raw pg disagree at centre ${index}`);
      }
      features += (JSON.parse(raw) as { features: unknown[] }).features.length;
    }
    const plan = await ctx.monitor.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers) ${captured[0]!.sql}`,
      captured[0]!.parameters,
    );
    const lines = plan.rows.map((row) => row['QUERY PLAN']);
    const sqlMs = Number(/([\d.]+) ms/.exec(lines.find((line) => line.startsWith('Execution Time')) ?? '')?.[1]);

    const ratios = {
      rps: [] as number[],
      p99: [] as number[],
      fRps: [] as number[],
      fP99: [] as number[],
      bRps: [] as number[],
      bP99: [] as number[],
    };
    for (let pair = 0; pair <= options.pairs; pair++) {
      const warmup = pair === 0;
      const duration = warmup ? Math.min(options.durationMs, 1000) : options.durationMs;
      const raw = await load(size, 'raw-pg', duration, warmup);
      const bare = await load(size, 'raw-fastify', duration, warmup);
      const brute = await load(size, 'brute-scan', duration, warmup);
      const ours = await load(size, 'ours', duration, warmup);
      if (!warmup) {
        ratios.rps.push(ours.reqPerSec / raw.reqPerSec);
        ratios.p99.push(ours.p99Ms / raw.p99Ms);
        ratios.fRps.push(ours.reqPerSec / bare.reqPerSec);
        ratios.fP99.push(ours.p99Ms / bare.p99Ms);
        ratios.bRps.push(ours.reqPerSec / brute.reqPerSec);
        ratios.bP99.push(ours.p99Ms / brute.p99Ms);
      }
    }
    const medianOf = (variant: Variant) => {
      const of = (key: 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'cpuMsPerRequest') =>
        median(
          runs.filter((run) => run.size === size && run.variant === variant && !run.warmup).map((run) => run[key]),
        );
      return {
        reqPerSec: round(of('reqPerSec'), 1),
        p50Ms: round(of('p50Ms'), 2),
        p99Ms: round(of('p99Ms'), 2),
        cpuMsPerRequest: round(of('cpuMsPerRequest'), 3),
      };
    };
    return {
      stations,
      meanFeatures: round(features / CENTRES, 1),
      reqPerSecRatio: roundSpread(spread(ratios.rps)),
      p99Ratio: roundSpread(spread(ratios.p99)),
      fastifyReqPerSecRatio: roundSpread(spread(ratios.fRps)),
      fastifyP99Ratio: roundSpread(spread(ratios.fP99)),
      bruteReqPerSecRatio: roundSpread(spread(ratios.bRps)),
      bruteP99Ratio: roundSpread(spread(ratios.bP99)),
      median: {
        'raw-pg': medianOf('raw-pg'),
        'raw-fastify': medianOf('raw-fastify'),
        'brute-scan': medianOf('brute-scan'),
        ours: medianOf('ours'),
      },
      sqlMs: round(sqlMs, 2),
      plan: lines,
    };
  };

  const seeded = Number((await ctx.monitor.query<{ n: string }>('select count(*) as n from station')).rows[0]!.n);
  const sizes: Record<string, SizeResult> = {};
  sizes.seeded = await measureSize('seeded', seeded);

  const city = ctx.units.find((unit) => unit.level === 'city')!;
  const daily = openRanges(dailyHours());
  const allDay = openRanges(roundTheClock());
  const insert = await timed(async () => {
    // Consistent by construction (the owner is the seeded city), so row-by-row foreign-key triggers are skipped.
    await ctx.monitor.query('set session_replication_role = replica');
    try {
      await ctx.monitor.query(SYNTHETIC_STATIONS, [
        options.stations,
        JSON.stringify(roundTheClock()),
        JSON.stringify(dailyHours()),
        toMultirange(allDay.weekly),
        toMultirange(daily.weekly),
        toMultirange(allDay.holiday!),
        toMultirange(daily.holiday!),
        city.id,
        city.path,
      ]);
    } finally {
      await ctx.monitor.query('reset session_replication_role');
    }
    await ctx.monitor.query('vacuum analyze station');
  });
  log(`NEARBY ${options.stations} synthetic stations inserted in ${fmt(insert.ms / 1000)} s`);
  sizes.synthetic = await measureSize('synthetic', seeded + options.stations);

  const result: NearbyResult = {
    radiusM: RADIUS_M,
    concurrency: options.readConcurrency,
    durationMs: options.durationMs,
    insertMs: round(insert.ms, 0),
    statement: captured[0]!.sql,
    sizes,
    runs,
  };
  const rows: TableRow[] = Object.entries(sizes).flatMap(([size, s]) => {
    const label = `nearby (${size === 'seeded' ? `${s.stations} seeded` : `${Math.round(s.stations / 1000)}k stations`})`;
    const m = s.median;
    return [
      {
        phase: label,
        metric: `req/s vs raw pg (${s.meanFeatures} features, conc ${options.readConcurrency})`,
        baseline: fmt(m['raw-pg'].reqPerSec, 0),
        ours: fmt(m.ours.reqPerSec, 0),
        ratio: fmtSpread(s.reqPerSecRatio),
        target: '',
      },
      {
        phase: label,
        metric: 'p50 / p99 ms vs raw pg',
        baseline: `${fmt(m['raw-pg'].p50Ms)} / ${fmt(m['raw-pg'].p99Ms)}`,
        ours: `${fmt(m.ours.p50Ms)} / ${fmt(m.ours.p99Ms)}`,
        ratio: `p99 ${fmtSpread(s.p99Ratio)}`,
        target: '',
      },
      {
        phase: label,
        metric: 'req/s and p99 vs raw Fastify + pg',
        baseline: `${fmt(m['raw-fastify'].reqPerSec, 0)} / ${fmt(m['raw-fastify'].p99Ms)} ms`,
        ours: `${fmt(m.ours.reqPerSec, 0)} / ${fmt(m.ours.p99Ms)} ms`,
        ratio: `${fmtSpread(s.fastifyReqPerSecRatio)}; p99 ${fmtSpread(s.fastifyP99Ratio)}`,
        target: '>= 0.70; p99 <= 1.5',
      },
      {
        phase: label,
        metric: 'req/s, p50 / p99 ms vs a brute-force scan',
        baseline: `${fmt(m['brute-scan'].reqPerSec, 0)}, ${fmt(m['brute-scan'].p50Ms)} / ${fmt(m['brute-scan'].p99Ms)} ms`,
        ours: `${fmt(m.ours.reqPerSec, 0)}, ${fmt(m.ours.p50Ms)} / ${fmt(m.ours.p99Ms)} ms`,
        ratio: `${fmtSpread(s.bruteReqPerSecRatio)}; p99 ${fmtSpread(s.bruteP99Ratio)}`,
        target: '',
      },
      {
        phase: label,
        metric: 'CPU ms/request (all processes); SQL ms',
        baseline: fmt(m['raw-pg'].cpuMsPerRequest, 3),
        ours: fmt(m.ours.cpuMsPerRequest, 3),
        ratio: `SQL ${fmt(s.sqlMs)} ms`,
        target: '',
      },
    ];
  });
  return { result, rows };
}
