import { type QontoEnvironment, resolveEndpoints, stagingTokenOrigins } from './environments.js';
import { QontoConfigError, QontoNetworkError, QontoStagingGateError, QontoTimeoutError } from './errors.js';
import { HEADER_TOKEN_CHARS } from './header-token.js';
import { explain, SANDBOX_CREDENTIALS, SANDBOX_DOC } from './messages.js';
import { discardBody, isRedirect, redirectHost } from './response-body.js';

/**
 * The sandbox header, in the exact casing Qonto documents: "Lowercase or mixed variants may not be normalized by
 * every layer in the chain" (https://docs.qonto.com/get-started/general/sandbox-access).
 */
export const STAGING_TOKEN_HEADER = 'X-Qonto-Staging-Token';

/** Retry policy of {@link createQontoFetch} for idempotent requests (GET, HEAD, OPTIONS, DELETE). */
export interface QontoRetryOptions {
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /**
   * Longest wait between two attempts (default 30_000 ms). An answer whose `Retry-After` asks for longer is returned
   * as is, with its `Retry-After`, rather than retried too soon.
   */
  maxDelayMs?: number;
}

/** Options of {@link createQontoFetch}. */
export interface QontoFetchOptions {
  /** `'sandbox'`, `'production'` or custom endpoints (a local emulator). */
  environment: QontoEnvironment;
  /** Required when the environment requires it (the sandbox), refused otherwise. Developer Portal > your app. */
  stagingToken?: string | undefined;
  /** The fetch to wrap (default `globalThis.fetch`, looked up at each call). */
  fetch?: typeof fetch | undefined;
  /** Time allowed for one attempt, body included (default 30_000 ms). */
  timeoutMs?: number | undefined;
  /** Retry policy for idempotent requests, or `false` for none. */
  retry?: QontoRetryOptions | false | undefined;
}

/** How the wrapper waits and draws jitter; replaced in tests so none of them waits for real. */
export interface QontoFetchHooks {
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
  random(): number;
  now(): number;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);
const BASE_DELAY_MS = 250;

const defaultHooks: QontoFetchHooks = { sleep, random: Math.random, now: Date.now };

/**
 * A `fetch` for Qonto: give it to anything that takes a custom fetch (an OAuth library, an HTTP client).
 *
 * - Adds `X-Qonto-Staging-Token` (exact casing, replacing any variant the caller passed) to every request to the
 *   token endpoint's or the API's origin when the environment requires it (the sandbox), and removes it from
 *   requests to every other origin, the authorization URL's included (only browsers visit it), so the token never
 *   leaks elsewhere.
 * - Sends `redirect: 'manual'`, so the header never follows a redirect: a `fetch` you pass in must honour it. From a
 *   sandbox origin, any 3xx or `text/html` answer below 500 is the sandbox's sign-in gate and throws
 *   {@link QontoStagingGateError} (its status and the redirect's host, scrubbed of what the request carried).
 *   Answers from other origins pass through untouched.
 * - Each attempt gets `timeoutMs` (body included) -> {@link QontoTimeoutError}; the caller's `signal` still aborts
 *   with its own reason (an `AbortError`).
 * - Retries GET/HEAD/OPTIONS/DELETE on 429, 5xx and network failures with capped exponential backoff and jitter,
 *   honouring `Retry-After` (an answer asking for more than `maxDelayMs` is returned at once; Qonto's limits:
 *   https://docs.qonto.com/get-started/general/rate-limitations).
 *   Never retries POST (the token endpoint's codes are single-use). The last 429/5xx answer is returned as is.
 * - A failure with no HTTP answer -> {@link QontoNetworkError}.
 *
 * Throws {@link QontoConfigError} at creation for a sandbox without a staging token, or a staging token with an
 * environment that does not take one (Qonto's production rejects it).
 *
 * @example
 * const qontoFetch = createQontoFetch({ environment: 'sandbox', stagingToken: process.env.QONTO_STAGING_TOKEN });
 * const res = await qontoFetch('https://thirdparty-sandbox.staging.qonto.co/v2/organization', { headers });
 */
