import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../api/app.js';
import { apiConfigFromEnvironment, type ApiConfig } from '../api/config.js';
import type { SmsSender } from '../api/routes/portal/sms-sender.js';
import { createDb, type Db } from '../db/database.js';
import { EncryptionCodec } from '../worker/payload-codec.js';

/*
 * What every demo script (seeds/demo-*.ts) shares: the real API built in-process against the demo's database and
 * Temporal server, and the two ways its steps send requests. A script's steps take a `DemoCall` or `DemoRequest`
 * rather than the app, so its test drives the same steps through the test harness.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** One request with its answer, whatever the status. The test harness's `request` has this shape. */
export type DemoRequest = (
  method: Method,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<{ status: number; body: any }>;

/** One request that must succeed: answers the parsed body and throws on any status of 400 or above. */
export type DemoCall = (
  method: Method,
  url: string,
  token: string | null,
  body?: unknown,
  idempotencyKey?: string,
) => Promise<any>;

export function callThrough(request: DemoRequest): DemoCall {
  return async (method, url, token, body, idempotencyKey) => {
    const response = await request(method, url, {
      ...(token ? { token } : {}),
      ...(body === undefined ? {} : { body }),
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    });
    if (response.status >= 400) {
      throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  };
}

export interface DemoStack {
  app: FastifyInstance;
  db: Db;
  request: DemoRequest;
  call: DemoCall;
  passwords: { admin: string; demo: string };
}

export interface DemoStackOptions {
  /** Adjusts the API's configuration for this in-process app only (the real API keeps its own). */
  configure?: (config: ApiConfig) => ApiConfig;
  smsSender?: SmsSender;
}

/**
 * Runs a demo script's `main` against the demo stack, when the module at `moduleUrl` is the script node was
 * started with (so importing the module from a test runs nothing), and closes the app, the Temporal connection
 * and the pool afterwards. A failure is printed with the script's `name` and sets a non-zero exit code.
 */
export async function runDemoScript(
  moduleUrl: string,
  name: string,
  main: (stack: DemoStack) => Promise<void>,
  options: DemoStackOptions = {},
): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || path.resolve(entry) !== fileURLToPath(moduleUrl)) {
    return;
  }
  const closers: (() => Promise<void>)[] = [];
  try {
    // Loaded here, not at the top, so that importing a demo module from a test reads no environment.
    const { scriptConfig } = await import('../db/script-config.js');
    const environment = apiConfigFromEnvironment();
    const config = options.configure ? options.configure(environment) : environment;
    const db = createDb({ connectionString: config.databaseUrl, poolSize: 4 });
    closers.push(() => db.destroy());
    const connection = await Connection.connect({ address: config.temporal.address });
    closers.push(() => connection.close());
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
      ...(options.smsSender ? { smsSender: options.smsSender } : {}),
    });
    closers.push(() => app.close());
    const request: DemoRequest = async (method, url, { token, body, headers = {} }) => {
      const response = await app.inject({
        method,
        url,
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : null };
    };
    await main({
      app,
      db,
      request,
      call: callThrough(request),
      passwords: { admin: scriptConfig.seedAdminPassword, demo: scriptConfig.seedDemoPassword },
    });
  } catch (error) {
    console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    for (const close of closers.reverse()) {
      await close().catch(() => undefined);
    }
  }
}
