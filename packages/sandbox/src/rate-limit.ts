import type { NextFunction, Request, Response } from 'express';
import { apiError } from './api/auth.js';
import type { SandboxContext } from './context.js';
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

/**
 * Counts the Business API requests of each client address (after the staging gate, before the token check:
 * emulator choices) in sliding windows of the emulator's clock, and answers 429 with a JSON:API error once a window
 * is full. Qonto documents no `Retry-After`; the emulator sends one (the seconds until a request would be accepted)
 * so clients can show how a header is honoured.
 */
export function rateLimit(ctx: SandboxContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const limits = ctx.rateLimits;
    if (limits.length === 0) {
      next();
      return;
    }
    const now = ctx.clock.now();
    const address = req.socket.remoteAddress ?? 'unknown';
    const longest = Math.max(...limits.map((l) => l.windowMs));
    const times = (ctx.rateLimitLog.get(address) ?? []).filter((t) => t > now - longest);
    ctx.rateLimitLog.set(address, times);
    let waitMs = 0;
    let full: SandboxRateLimit | undefined;
    for (const limit of limits) {
      const inWindow = times.filter((t) => t > now - limit.windowMs);
      if (inWindow.length < limit.requests) continue;
      // The request that must leave the window before one more fits.
      const leaving = inWindow[inWindow.length - limit.requests] as number;
      const wait = leaving + limit.windowMs - now;
      if (wait > waitMs) {
        waitMs = wait;
        full = limit;
      }
    }
    if (full === undefined) {
      times.push(now);
      next();
      return;
    }
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    res.set('Retry-After', String(seconds));
    apiError(
      res,
      429,
      'too_many_requests',
      `Too many requests from ${address}: at most ${full.requests} per ${full.windowMs / 1000} s per IP address (https://docs.qonto.com/get-started/general/rate-limitations). Retry in ${seconds} s.`,
    );
  };
}
