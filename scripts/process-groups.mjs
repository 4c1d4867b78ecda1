// Process groups for `pnpm demo` and the e2e tests: a server started through `pnpm start` (or `next start`, which
// forks) holds its port in a grandchild, and only a signal to the whole group reaches it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * Whether a live process is left in group `pgid`. Orphans of a stopped group can stay zombies for a while when
 * PID 1 reaps late, and `kill(-pgid, 0)` counts those, so Linux's /proc is read when it exists.
 * @param {number} pgid
 * @returns {boolean}
 */
export function groupAlive(pgid) {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .some((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return pgrp === String(pgid) && state !== 'Z';
      } catch {
        return false;
      }
    });
}

/**
 * Signals every process of group `pgid`; a group already gone is not an error.
 * @param {number} pgid
 * @param {NodeJS.Signals} signal
 */
export function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {}
}

/**
 * SIGTERM to each group, SIGKILL to what is left after `graceMs`; resolves once no process of any group is alive.
 * @param {number[]} pgids
 * @param {number} [graceMs]
 * @returns {Promise<void>}
 */
export function stopGroups(pgids, graceMs = 1500) {
  for (const pgid of pgids) signalGroup(pgid, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const alive = pgids.filter(groupAlive);
      if (alive.length > 0 && Date.now() < killAt) return;
      for (const pgid of alive) signalGroup(pgid, 'SIGKILL');
      if (alive.some(groupAlive)) return;
      clearInterval(poll);
      resolve();
    }, 25);
  });
}
