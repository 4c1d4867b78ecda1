import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { groupAlive, signalGroup, stopGroups } from '../../scripts/process-groups.mjs';

export { groupAlive };

/** A port nobody listens on right now (the OS picks it), for a server that cannot take port 0 itself. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Whether something accepts TCP connections on `port` of 127.0.0.1. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/**
 * The environment of a spawned app: this process's, without what the test runner or the developer's shell set that
 * would change how the app runs (`NODE_ENV=test` from vitest, a real `QONTO_CLIENT_ID`, Auth.js variables).
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(QONTO_|AUTH_|NEXTAUTH_|VITEST|NODE_ENV$|NODE_OPTIONS$|PORT$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

/** A spawned command leading its own process group, with the end of its output kept for error messages. */
export interface GroupProcess {
  child: ChildProcess;
  /** The last lines it printed (stdout and stderr interleaved). */
  logTail(): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no process of the group is left. */
  stop(graceMs?: number): Promise<void>;
}

/** A spawned command leading its own process group, with the end of its output kept for error messages. */
export interface GroupProcess {
  child: ChildProcess;
  /** The last lines it printed (stdout and stderr interleaved). */
  logTail(): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no process of the group is left. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `command` as the leader of a new process group (`detached`): `pnpm start` and `next start` fork, and
 * only a signal to the group reaches the server that holds the port.
 */
export function spawnGroup(
  command: string,
  args: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; keepLines?: number },
): GroupProcess {
  const child = spawn(command, args, {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > (o.keepLines ?? 60)) lines.splice(0, lines.length - (o.keepLines ?? 60));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${command} ${args.join(' ')} in ${o.cwd}`);
  return {
    child,
    logTail: () => lines.join('\n'),
    stop: (graceMs = 3000) => stopGroups([pid], graceMs),
  };
}

/**
 * Resolves once `url` answers HTTP (any status), rejects with the process's log when it exits first or `timeoutMs`
 * passes: a server that never comes up fails the run with its own words, not a bare timeout.
 */
export async function waitForHttp(url: string, proc: GroupProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(
        `The server for ${url} exited (${proc.child.signalCode ?? `code ${proc.child.exitCode}`}) before answering. ` +
          `The end of its log:\n${proc.logTail()}`,
      );
    }
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs / 1000} s. The end of its log:\n${proc.logTail()}`,
  );
}

/**
 * The process groups of every live descendant of `pid` (read from /proc): what a test must clean up if the
 * process it started dies without stopping its own children.
 */
export function descendantGroups(pid: number): number[] {
  const parents = new Map<number, { ppid: number; pgrp: number }>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), { ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {}
  }
  // Between fork and setsid a detached child still sits in our own group: never report (and later SIGKILL) that.
  const ownGroup = parents.get(process.pid)?.pgrp;
  const groups = new Set<number>();
  for (const [child] of parents) {
    for (let p = parents.get(child)?.ppid; p !== undefined && p > 1; p = parents.get(p)?.ppid) {
      if (p === pid) {
        const pgrp = parents.get(child)?.pgrp as number;
        if (pgrp !== ownGroup) groups.add(pgrp);
        break;
      }
    }
  }
  return [...groups];
}

/** The command lines of the live processes of group `pgid`, for an assertion message. */
export function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (pgrp !== String(pgid) || state === 'Z') continue;
      members.push(`${name}: ${readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    } catch {}
  }
  return members;
}

/** SIGKILL to each group still alive: the last resort of a test's clean-up. */
export function killGroups(pgids: number[]): void {
  for (const pgid of pgids) {
    if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  }
}
