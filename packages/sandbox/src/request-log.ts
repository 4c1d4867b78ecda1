import type { SandboxContext } from './context.js';
import type { HttpRequest } from './http/request.js';
import type { HttpResponse } from './http/response.js';
import type { Step } from './http/router.js';
import { REQUEST_LOG_SIZE } from './limits.js';
import { classifyStagingToken } from './staging-gate.js';
import type { SandboxRequest } from './types.js';

/** The current request's record, for the routes that learn more about it (the token endpoint's client auth). */
export function requestRecord(res: HttpResponse): SandboxRequest | undefined {
  return res.locals.record;
}

/** A `SandboxRequest[]` with `clear()`; {@link recordRequests} keeps it to the last {@link REQUEST_LOG_SIZE}. */
export function createRequestList(): SandboxRequest[] & { clear(): void } {
  const list = [] as unknown as SandboxRequest[] & { clear(): void };
  Object.defineProperty(list, 'clear', {
    value: () => {
      list.length = 0;
    },
    enumerable: false,
  });
  return list;
}

/**
 * Records every request without any secret value (path without query, header names without values), the last
 * {@link REQUEST_LOG_SIZE} only (a ring), and, when a `log` callback is set, writes one line per answered request.
 */
export function recordRequests(ctx: SandboxContext): Step {
  return (req: HttpRequest, res: HttpResponse): void => {
    const started = performance.now();
    const headerNames = req.rawHeaders.filter((_, i) => i % 2 === 0);
    const record: SandboxRequest = {
      at: ctx.clock.now(),
      method: req.method ?? 'GET',
      path: req.path,
      headerNames,
      stagingToken: classifyStagingToken(req.rawHeaders, ctx.stagingToken),
      clientAuth: 'none',
    };
    ctx.requests.push(record);
    while (ctx.requests.length > REQUEST_LOG_SIZE) ctx.requests.shift();
    res.locals.record = record;
    res.locals.traceId = ctx.traceIds.hex(32);
    if (ctx.log) {
      const log = ctx.log;
      res.on('finish', () => {
        const ms = Math.round(performance.now() - started);
        const auth = record.clientAuth === 'none' ? '' : ` client-auth=${record.clientAuth}`;
        log(
          `${record.method} ${record.path} -> ${res.statusCode} (${ms} ms) staging-token=${record.stagingToken}${auth}`,
        );
      });
    }
  };
}
