import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { QontoEndpoints, TokenSet } from '@qonto-oauth/core';

const WORKER = new URL('../fixtures/worker.mjs', import.meta.url).pathname;

/** What every worker process is started with. */
export interface WorkerConfig {
  redisUrl?: string;
  cluster?: { host: string; port: number }[];
  endpoints: QontoEndpoints;
  clientId: string;
  clientSecret: string;
  stagingToken?: string | undefined;
  lockLeaseMs?: number;
}

/** One connection (manager or connections mode) or one cookie's refresh token (session mode) the calls go to. */
export interface Target {
  key?: string;
  tokens?: TokenSet;
  refreshToken?: string;
  /** `connections` mode: the connection's user and organization. */
  userKey?: string;
  organizationId?: string;
}

export interface CallResult {
  key?: string;
  accessToken?: string;
  error?: Record<string, unknown> & { message: string; code?: string };
}

/** An app process: `run` sends one command and resolves with the outcome of each of its calls. */
export interface Worker {
  process: ChildProcessWithoutNullStreams;
  run(command: {
    mode: 'manager' | 'local' | 'session' | 'connections';
    callsPerTarget: number;
    targets: Target[];
  }): Promise<CallResult[]>;
  /** Starts a command without waiting for its answer (for a process killed mid-refresh). */
  start(command: {
    mode: 'manager' | 'local' | 'session' | 'connections';
    callsPerTarget: number;
    targets: Target[];
  }): Promise<CallResult[]>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

/** Starts `count` worker processes and resolves once each has its store and client ready. */
export async function startWorkers(count: number, config: WorkerConfig): Promise<Worker[]> {
  return Promise.all(Array.from({ length: count }, () => startWorker(config)));
}

export function startWorker(config: WorkerConfig): Promise<Worker> {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, QONTO_REDIS_WORKER: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    const error = new Error(`worker exited (${signal ?? `code ${code}`}):\n${stderr}`);
    for (const fail of failures.splice(0)) fail(error);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.push(resolve);
      failures.push(reject);
    });
  const start: Worker['start'] = (command) => {
    const answer = next();
    child.stdin.write(`${JSON.stringify(command)}\n`);
    return answer.then((message) => message.results as CallResult[]);
  };
  const worker: Worker = {
    process: child,
    start,
    run: start,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
  return next().then(() => worker);
}