export function createQontoFetch(o: QontoFetchOptions): typeof fetch {
  return createQontoFetchWith(o, defaultHooks);
}

/** {@link createQontoFetch} with its clock, sleep and jitter replaced (tests). */
export function createQontoFetchWith(o: QontoFetchOptions, hooks: QontoFetchHooks): typeof fetch {
  if (o === null || typeof o !== 'object') {
    throw new QontoConfigError('createQontoFetch needs options: { environment, stagingToken? }.');
  }
  const endpoints = resolveEndpoints(o.environment);
  const origins = stagingTokenOrigins(endpoints);
  const stagingToken = checkStagingToken(endpoints.requiresStagingToken, o.stagingToken);
  const timeoutMs = checkNumber(o.timeoutMs, 30_000, 'timeoutMs', 1);
  const retry = o.retry === false ? { retries: 0, maxDelayMs: 0 } : o.retry;
  const retries = checkNumber(retry?.retries, 2, 'retry.retries', 0);
  const maxDelayMs = checkNumber(retry?.maxDelayMs, 30_000, 'retry.maxDelayMs', 0);
  if (o.fetch !== undefined && typeof o.fetch !== 'function') {
    throw new QontoConfigError('fetch must be a function compatible with the global fetch.');
  }
  const baseFetch = o.fetch;

  /** Whether `href` gets the token: its origin, then its end or `/`, `?`, `#`; the URL parser for other spellings. */
  const isGated = (href: string): boolean => {
    for (const origin of origins) {
      const next = href.startsWith(origin) ? href.charAt(origin.length) : '-';
      if (next === '' || next === '/' || next === '?' || next === '#') return true;
    }
    return URL.canParse(href) && origins.includes(new URL(href).origin);
  };

  const qontoFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = isRequest(input) ? input : undefined;
    const href = request ? request.url : String(input);
    const given = init?.method ?? request?.method;
    const method = (given ?? 'GET').toUpperCase();
    const gated = stagingToken !== undefined && isGated(href);
    const headers = withStagingHeader(init?.headers ?? request?.headers, gated ? stagingToken : undefined);
    const callerSignal = init?.signal ?? request?.signal ?? undefined;
    const attempts = IDEMPOTENT_METHODS.has(method) ? retries + 1 : 1;

    for (let attempt = 1; ; attempt++) {
      // undici can abort a request only through the signal it was given (it follows init.signal; the Request's own
      // controller is private), and cancelling the body works only once headers came. A timeout raced without a
      // signal would leave the socket open, so every attempt carries one (bench/run.mjs measures what it costs).
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(timeoutError(describeRequest(method, href), timeoutMs)),
        timeoutMs,
      );
      // The timer also bounds the body read after we return; unref it so it never keeps a process alive.
      timer.unref?.();
      const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
      let response: Response;
      try {
        const options: RequestInit = { ...init, headers, redirect: 'manual', signal };
        // Only a method written in another case is passed again: fetch validates any method it is given.
        if (given !== undefined && given !== method) options.method = method;
        response = await (baseFetch ?? globalThis.fetch)(request ? request.clone() : input, options);
      } catch (error) {
        clearTimeout(timer);
        if (callerSignal?.aborted) throw callerSignal.reason ?? error;
        if (controller.signal.aborted) throw controller.signal.reason;
        // An unparseable URL is the caller's mistake, not the network's: fetch's own TypeError says so.
        if (!URL.canParse(href)) throw error;
        const networkError = toNetworkError(error, describeRequest(method, href));
        if (networkError === undefined) throw error;
        if (attempt >= attempts) throw networkError;
        await hooks.sleep(backoffMs(attempt, maxDelayMs, hooks.random), callerSignal);
        continue;
      }
      const gate = gated ? stagingGateAnswer(response) : undefined;
      if (gate !== undefined) {
        await discardBody(response);
        throw stagingGateError(response, gate, href, method, sentSecrets(headers, init?.body));
      }
      if (attempt >= attempts || (response.status !== 429 && response.status < 500)) return response;
      const retryAfter = parseRetryAfterMs(response.headers.get('retry-after'), hooks.now());
      // Asked to wait longer than the policy allows: a sooner retry would only be refused again.
      if (retryAfter !== undefined && retryAfter > maxDelayMs) return response;
      clearTimeout(timer);
      await discardBody(response);
      await hooks.sleep(retryAfter ?? backoffMs(attempt, maxDelayMs, hooks.random), callerSignal);
    }
  };
  return qontoFetch as typeof fetch;
}

