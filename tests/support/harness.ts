import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../../api/app.js';
import { readApiConfig, type ApiConfig } from '../../api/config.js';
import type { SmsSender } from '../../api/routes/portal/sms-sender.js';
import { createDb, type Db } from '../../db/database.js';
import { createCaseWorker } from '../../worker/create-worker.js';
import { createLogger } from '../../worker/logger.js';
import { EncryptionCodec } from '../../worker/payload-codec.js';

export interface HarnessOptions {
  /** Defaults to a fresh `tq-<uuid>`, so no other test file's worker can pick up this file's tasks. */
  taskQueue?: string;
  /** Receives the API's pino records at info level (for asserting what is and is not logged); silent when unset. */
  logDestination?: pino.DestinationStream;
  /** Extra worker options, for example `{ maxCachedWorkflows: 0 }` to replay every workflow task. */
  workerOverrides?: Partial<WorkerOptions>;
  /** Extra API environment, applied last (for example `{ LOGIN_ATTEMPTS_PER_MINUTE: '3' }` for a limit test). */
  env?: Record<string, string>;
  /** Receives the portal's sign-in codes instead of the development sender (which writes them to the log). */
  smsSender?: SmsSender;
  /** Also listen on 127.0.0.1 (a free port), for a real client such as a browser; the address is `baseUrl`. */
  listen?: boolean;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The client address the API sees (`request.ip`); 127.0.0.1 when unset. */
  remoteAddress?: string;
}

export interface HarnessResponse<T = any> {
  status: number;
  /** The parsed JSON body, or null when the body is empty or not JSON. */
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface Harness {
  app: FastifyInstance;
  db: Db;
  client: Client;
  config: ApiConfig;
  taskQueue: string;
  /** `http://127.0.0.1:<port>` when created with `listen: true`, otherwise null. */
  baseUrl: string | null;
  /** Logs in through POST /auth/login and returns the bearer token. */
  login(username: string, password?: string): Promise<string>;
  request<T = any>(method: InjectOptions['method'], url: string, options?: RequestOptions): Promise<HarnessResponse<T>>;
  /** Shuts the worker down and waits for it; workflows then wait on the server until `startWorker()`. */
  stopWorker(): Promise<void>;
  /** Starts a new worker on the same task queue (after `stopWorker()`). */
  startWorker(): Promise<void>;
  /** Stops the worker and closes the app, both Temporal connections and the database pool. */
  close(): Promise<void>;
}

/**
 * The whole back end of one test file, in-process: the Fastify app (driven with `inject`, never listening), a
 * Temporal client and a case worker on the run's shared dev server, and a pool on the run's seeded database.
 * Call it in `beforeAll` and `close()` in `afterAll`. Each harness has its own task queue, so files run in parallel.
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const taskQueue = options.taskQueue ?? `tq-${randomUUID()}`;
  const config = readApiConfig({
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_SIZE: '5',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_ATTEMPTS_PER_MINUTE: '100000',
    ...options.env,
  });
  const logger: Logger = options.logDestination
    ? createLogger('info', options.logDestination)
    : pino({ level: 'silent' });
  const workflowBundlePath = inject('workflowBundlePath');
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const closer of closers.splice(0).reverse()) {
      await closer().catch((error: unknown) => errors.push(error));
    }
    if (errors.length) {
      throw new AggregateError(errors, 'Harness did not close cleanly');
    }
  };

  let running: { worker: Worker; run: Promise<void> } | undefined;
  const stopWorker = async (): Promise<void> => {
    const current = running;
    running = undefined;
    if (!current) {
      return;
    }
    if (current.worker.getState() === 'RUNNING') {
      current.worker.shutdown();
    }
    await current.run;
  };

  try {
    const db = createDb({
      connectionString: config.databaseUrl,
      poolSize: config.databasePoolSize,
      logger: logger.child({ component: 'db' }),
    });
    closers.push(() => db.destroy());
    const connection = await Connection.connect({ address: config.temporal.address });
    closers.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: { payloadCodecs: [new EncryptionCodec(config.payloadCodecKey)] },
    });
    const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    closers.push(() => nativeConnection.close());

    const startWorker = async (): Promise<void> => {
      if (running) {
        throw new Error('The harness worker is already running; call stopWorker() first');
      }
      const worker = await createCaseWorker({
        connection: nativeConnection,
        namespace: config.temporal.namespace,
        taskQueue,
        db,
        payloadCodecKey: config.payloadCodecKey,
        workflowBundlePath,
        ...(options.workerOverrides ? { overrides: options.workerOverrides } : {}),
      });
      const run = worker.run();
      // Kept for stopWorker() to rethrow; without this a worker that dies between awaits is an unhandled rejection.
      run.catch(() => undefined);
      running = { worker, run };
    };
    await startWorker();
    closers.push(stopWorker);

    const app = await buildApp({
      config,
      db,
      temporal: { client, taskQueue },
      logger,
      ...(options.smsSender ? { smsSender: options.smsSender } : {}),
    });
    closers.push(() => app.close());
    await app.ready();
    let baseUrl: string | null = null;
    if (options.listen) {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      baseUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : null;
    }

    const request = async <T = any>(
      method: InjectOptions['method'],
      url: string,
      { token, body, headers = {}, remoteAddress }: RequestOptions = {},
    ): Promise<HarnessResponse<T>> => {
      const response = await app.inject({
        method,
        url,
        ...(remoteAddress ? { remoteAddress } : {}),
        headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      });
      return { status: response.statusCode, body: parseJson(response.body) as T, headers: response.headers };
    };
    const login = async (username: string, password = 'Demo@2026'): Promise<string> => {
      const response = await request<{ token?: string }>('POST', '/auth/login', { body: { username, password } });
      if (response.status !== 200 || !response.body?.token) {
        throw new Error(`Login as ${username} failed with ${response.status}: ${JSON.stringify(response.body)}`);
      }
      return response.body.token;
    };

    return { app, db, client, config, taskQueue, baseUrl, login, request, stopWorker, startWorker, close: closeAll };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

function parseJson(text: string): unknown {
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
