import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO_USERS } from '@qonto-oauth/sandbox/demo';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  descendantGroups,
  freePort,
  groupMembers,
  isListening,
  killGroups,
} from './support/processes.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(e2eDir, '..');
const demoScript = join(repoRoot, 'scripts', 'demo.mjs');

/** Five distinct free ports, in the order emulator, next, express, nest, better-auth. */
async function demoPorts() {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [sandbox, next, express, nest, betterAuth] = [...ports] as [number, number, number, number, number];
  return { sandbox, next, express, nest, betterAuth };
}
type DemoPorts = Awaited<ReturnType<typeof demoPorts>>;

interface DemoRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/**
 * `node scripts/demo.mjs --no-build` as `pnpm demo` runs it (turbo built everything before this test), on the given
 * ports. Its process only, not a group: a signal reaches it alone, as Ctrl-C or a supervisor's SIGTERM reach the
 * demo and not the servers, which lead groups of their own.
 */
function startDemo(
  ports: DemoPorts,
  env: Record<string, string> = {},
  o: { throughPnpm?: boolean } = {},
): DemoRun {
  const [command, args] = o.throughPnpm
    ? ['pnpm', ['demo', '--no-build']]
    : [process.execPath, [demoScript, '--no-build']];
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: cleanEnv({
      QONTO_SANDBOX_PORT: String(ports.sandbox),
      DEMO_NEXT_PORT: String(ports.next),
      DEMO_EXPRESS_PORT: String(ports.express),
      DEMO_NEST_PORT: String(ports.nest),
      DEMO_BETTER_AUTH_PORT: String(ports.betterAuth),
      // The Better Auth app's SQLite file, out of the source tree.
      DATABASE_FILE: join(mkdtempSync(join(tmpdir(), 'demo-test-')), 'example-better-auth.db'),
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Whatever the test's outcome, nothing it started stays up: the demo, then any group it left behind.
  let groups: number[] = [];
  const remember = setInterval(() => {
    if (child.exitCode === null && child.pid)
      groups = [...new Set([...groups, ...descendantGroups(child.pid)])];
  }, 200);
  cleanups.push(() => {
    clearInterval(remember);
    if (child.exitCode === null) child.kill('SIGKILL');
    killGroups(groups);
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once the demo printed its table; rejects with its output if it exits first. */
async function untilTable(run: DemoRun): Promise<void> {
  const done = 'Ctrl-C stops every server.';
  while (!run.stdout().includes(done)) {
    if (run.child.exitCode !== null) {
      throw new Error(
        `The demo exited (${run.child.exitCode}) before printing its table:\n${run.stdout()}\n${run.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const urlsOf = (ports: DemoPorts) => [
  `http://127.0.0.1:${ports.sandbox}`,
  ...[ports.next, ports.express, ports.nest, ports.betterAuth].map((port) => `http://localhost:${port}`),
];

async function expectAllClosed(ports: DemoPorts, groups: number[]): Promise<void> {
  for (const port of Object.values(ports)) expect(await isListening(port), `port ${port}`).toBe(false);
  for (const group of groups) expect(groupMembers(group), `process group ${group}`).toEqual([]);
}

describe('pnpm demo', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints every URL, the demo users and the SMS code; %s closes every port and stops every process',
    async (signal) => {
      const ports = await demoPorts();
      const run = startDemo(ports);
      await untilTable(run);

      const table = run.stdout();
      for (const url of urlsOf(ports)) {
        expect(table).toContain(url);
        const answer = await fetch(url, { redirect: 'manual' });
        expect(answer.status, url).toBeLessThan(500);
      }
      for (const user of DEMO_USERS) expect(table).toContain(user.email);
      expect(table).toContain('SMS code: 123456');
      expect(table).toMatch(/QONTO_ENV=sandbox +QONTO_CLIENT_ID=.* +QONTO_STAGING_TOKEN=/);
      expect(table).toContain(`callback http://localhost:${ports.next}/api/auth/callback/qonto`);
      expect(table).toContain(`callback http://localhost:${ports.betterAuth}/api/auth/callback/qonto`);

      // The emulator's home page links to each sample app where the demo really started it.
      const home = await (await fetch(`http://127.0.0.1:${ports.sandbox}/`)).text();
      for (const url of urlsOf(ports).slice(1)) expect(home).toContain(`href="${url}"`);

      const groups = descendantGroups(run.child.pid as number);
      expect(groups.length).toBeGreaterThanOrEqual(5);
      const signalledAt = performance.now();
      run.child.kill(signal);
      const [code] = await run.exited;
      // A measurement for the record, not an assertion (the demo SIGKILLs what is left after 1.5 s).
      console.info(`pnpm demo stopped on ${signal} in ${Math.round(performance.now() - signalledAt)} ms`);
      expect(code).toBe(0);
      await expectAllClosed(ports, groups);
    },
  );

  it('stops every process when the pnpm that ran it gets SIGTERM (pnpm does not pass it on)', async () => {
    const ports = await demoPorts();
    const run = startDemo(ports, {}, { throughPnpm: true });
    await untilTable(run);
    const groups = descendantGroups(run.child.pid as number);
    expect(groups.length).toBeGreaterThanOrEqual(5);
    run.child.kill('SIGTERM');
    await run.exited;
    // The demo notices its launcher is gone within 250 ms, then stops its servers within 2 s.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && groups.some((group) => groupMembers(group).length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expectAllClosed(ports, groups);
  });

  it('names a port in use and how to choose another, in one line, and starts nothing', async () => {
    const ports = await demoPorts();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.express, '127.0.0.1', resolve));
    try {
      const run = startDemo(ports);
      const [code] = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr().trim().split('\n')).toEqual([
        `Port ${ports.express} is in use, so example-express-passport cannot start: stop what uses it, or choose another port, e.g. DEMO_EXPRESS_PORT=${ports.express + 100} pnpm demo.`,
      ]);
      expect(await isListening(ports.sandbox)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('stops when a server crashes, showing the end of its log, and leaves nothing running', async () => {
    const ports = await demoPorts();
    const crash = pathToFileURL(join(e2eDir, 'support', 'crash-on-start.mjs')).href;
    const run = startDemo(ports, { NODE_OPTIONS: `--import=${crash}` });
    const groupsSeen = new Set<number>();
    while (run.child.exitCode === null) {
      for (const group of descendantGroups(run.child.pid as number)) groupsSeen.add(group);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [code] = await run.exited;
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(
      /example-express-passport stopped unexpectedly \(exit code \d+\)\. The end of its log:/,
    );
    expect(run.stderr()).toContain('e2e: example-express-passport crashes on purpose');
    expect(run.stdout()).not.toContain('Ctrl-C stops every server.');
    await expectAllClosed(ports, [...groupsSeen]);
  });
});