/**
 * Milliseconds a `Retry-After` header asks to wait (delay-seconds or HTTP-date), or `undefined` when absent or
 * unreadable. Qonto does not document the header on 429s; honour it when present.
 */
export function parseRetryAfterMs(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The staging token to send, once checked against what the environment needs. */
function checkStagingToken(required: boolean, token: string | undefined): string | undefined {
  const given = token !== undefined && token !== '';
  if (required && !given) {
    throw new QontoConfigError(
      explain(
        'The Qonto sandbox needs a staging token on every request (X-Qonto-Staging-Token), and none was given',
        'QONTO_STAGING_TOKEN is unset, or these are production credentials',
        `pass stagingToken (QONTO_STAGING_TOKEN) from ${SANDBOX_CREDENTIALS}, or use environment 'production'. ` +
          `See ${SANDBOX_DOC}`,
      ),
    );
  }
  if (!required && given) {
    throw new QontoConfigError(
      "A staging token was given, but the environment does not take one: Qonto's production rejects the " +
        "X-Qonto-Staging-Token header. Fix: remove stagingToken (QONTO_STAGING_TOKEN), or use environment 'sandbox'.",
    );
  }
  if (given && (typeof token !== 'string' || !HEADER_TOKEN_CHARS.test(token))) {
    throw new QontoConfigError(
      'stagingToken is malformed (printable ASCII only, no spaces or line breaks). Fix: copy it again from ' +
        `${SANDBOX_CREDENTIALS}.`,
    );
  }
  return given ? token : undefined;
}

function checkNumber(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new QontoConfigError(`${name} must be a number of at least ${min} (default ${fallback}).`);
  }
  return value;
}

function isRequest(input: unknown): input is Request {
  return typeof input === 'object' && input !== null && !(input instanceof URL) && 'url' in input;
}

function timeoutError(where: string, timeoutMs: number): QontoTimeoutError {
  return new QontoTimeoutError(
    explain(
      `No answer to ${where} within ${timeoutMs} ms`,
      'a slow or stuck server or network',
      'retry later, or raise timeoutMs.',
    ),
    { timeoutMs },
  );
}

/** fetch rejects with a TypeError carrying a `cause` when no HTTP answer came; anything else is not ours. */
function toNetworkError(error: unknown, where: string): QontoNetworkError | undefined {
  if (!(error instanceof TypeError) || error.cause === undefined) return undefined;
  let inner: unknown = error.cause;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' ? code : 'connection failed';
  // Keep only a Node system error (e.g. "connect ECONNREFUSED 127.0.0.1:4010") as cause: it names no secret.
  const isSystemError =
    inner instanceof Error && typeof (inner as { syscall?: unknown }).syscall === 'string';
  return new QontoNetworkError(
    explain(
      `No HTTP answer to ${where} (${reason})`,
      'the host is down or unreachable (DNS, firewall, proxy), or the URL is wrong',
      'check the endpoints and the network, then retry.',
    ),
    isSystemError ? { cause: inner } : undefined,
  );
}

/** Capped exponential backoff with "equal jitter": half fixed, half random, so clients spread out. */
function backoffMs(attempt: number, maxDelayMs: number, random: () => number): number {
  const exp = Math.min(maxDelayMs, BASE_DELAY_MS * 2 ** (attempt - 1));
  return exp / 2 + random() * (exp / 2);
}

