import { endpointScopes } from './endpoint-scopes.js';
import {
  QontoApiError,
  type QontoApiErrorObject,
  QontoMissingScopeError,
  QontoRateLimitError,
  QontoUnexpectedResponseError,
} from './errors.js';
import { parseRetryAfterMs } from './fetch.js';
import { explain } from './messages.js';
import { cut, redactDeep, redactSecrets } from './redact.js';
import {
  DEFAULT_MAX_API_RESPONSE_BYTES,
  describeBody,
  describeRedirect,
  discardBody,
  isRedirect,
  readBodyText,
} from './response-body.js';

const RATE_LIMIT_HINT =
  'Qonto allows 1,000 requests per 10 s and 10,000 per 10 min per IP address, and throttles clients that get many ' +
  '401s (https://docs.qonto.com/get-started/general/rate-limitations). The request was already retried: slow down ' +
  'and try again after retryAfterSeconds.';

const STATUS_HINTS: Record<number, string> = {
  400: 'Check the parameters named above against the endpoint documentation.',
  401:
    'The access token is expired, revoked or from the other environment. Refresh it (a QontoTokenManager as the ' +
    "API client's `tokens` does it for you) or, when it was revoked, have the user connect with Qonto again.",
  403:
    'The token lacks the scope this endpoint needs (membership.read for /v2/membership, organization.read for ' +
    'most reads and to revoke consent) or, in the user OAuth flow, X-Qonto-Organization-Id is missing. Request ' +
    'the scope and have the user consent again.',
  404: 'Usually a wrong path (/v2/organizations instead of /v2/organization) or an id from the other environment.',
  422: 'Check the parameters named above; past the last page, use meta.next_page instead of guessing page numbers.',
  428:
    'This operation needs Strong Customer Authentication: see ' +
    'https://docs.qonto.com/api-reference/business-api/authentication/sca/sca-flows.',
};

/**
 * Reads an answer of Qonto's Business API (`what` is e.g. `GET /v2/organization`): the parsed JSON of a 2xx
 * (`undefined` for an empty body), or a thrown error:
 * - a JSON:API error body (https://docs.qonto.com/get-started/general/errors) → {@link QontoApiError} with its
 *   `errors[]` and a hint per status; a 429 → {@link QontoRateLimitError} with `retryAfterSeconds`;
 * - a 3xx, or a body that is not JSON → {@link QontoUnexpectedResponseError} (the sandbox gate was already
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
  if (isRedirect(status)) {
    await discardBody(response);
    throw notJson(what, status, `(${describeRedirect(response, response.url, secrets)})`);
  }
  const text = await readBodyText(response, `Qonto API ${what}`, { maxBytes, option: 'maxResponseBytes' });
  const contentType = response.headers.get('content-type') ?? '';
  let body: unknown;
  if (text !== '' && /^application\/([\w.+-]*\+)?json/i.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      throw notJson(what, status, `with ${describeBody(response, text, secrets)} that is not valid JSON`);
    }
  } else if (status === 404 && /^text\/plain/i.test(contentType)) {
    throw new QontoApiError(
      `Qonto API ${what} answered 404 from its gateway: no such endpoint. ${STATUS_HINTS[404]}${traceNote(
        traceIdOf(undefined, response, secrets),
      )}`,
      { status, traceId: traceIdOf(undefined, response, secrets) },
    );
  } else if (text !== '' && status !== 429) {
    throw notJson(what, status, `with ${describeBody(response, text, secrets)}`);
  }
  if (status < 300) return body;

  const errors = parseErrors(body, secrets);
  const traceId = traceIdOf(body, response, secrets);
  // The server's details often end with a period: drop it so the message reads as one sentence.
  const summary =
    errors.length === 0 ? '' : `: ${errors.slice(0, 3).map(describeError).join('; ')}`.replace(/\.+$/, '');
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    throw new QontoRateLimitError(
      `Qonto API ${what} answered 429 Too Many Requests${summary}. ${RATE_LIMIT_HINT}${traceNote(traceId)}`,
      {
        errors,
        traceId,
        retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      },
    );
  }
  const hint =
    status === 401 && refreshed
      ? 'The token was refreshed and Qonto still refused it: the consent was probably revoked; have the user connect again.'
      : (STATUS_HINTS[status] ?? (status >= 500 ? 'Qonto had a server error; try again later.' : ''));
  if (status === 403 && errors.some((e) => /missing required oauth scope/i.test(String(e.detail ?? '')))) {
    const [method = 'GET', path = ''] = what.split(' ');
    const requiredScopes = endpointScopes(method, path);
    const needed =
      requiredScopes.length === 0
        ? "the scope this endpoint needs (its page in Qonto's API reference names it)"
        : requiredScopes.join(' or ');
    throw new QontoMissingScopeError(
      `Qonto API ${what} answered 403${summary}: the access token was not granted ${needed}. Fix: add ` +
        `${requiredScopes.length === 0 ? 'it' : requiredScopes[0]} to the scopes you request and have the user ` +
        `connect with Qonto again (a refresh keeps the old scopes).${traceNote(traceId)}`,
      { errors, traceId, requiredScopes },
    );
  }
  throw new QontoApiError(
    `Qonto API ${what} answered ${status}${summary}. ${hint}`.trim() + traceNote(traceId),
    {
      status,
      errors,
      traceId,
    },
  );
}

/**
 * Qonto's id of the request: the JSON:API body's `trace_id`, else the gateway's `X-Tyk-Trace-Id` header;
 * scrubbed, and only when it looks like an id.
 */
