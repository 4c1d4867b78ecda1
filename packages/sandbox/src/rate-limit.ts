import { apiError } from './api-errors.js';
import type { SandboxContext } from './context.js';
import type { HttpRequest } from './http/request.js';
import type { HttpResponse } from './http/response.js';
import type { Step } from './http/router.js';
import type { SandboxRateLimit } from './types.js';

/**
 * Qonto's documented limits, per IP address: 1,000 requests per 10 s and 10,000 per 10 minutes
 * (https://docs.qonto.com/get-started/general/rate-limitations).
 */
export const QONTO_RATE_LIMITS: readonly SandboxRateLimit[] = Object.freeze([
  Object.freeze({ requests: 1000, windowMs: 10_000 }),
  Object.freeze({ requests: 10_000, windowMs: 600_000 }),
]);

/** The windows to enforce for the `rateLimit` option: Qonto's by default, the one given, or none. */
export function resolveRateLimits(option: SandboxRateLimit | false | undefined): SandboxRateLimit[] {
  if (option === undefined) return QONTO_RATE_LIMITS.map((l) => ({ ...l }));
  if (option === false) return [];
  const { requests, windowMs } = (option ?? {}) as Partial<SandboxRateLimit>;
  if (!Number.isSafeInteger(requests) || (requests as number) < 1 || !(Number(windowMs) > 0)) {
    throw new TypeError(
      `rateLimit must be false or { requests, windowMs } with a whole number of requests >= 1 and windowMs > 0, not ${JSON.stringify(option)}.`,
    );
  }
  return [{ requests: requests as number, windowMs: windowMs as number }];
}

/** Accepted request times per client address, by the emulator's clock. */
export type RateLimitLog = Map<string, number[]>;

/** The full window with the longest wait, or undefined when a request fits every window. */
function fullWindow(times: number[], limits: SandboxRateLimit[], now: number): SandboxRateLimit | undefined {
  let waitMs = 0;
  let full: SandboxRateLimit | undefined;
  for (const limit of limits) {
    const inWindow = times.filter((t) => t > now - limit.windowMs);
    if (inWindow.length < limit.requests) continue;
    // The request that must leave the window before one more fits.
    const wait = (inWindow[inWindow.length - limit.requests] as number) + limit.windowMs - now;
    if (wait > waitMs) {
      waitMs = wait;
      full = limit;
    }
  }
  return full;
}

/**
 * While `faults.throttleUnauthorized` is on: the 401 answers of this address within the window (kept to the newest
 * `after + 1`, all the rule needs), and a listener that records the next one.
 */
function unauthorizedCount(ctx: SandboxContext, address: string, res: HttpResponse, now: number): number {
  const throttle = ctx.faults.unauthorizedThrottle;
  if (throttle === undefined) return 0;
  const log = ctx.faults.unauthorizedLog;
  const recent = (log.get(address) ?? []).filter((t) => t > now - throttle.windowMs);
  log.set(address, recent);
  res.on('finish', () => {
    if (res.statusCode !== 401 || ctx.faults.unauthorizedThrottle !== throttle) return;
    recent.push(ctx.clock.now());
    if (recent.length > throttle.after + 1) recent.splice(0, recent.length - throttle.after - 1);
  });
  return recent.length;
}

/**
 * Counts the Business API requests of each client address (after the staging gate, before the token check:
 * emulator choices) in sliding windows of the emulator's clock, and answers 429 with a JSON:API error once a window
 * is full, or once the address collected too many 401s while `faults.throttleUnauthorized` is on. Qonto documents
 * no `Retry-After`, so none is sent.
 */
export function rateLimit(ctx: SandboxContext): Step {
  let sweptAt = ctx.clock.now();
  return (req: HttpRequest, res: HttpResponse): void => {
    const now = ctx.clock.now();
    const address = req.socket.remoteAddress ?? 'unknown';
    const throttle = ctx.faults.unauthorizedThrottle;
    if (throttle !== undefined && unauthorizedCount(ctx, address, res, now) > throttle.after) {
      apiError(
        res,
        429,
        'too_many_requests',
        `Throttled: ${address} got more than ${throttle.after} answers with status 401 within ${throttle.windowMs / 1000} s (https://docs.qonto.com/get-started/general/rate-limitations). Refresh tokens before they expire instead of retrying refused ones.`,
      );
      return;
    }
    const limits = ctx.rateLimits;
    if (limits.length === 0) return;
    const longest = Math.max(...limits.map((l) => l.windowMs));
    if (now - sweptAt > longest) {
      // Forget the addresses that sent nothing in the longest window, once per window.
      sweptAt = now;
      for (const [other, times] of ctx.rateLimitLog) {
        if ((times[times.length - 1] ?? 0) <= now - longest) ctx.rateLimitLog.delete(other);
      }
    }
    const times = (ctx.rateLimitLog.get(address) ?? []).filter((t) => t > now - longest);
    ctx.rateLimitLog.set(address, times);
    const full = fullWindow(times, limits, now);
    if (full === undefined) {
      times.push(now);
      return;
    }
    apiError(
      res,
      429,
      'too_many_requests',
      `Too many requests from ${address}: at most ${full.requests} per ${full.windowMs / 1000} s per IP address (https://docs.qonto.com/get-started/general/rate-limitations).`,
    );
  };
}