/**
 * The caller's headers without any variant of the staging header, plus `token` in its exact casing when given. A
 * plain record is passed on as is when there is nothing to change, else copied (cheaper than a `Headers`, and it
 * keeps the caller's casing); a `Headers` or pairs are copied into a `Headers`.
 */
function withStagingHeader(
  headers: RequestInit['headers'],
  token: string | undefined,
): RequestInit['headers'] {
  if (headers === undefined || headers === null) {
    return token === undefined ? undefined : { [STAGING_TOKEN_HEADER]: token };
  }
  if (typeof headers === 'object' && !(Symbol.iterator in headers)) {
    let record = headers as Record<string, string>;
    for (const name of Object.keys(record)) {
      if (name.length === STAGING_TOKEN_HEADER.length && name.toLowerCase() === 'x-qonto-staging-token') {
        if (record === headers) record = { ...record };
        delete record[name];
      }
    }
    return token === undefined ? record : { ...record, [STAGING_TOKEN_HEADER]: token };
  }
  const copy = new Headers(headers);
  copy.delete(STAGING_TOKEN_HEADER);
  if (token !== undefined) copy.set(STAGING_TOKEN_HEADER, token);
  return copy;
}

/** "GET https://host/path": what an error says of a request, never its query (it may carry anything). */
function describeRequest(method: string, href: string): string {
  const url = new URL(href);
  return `${method} ${url.origin}${url.pathname}`;
}

/**
 * How the sandbox answers a request without a valid staging token, instead of JSON: a 302 to OneLogin or the
 * developer portal, or an HTML page with status 200 (https://docs.qonto.com/get-started/general/sandbox-access).
 * An HTML page with a 5xx status is an outage page (a proxy's, a load balancer's), not the gate: it is answered as
 * any other 5xx (retried when idempotent, then returned).
 */
function stagingGateAnswer(response: Response): 'redirect' | 'html' | undefined {
  if (isRedirect(response.status) || response.type === 'opaqueredirect') return 'redirect';
  if (response.status >= 500) return undefined;
  return /\btext\/html\b/i.test(response.headers.get('content-type') ?? '') ? 'html' : undefined;
}

/** The gate's answer explained by its status and the redirect's host: nothing else of the answer is shown. */
function stagingGateError(
  response: Response,
  gate: 'redirect' | 'html',
  href: string,
  method: string,
  secrets: string[],
): QontoStagingGateError {
  const { status } = response;
  const locationHost = gate === 'redirect' ? redirectHost(response, href, secrets) : undefined;
  const what =
    gate === 'html'
      ? `${status} with an HTML page`
      : `${status} redirecting${locationHost ? ` to ${locationHost}` : ''}`;
  return new QontoStagingGateError(
    explain(
      `The sandbox's sign-in gate answered ${describeRequest(method, href)} with ${what} instead of JSON`,
      `a wrong, revoked or other app's ${STAGING_TOKEN_HEADER}, or production credentials`,
      `copy the staging token from ${SANDBOX_CREDENTIALS} into stagingToken (QONTO_STAGING_TOKEN), with the ` +
        `app's sandbox client id and secret. See ${SANDBOX_DOC}`,
    ),
    { status, locationHost },
  );
}

/**
 * What a request carried that a server could echo: the staging token, the `Authorization` credentials, and every
 * value of a form body (the client secret, a code, a verifier, a refresh token).
 */
function sentSecrets(init: RequestInit['headers'], body: RequestInit['body'] | undefined): string[] {
  const headers = new Headers(init);
  const secrets: string[] = [];
  const staging = headers.get(STAGING_TOKEN_HEADER);
  if (staging) secrets.push(staging);
  const authorization = headers.get('authorization');
  if (authorization) secrets.push(authorization, authorization.replace(/^\S+\s+/, ''));
  const form =
    body instanceof URLSearchParams
      ? body
      : typeof body === 'string' && /^[^{[\s]/.test(body)
        ? new URLSearchParams(body)
        : undefined;
  if (form !== undefined) for (const value of form.values()) secrets.push(value);
  return secrets;
}

/** Waits `ms`, rejecting with the signal's reason if it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
