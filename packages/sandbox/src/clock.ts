import type { SandboxClock } from './types.js';

/**
 * A clock that starts at `startTime`, follows real time, and can be moved forward: tests jump past a code's
 * 10 minutes or a refresh token's 60 s grace without sleeping.
 */
export function createClock(startTime: number | undefined, realNow: () => number = Date.now): SandboxClock {
  const realStart = realNow();
  let offset = (startTime ?? realStart) - realStart;
  return {
    now: () => realNow() + offset,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`clock.advance(ms) takes a finite number of milliseconds >= 0, not ${ms}.`);
      }
      offset += ms;
    },
  };
}
