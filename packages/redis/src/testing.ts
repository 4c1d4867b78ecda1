/**
 * Real Redis servers for tests: `startRedisServer()` and `startRedisCluster()` run Debian's (or any installed)
 * `redis-server` on free loopback ports, in a temporary directory, and stop it afterwards. Node only; nothing is
 * downloaded.
 *
 * @module @qonto-oauth/redis/testing
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep every write in an append-only file, fsynced at once, so a restart (even after a kill) keeps data. */
  appendonly?: boolean;
  /** The `redis-server` binary (default: `/usr/bin/redis-server`, else the one on `PATH`). */
  binary?: string;
  /** More `redis-server` arguments, e.g. `['--maxmemory', '1mb']`. */
  args?: string[];
}

/** A running `redis-server`. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  host: string;
  port: number;
  /** The server's process id (for `kill -9` tests). */
  pid: number;
  /** Stops the server (SIGTERM; it flushes its append-only file first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (after {@link stop} or a kill). */
  start(): Promise<void>;
  /** Stops it for good and deletes its data directory. */
  close(): Promise<void>;
}

/** Starts a `redis-server` on a free port of 127.0.0.1, with a data directory of its own. */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = o.binary ?? findRedisServer();
  const dir = await mkdtemp(join(tmpdir(), 'qonto-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(o.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(o.args ?? []),
  ];
  let child = await launch(binary, args);
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    get pid() {
      return child.pid ?? -1;
    },
    stop: () => stopProcess(child),
    async start() {
      if (child.exitCode === null && child.signalCode === null) return;
      child = await launch(binary, args);
    },
    async close() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A running Redis Cluster of masters without replicas. */
export interface RedisCluster {
  /** Its nodes, to give ioredis's `new Cluster(nodes)`. */
  nodes: { host: string; port: number }[];
  servers: RedisServer[];
  /** Stops every node and deletes their data. */
  close(): Promise<void>;
}

/**
 * Starts a Redis Cluster of `masters` nodes (default 3, the minimum) with `redis-cli --cluster create`, and
 * resolves once every node reports `cluster_state:ok` (about 3 s).
 */
export async function startRedisCluster(
  o: { masters?: number; binary?: string } = {},
): Promise<RedisCluster> {
  const masters = o.masters ?? 3;
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i += 1) {
      servers.push(
        await startRedisServer({
          ...(o.binary === undefined ? {} : { binary: o.binary }),
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const cli = redisCli(o.binary);
    await run(cli, [
      '--cluster',
      'create',
      ...servers.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 30_000;
    for (const server of servers) {
      for (;;) {
        const { stdout } = await run(cli, ['-p', String(server.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline)
          throw new Error(`Redis Cluster node ${server.port} never reached cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: s.host, port: s.port })),
    servers,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

const INSTALL_HINT =
  "Install Debian's package (`apt-get install -y redis-server`, as root) or pass `binary`.";

function findRedisServer(): string {
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir, 'redis-server'))
    .find((candidate) => existsSync(candidate));
  if (onPath === undefined)
    throw new Error(
      `redis-server is not installed (not at /usr/bin/redis-server nor on PATH). ${INSTALL_HINT}`,
    );
  return onPath;
}

function redisCli(binary: string | undefined): string {
  const beside = join(binary === undefined ? findRedisServer() : binary, '..', 'redis-cli');
  return existsSync(beside) ? beside : 'redis-cli';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Spawns `redis-server` and resolves once it accepts connections; rejects with its output if it exits first. */
function launch(binary: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 20 s:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not be started (${error.message}). ${INSTALL_HINT}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `redis-server exited (${signal ?? `code ${code}`}) before accepting connections:\n${output}`,
        ),
      );
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
