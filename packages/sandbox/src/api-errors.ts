import { send, sendJson } from './http/respond.js';
import type { HttpResponse } from './http/response.js';

/**
 * Every Business API error the emulator sends is built here, below the routes, the rate limit and the faults that
 * use it, so each one has Qonto's shape and its trace id.
 */

/** The API gateway's trace header (Qonto's gateway is Tyk: https://tyk.io/docs, `X-Tyk-Trace-Id`). */
export const TRACE_HEADER = 'X-Tyk-Trace-Id';

/** Where a JSON:API error points: a query parameter, a body member, or a header. */
export type ErrorSource = { parameter: string } | { pointer: string } | { header: string };

/** The trace id of the request being answered, set by the request log from the seeded generator. */
export function traceIdOf(res: HttpResponse): string {
  return res.locals.traceId ?? '';
}

/** Sets the gateway's trace header, as every answer that passes Qonto's API gateway carries it. */
export function setTraceHeader(res: HttpResponse): void {
  res.setHeader(TRACE_HEADER, traceIdOf(res));
}

/**
 * A JSON:API error answer, Qonto's error shape (https://docs.qonto.com/get-started/general/errors): one error
 * object with `code`, `detail` and, when something of the request is at fault, its `source`; `trace_id` beside
 * `errors` (the value of the trace header).
 */
export function apiError(
  res: HttpResponse,
  status: number,
  code: string,
  detail: string,
  source?: ErrorSource,
): void {
  setTraceHeader(res);
  const error = source === undefined ? { code, detail } : { code, detail, source };
  sendJson(res, status, { errors: [error], trace_id: traceIdOf(res) });
}

/** A 404 for an object that is not in the token's organization (or does not exist: Qonto does not tell them apart). */
export function notFoundInOrganization(res: HttpResponse, what: string, id: unknown): void {
  apiError(res, 404, 'not_found', `No ${what} with id ${JSON.stringify(id)} in this organization.`);
}

/** The detail Qonto gives for a token without the endpoint's scope (the text real clients match on). */
export const MISSING_SCOPE_DETAIL = 'missing required oauth scope';

/**
 * What the API gateway answers for a path it does not route: Go's plain-text `404 page not found`, with the trace
 * header, before any token is looked at.
 */
export function gatewayNotFound(res: HttpResponse): void {
  setTraceHeader(res);
  send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
}
