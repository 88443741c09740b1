import { execFileSync, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/shared/search-attributes.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** TEMPORAL_CLI_PATH when it points at an executable, otherwise whatever scripts/install-temporal.sh builds or finds. */
export function resolveTemporalBinary(): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH?.trim();
  if (fromEnv) {
    accessSync(fromEnv, constants.X_OK);
    return fromEnv;
  }
  const output = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/install-temporal.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const binary = output.trim().split('\n').pop();
  if (!binary) {
    throw new Error('scripts/install-temporal.sh printed no binary path');
  }
  return binary;
}

export interface DevServerOptions {
  /** Path of the `temporal` CLI binary (v1.5.1). */
  binary: string;
  /** SQLite file holding the server's state; starting again on the same file resumes every workflow. */
  dbFile: string;
  /** Frontend gRPC port; a free one is picked when unset. */
  port?: number;
  /** Where the server's stdout and stderr go; `<dbFile>.log` when unset. The file is appended to. */
  logFile?: string;
  /** How long to wait for the frontend to accept connections before giving up. */
  startTimeoutMs?: number;
  /** Further `server start-dev` flags, for example `--dynamic-config-value limit.historyCount.suggestContinueAsNew=50`. */
  extraArgs?: string[];
}

export interface DevServer {
  /** `127.0.0.1:<port>` */
  address: string;
  port: number;
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the usual small race applies). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('No free port was assigned'))));
    });
  });
}

/** The `server start-dev` arguments the tests use: headless, quiet, offline, with the project's search attributes. */
export function devServerArgs(dbFile: string, port: number, extraArgs: string[] = []): string[] {
  return [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    'default',
    '--db-filename',
    dbFile,
    '--log-level',
    'error',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    ...SEARCH_ATTRIBUTE_FLAGS.flatMap((flag) => ['--search-attribute', flag]),
    ...extraArgs,
  ];
}

/**
 * Starts `temporal server start-dev` as a child of this process and resolves once its frontend accepts a client
 * connection. The child is not detached, so an interrupted test run (Ctrl-C) takes it down with the process group.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const logFile = options.logFile ?? `${options.dbFile}.log`;
  const logFd = openSync(logFile, 'a');
  const child = spawn(options.binary, devServerArgs(options.dbFile, port, options.extraArgs), {
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);

  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    });
    child.once('error', () => {
      exitCode = -1;
      resolve();
    });
  });
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    if (exitCode !== undefined) {
      return;
    }
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killTimer);
  };

  try {
    if (pid === undefined) {
      throw new Error(`Could not spawn ${options.binary}`);
    }
    await waitForFrontend(address, options.startTimeoutMs ?? 60_000, () => exitCode !== undefined);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Temporal dev server on ${address} did not start: ${reason}\n${logTail(logFile)}`);
  }
  return { address, port, pid, logFile, stop };
}

function logTail(logFile: string, lines = 20): string {
  try {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return tail ? `Last lines of ${logFile}:\n${tail}` : `${logFile} is empty`;
  } catch {
    return `${logFile} could not be read`;
  }
}

async function waitForFrontend(address: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) {
      throw new Error('the server process exited during start-up');
    }
    try {
      // connect() itself calls GetSystemInfo, so success means the frontend answers requests.
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await delay(100);
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`no connection within ${timeoutMs} ms (last error: ${reason})`);
}
