import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const APP_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** `next start` (through the app's own start script) running on localhost. */
export interface RunningNextApp {
  port: number;
  /** `http://localhost:PORT`: the origin Auth.js builds its callback URL from. */
  origin: string;
  /** Everything the app printed so far (stdout and stderr). */
  output(): string;
  /** Stops the start script's process group (`next start` forks a server of its own). */
  stop(): Promise<void>;
}

/** A free TCP port, taken from the OS: the app's callback URL must be registered before the app starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** The test runner's environment without anything that would configure the app behind the test's back. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(QONTO_|AUTH_|NEXTAUTH_)/.test(name) || name === 'PORT') continue;
    env[name] = value;
  }
  // Vitest sets NODE_ENV=test; `next start` must run as it does for users.
  delete env.NODE_ENV;
  env.NEXT_TELEMETRY_DISABLED = '1';
  return env;
}

/**
 * Runs `node scripts/start.mjs` (what `pnpm start` runs) with `env` on `port`, and resolves once Next says it is
 * ready. The app must have been built: turbo's `test` task depends on `build`; by hand, build it first.
 */
export async function startNextApp(port: number, env: Record<string, string>): Promise<RunningNextApp> {
  if (!existsSync(`${APP_DIR}.next/BUILD_ID`)) {
    throw new Error(
      'example-next is not built (no .next/BUILD_ID): run `pnpm --filter example-next build` before its tests ' +
        '(`turbo run test` does it for you).',
    );
  }
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: APP_DIR,
    // Next.js's types make NODE_ENV required; it is left out on purpose (see baseEnv).
    env: { ...baseEnv(), ...env, PORT: String(port) } as unknown as NodeJS.ProcessEnv,
    // Its own process group, so stop() reaches Next's server process too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (/Ready in/.test(output)) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`the app exited (code ${code}) before it was ready:\n${output}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    port,
    origin: `http://localhost:${port}`,
    output: () => output,
    stop: () => stopGroup(child),
  };
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // Already gone.
  }
  const killer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  }, 10_000);
  await exited;
  clearTimeout(killer);
}
