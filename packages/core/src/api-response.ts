import { endpointScopes } from './endpoint-scopes.js';
import {
  QontoApiError,
  type QontoApiErrorObject,
  QontoMissingScopeError,
  QontoRateLimitError,
  QontoUnexpectedResponseError,
} from './errors.js';
import { parseRetryAfterMs } from './fetch.js';
import { notQontoCause, RECONNECT } from './messages.js';
import { cut, redactDeep, redactSecrets } from './redact.js';
import {
  DEFAULT_MAX_API_RESPONSE_BYTES,
  describeBody,
  describeRedirect,
  discardBody,
  isRedirect,
  readBodyText,
} from './response-body.js';

const PARAMETERS = 'Fix the parameters named above';

/** The likely cause and fix of an error status (a 403's names the endpoint's scopes, so it is written below). */
// A function, not a module-level table: its template strings would keep it in bundles that never read an API answer.
function statusHint(status: number): string | undefined {
  const hints: Record<number, string> = {
    400: PARAMETERS,
    401: `The token is expired, revoked or from the other environment: refresh it (a QontoTokenManager as tokens does) or ${RECONNECT}`,
    404: 'No such endpoint or object: check the path, and that the id is from this environment',
    422: `${PARAMETERS}; past the last page, follow meta.next_page`,
    428: 'It needs Strong Customer Authentication: see SCA in the API reference',
  };
  return hints[status];
}

/**
 * Reads an answer of Qonto's Business API (`what` is e.g. `GET /v2/organization`): the parsed JSON of a 2xx
 * (`undefined` for an empty body), or a thrown error:
 * - a JSON:API error body (https://docs.qonto.com/get-started/general/errors), or the gateway's plain-text 404 ->
 *   {@link QontoApiError} with its `errors[]` and a hint per status; a 429 -> {@link QontoRateLimitError} with
 *   `retryAfterSeconds`; a 403 for a missing scope -> {@link QontoMissingScopeError} with `requiredScopes`;
 * - a 3xx, or a body that is not JSON -> {@link QontoUnexpectedResponseError} (the sandbox gate was already
 *   reported by the fetch wrapper).
 *
 * Server text is scrubbed of `secrets` before it reaches an error; a body that is not JSON is described by its
 * type and size only. `refreshed` says the token was already refreshed once for this request, which changes what a
 * 401 means. A body over `maxBytes` is refused while it streams ({@link QontoUnexpectedResponseError}).
 */
export async function readApiResponse(
  response: Response,
  what: string,
  secrets: (string | undefined)[],
  refreshed = false,
  maxBytes = DEFAULT_MAX_API_RESPONSE_BYTES,
): Promise<unknown> {
  const { status } = response;
  const notJson = (detail: string) =>
    new QontoUnexpectedResponseError(
      `Qonto API ${what} answered ${status} ${detail} instead of JSON. ${notQontoCause(status)}`,
      {
        status,
      },
    );
  if (isRedirect(status)) {
    await discardBody(response);
    throw notJson(`(${describeRedirect(response, response.url, secrets)})`);
  }
  const text = await readBodyText(response, `Qonto API ${what}`, { maxBytes, option: 'maxResponseBytes' });
  const contentType = response.headers.get('content-type') ?? '';
  let body: unknown;
  if (text !== '' && /^application\/([\w.+-]*\+)?json/i.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      throw notJson(`with ${describeBody(response, text, secrets)} that is not valid JSON`);
    }
  } else if (text !== '' && status !== 429 && !(status === 404 && /^text\/plain/i.test(contentType))) {
    // Only the gateway's "no such endpoint" 404 and a throttling 429 may come as text.
    throw notJson(`with ${describeBody(response, text, secrets)}`);
  }
  if (status < 300) return body;

  const errors = parseErrors(body, secrets);
  // The trace id people quote to Qonto's support: the body's, else the gateway's header; only when it looks like one.
  const fromBody = (body as { trace_id?: unknown } | undefined)?.trace_id;
  const rawTraceId =
    typeof fromBody === 'string' && fromBody ? fromBody : response.headers.get('x-tyk-trace-id');
  const scrubbed = rawTraceId ? redactSecrets(rawTraceId, secrets) : '';
  const traceId = /^[\w.:-]{1,128}$/.test(scrubbed) ? scrubbed : undefined;
  const o = { status, errors, traceId };
  // The server's details often end with a period: dropped, so the message reads as one sentence.
  const message = `Qonto API ${what} answered ${status}${
    errors.length === 0 ? '' : `: ${errors.slice(0, 3).map(describeError).join('; ')}`.replace(/\.+$/, '')
  }`;
  const trace = traceId === undefined ? '' : ` (trace id ${traceId} for Qonto's support)`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    throw new QontoRateLimitError(
      `${message}. Qonto throttles over 1,000 requests per 10 s per IP, and clients with many 401s. Fix: slow ` +
        `down; retry after retryAfterSeconds.${trace}`,
      {
        ...o,
        retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      },
    );
  }
  let hint = statusHint(status) ?? (status >= 500 ? 'Qonto had a server error: try again later' : '');
  if (status === 401 && refreshed) {
    hint = `The token was refreshed and still refused: the consent was probably revoked; ${RECONNECT}`;
  }
  if (status === 403) {
    const [method = '', path = ''] = what.split(' ');
    const requiredScopes = endpointScopes(method, path);
    const needed = requiredScopes.join(' or ') || "the endpoint's scope";
    if (errors.some((e) => /missing required oauth scope/i.test(String(e.detail)))) {
      throw new QontoMissingScopeError(
        `${message}: the token was not granted ${needed}. Fix: request it and ${RECONNECT} (a refresh keeps the old scopes).${trace}`,
        { ...o, requiredScopes },
      );
    }
    hint = `The token lacks ${needed}, or (user OAuth flow) X-Qonto-Organization-Id is missing: request the scope and ${RECONNECT}`;
  }
  throw new QontoApiError(`${message}.${hint && ` ${hint}.`}${trace}`, o);
}

/** JSON:API `errors[]` (the first 20), every string and key scrubbed of the request's secrets. */
function parseErrors(body: unknown, secrets: (string | undefined)[]): QontoApiErrorObject[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && !Array.isArray(e))
    .slice(0, 20)
    .map((e) => redactDeep(e, secrets) as QontoApiErrorObject);
}

function describeError(e: QontoApiErrorObject): string {
  const text = (value: unknown, max: number) =>
    typeof value === 'string' && value !== '' ? cut(value.replace(/\s+/g, ' '), max) : undefined;
  const where = text(e.source?.parameter, 80) ?? text(e.source?.pointer, 80);
  const said = [text(e.code, 60), text(e.detail, 200) ?? text(e.title, 200)].filter(Boolean).join(': ');
  return `${said || 'error'}${where === undefined ? '' : ` (${where})`}`;
}
