import type { SandboxClock } from './types.js';

/**
 * A clock that starts at `startTime`, follows real time, and can be moved forward: tests jump past a code's
 * 10 minutes or a refresh token's 60 s grace without sleeping.
 */
export function createClock(
  startTime: number | undefined,
  realNow: () => number = Date.now,
): SandboxClock & { onAdvance(listener: () => void): void } {
  const realStart = realNow();
  let offset = (startTime ?? realStart) - realStart;
  const listeners: (() => void)[] = [];
  const clock = {
    now: () => realNow() + offset,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`clock.advance(ms) takes a finite number of milliseconds >= 0, not ${ms}.`);
      }
      offset += ms;
      for (const listener of listeners) listener();
    },
    /** Tells `listener` after each `advance` (what waits on the clock, such as webhook retries, looks again). */
    onAdvance(listener: () => void) {
      listeners.push(listener);
    },
  };
  // The public clock is `{ now, advance }`; the listener hook stays off util.inspect and JSON.
  Object.defineProperty(clock, 'onAdvance', { enumerable: false });
  return clock;
}