function traceIdOf(body: unknown, response: Response, secrets: (string | undefined)[]): string | undefined {
  const fromBody = (body as { trace_id?: unknown } | undefined)?.trace_id;
  const raw =
    typeof fromBody === 'string' && fromBody !== '' ? fromBody : response.headers.get('x-tyk-trace-id');
  if (raw === null || raw === undefined) return undefined;
  const id = redactSecrets(raw, secrets);
  return /^[\w.:-]{1,128}$/.test(id) ? id : undefined;
}

/** The trace id for the message, which people paste into a support ticket. */
function traceNote(traceId: string | undefined): string {
  return traceId === undefined ? '' : ` (Qonto trace id ${traceId}: quote it to Qonto's support.)`;
}

/** The Business API neither redirects nor answers anything but JSON: such an answer came from elsewhere. */
function notJson(what: string, status: number, detail: string): QontoUnexpectedResponseError {
  return new QontoUnexpectedResponseError(
    explain(
      `Qonto API ${what} answered ${status} ${detail} instead of JSON`,
      '`environment` (its apiBaseUrl) points at the wrong host, or something between you and Qonto (a proxy, a ' +
        'captive portal) answered',
      "check the environment's endpoints and any proxy.",
    ),
    { status },
  );
}

/** The most JSON:API error objects kept on a {@link QontoApiError}. */
const MAX_ERRORS = 20;

/** JSON:API `errors[]` (the first {@link MAX_ERRORS}), every string and key scrubbed of the request's secrets. */
function parseErrors(body: unknown, secrets: (string | undefined)[]): QontoApiErrorObject[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && !Array.isArray(e))
    .slice(0, MAX_ERRORS)
    .map((e) => redactDeep(e, secrets) as QontoApiErrorObject);
}

function describeError(e: QontoApiErrorObject): string {
  const text = (value: unknown, max: number) =>
    typeof value === 'string' && value !== '' ? cut(value.replace(/\s+/g, ' '), max) : undefined;
  const source = e.source as Record<string, unknown> | undefined;
  const where = text(source?.parameter, 80) ?? text(source?.pointer, 80);
  const said = [text(e.code, 60), text(e.detail, 200) ?? text(e.title, 200)].filter(Boolean).join(': ');
  return `${said || 'error'}${where === undefined ? '' : ` (${where})`}`;
}
