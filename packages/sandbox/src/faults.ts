import { apiError } from './api-errors.js';
import type { SandboxContext } from './context.js';
import type { HttpRequest } from './http/request.js';
import { sendJson } from './http/respond.js';
import type { HttpResponse } from './http/response.js';
import type { Step } from './http/router.js';
import type { GateMode, SandboxFailNextOptions, SandboxFaults, SandboxThrottleOptions } from './types.js';

interface InjectedFailure {
  method: string;
  path: string;
  status: number;
  remaining: number;
  retryAfter?: number;
}

/** What the test switched on; {@link SandboxFaults.reset} empties it. */
export interface FaultState {
  latencyMs: number;
  failures: InjectedFailure[];
  /** The extra throttling after many 401 answers, when switched on. */
  unauthorizedThrottle: Required<SandboxThrottleOptions> | undefined;
  /** When each client address got a 401, while the throttle is on (the newest `after + 1` at most). */
  unauthorizedLog: Map<string, number[]>;
}

/** No latency and no queued failure: the state at start and after a reset. */
export function createFaultState(): FaultState {
  return { latencyMs: 0, failures: [], unauthorizedThrottle: undefined, unauthorizedLog: new Map() };
}

const API_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** RFC 6749 §5.2 codes, with Hydra's `server_error` / `temporarily_unavailable` for server-side trouble. */
function oauthCode(status: number): string {
  if (status === 401) return 'invalid_client';
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  return status >= 500 ? 'server_error' : 'invalid_request';
}

function assertFault(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(message);
}

/**
 * Holds the request until the emulator's clock has moved by `latencyMs` (a `clock.advance` past it ends the wait
 * early). A wait ended otherwise (the client went away, the emulator closed) drops the request unanswered.
 */
async function delay(
  ctx: SandboxContext,
  req: HttpRequest,
  res: HttpResponse,
  latencyMs: number,
): Promise<void> {
  const wait = ctx.latencyWaits.until(ctx.clock.now() + latencyMs);
  res.once('close', wait.end);
  const reached = await wait.reached;
  res.off('close', wait.end);
  if (reached) failNow(ctx, req, res);
  else res.destroy();
}

/**
 * Applies the faults to every request, before the gate and the routes: the latency first, then the next injected
 * failure of that route, with an RFC 6749 body on `/oauth2/*` and a JSON:API body elsewhere.
 */
export function injectFaults(ctx: SandboxContext): Step {
  return (req: HttpRequest, res: HttpResponse): Promise<void> | undefined => {
    // On a busy machine a client may be gone before its request gets here: it must not use up a failure.
    if (res.closed || res.destroyed) {
      res.destroy();
      return undefined;
    }
    const { latencyMs } = ctx.faults;
    if (latencyMs > 0) return delay(ctx, req, res, latencyMs);
    failNow(ctx, req, res);
    return undefined;
  };
}

/** Answers with the next injected failure of this route, if one is queued. */
function failNow(ctx: SandboxContext, req: HttpRequest, res: HttpResponse): void {
  const failure = ctx.faults.failures.find(
    (f) => f.remaining > 0 && f.method === req.method && f.path === req.path,
  );
  if (!failure) return;
  failure.remaining -= 1;
  ctx.faults.failures = ctx.faults.failures.filter((f) => f.remaining > 0);
  if (failure.retryAfter !== undefined) res.setHeader('Retry-After', String(failure.retryAfter));
  const detail = `Failure injected by faults.failNext('${failure.method} ${failure.path}', ${failure.status}).`;
  if (req.path.startsWith('/oauth2/')) {
    sendJson(res, failure.status, { error: oauthCode(failure.status), error_description: detail });
    return;
  }
  apiError(res, failure.status, API_CODES[failure.status] ?? `http_${failure.status}`, detail);
}

function positiveWhole(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

/** The `faults` of a running emulator. `initialGate` is what {@link SandboxFaults.reset} restores. */
export function createFaults(ctx: SandboxContext, initialGate: GateMode): SandboxFaults {
  return {
    latency(ms: number) {
      assertFault(
        typeof ms === 'number' && Number.isFinite(ms) && ms >= 0,
        `faults.latency(ms) takes a finite number of milliseconds >= 0, not ${String(ms)}.`,
      );
      ctx.faults.latencyMs = ms;
    },
    failNext(route: string, status: number, o: SandboxFailNextOptions = {}) {
      const match = typeof route === 'string' ? /^([A-Za-z]+) (\/\S*)$/.exec(route) : null;
      assertFault(
        match !== null,
        `faults.failNext takes a route as 'METHOD /path' (e.g. 'GET /v2/organization', 'POST /oauth2/token'), not ${JSON.stringify(route)}.`,
      );
      assertFault(
        Number.isInteger(status) && status >= 400 && status <= 599,
        `faults.failNext takes an error status from 400 to 599, not ${String(status)}.`,
      );
      const count = o.count ?? 1;
      assertFault(
        Number.isSafeInteger(count) && count >= 1,
        `faults.failNext count must be a whole number >= 1, not ${String(count)}.`,
      );
      assertFault(
        o.retryAfter === undefined || (Number.isSafeInteger(o.retryAfter) && o.retryAfter >= 0),
        `faults.failNext retryAfter is a whole number of seconds >= 0, not ${String(o.retryAfter)}.`,
      );
      const [, method, path] = match as RegExpExecArray;
      const bare = (path as string).replace(/[?#].*/, '');
      assertFault(
        bare === path,
        `faults.failNext matches the path without a query string or fragment, as requests are routed: use '${method} ${bare}', not ${JSON.stringify(route)}.`,
      );
      const failure: InjectedFailure = {
        method: (method as string).toUpperCase(),
        path: path as string,
        status,
        remaining: count,
      };
      if (o.retryAfter !== undefined) failure.retryAfter = o.retryAfter;
      ctx.faults.failures.push(failure);
    },
    throttleUnauthorized(o: SandboxThrottleOptions = {}) {
      const after = o.after ?? 200;
      const windowMs = o.windowMs ?? 3_600_000;
      assertFault(
        positiveWhole(after),
        `faults.throttleUnauthorized after must be a whole number >= 1, not ${String(after)}.`,
      );
      assertFault(
        positiveWhole(windowMs),
        `faults.throttleUnauthorized windowMs must be a whole number of milliseconds >= 1, not ${String(windowMs)}.`,
      );
      ctx.faults.unauthorizedThrottle = { after, windowMs };
    },
    gate(next: GateMode) {
      assertFault(
        next === 'redirect' || next === 'html',
        `gate must be 'redirect' or 'html', not ${JSON.stringify(next)}.`,
      );
      ctx.gate = next;
    },
    reset() {
      Object.assign(ctx.faults, createFaultState());
      ctx.gate = initialGate;
    },
  };
}
