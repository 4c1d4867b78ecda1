/**
 * Every error core throws is a {@link QontoError} with a stable `code`. Recognise them with {@link isQontoError}
 * (works across the ESM and CJS builds and across two installed copies) or `error.code`, rather than
 * `instanceof` alone.
 *
 * Messages never contain a secret (client secret, staging token, code, code verifier, tokens): server-supplied
 * text is scrubbed before it reaches an error, and no request, response or body is kept on the error.
 */

const BRAND = Symbol.for('@qonto-oauth/core.QontoError');

/** The stable codes of {@link QontoError} subclasses. */
export type QontoErrorCode =
  | 'config'
  | 'staging_gate'
  | 'oauth'
  | 'api'
  | 'missing_scope'
  | 'rate_limited'
  | 'network'
  | 'timeout'
  | 'unexpected_response'
  | 'token_store'
  | 'webhook_signature';

/** Base class of every error thrown by `@qonto-oauth/*`. */
export class QontoError extends Error {
  declare readonly code: QontoErrorCode;

  constructor(code: QontoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Each subclass names itself with a literal too: a minifying bundler (Next.js's production build, for one)
    // renames classes, and an error logged as `p: ...` helps nobody.
    this.name = 'QontoError';
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'cause' && value !== undefined) json[key] = value;
    }
    return json;
  }
}

/** True for any error thrown by `@qonto-oauth/*`, whichever build or copy threw it. */
export function isQontoError(error: unknown): error is QontoError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * The configuration cannot work: a missing or malformed option, a sandbox without a staging token, a staging token
 * with production. Thrown at construction, before any request.
 */
export class QontoConfigError extends QontoError {
  override name = 'QontoConfigError';

  constructor(message: string) {
    super('config', message);
  }
}

/**
 * Qonto's sandbox answered with its sign-in gate (a 3xx to OneLogin or the developer portal, or an HTML page)
 * instead of JSON: the request carried no valid `X-Qonto-Staging-Token`, or the credentials belong to the other
 * environment. See https://docs.qonto.com/get-started/general/sandbox-access.
 */
export class QontoStagingGateError extends QontoError {
  override name = 'QontoStagingGateError';

  /** HTTP status of the gate's answer (302, 200, ...). */
  declare readonly status: number;
  /** Host of the `Location` header, scrubbed of secrets, when the gate redirected and it is a plain host name. */
  declare readonly locationHost: string | undefined;

  constructor(message: string, o: { status: number; locationHost?: string | undefined }) {
    super('staging_gate', message);
    this.status = o.status;
    this.locationHost = o.locationHost;
  }
}

/**
 * The OAuth server answered with an RFC 6749 error body (`invalid_grant`, `invalid_client`, ...), or the user
 * denied consent (`access_denied`).
 */
export class QontoOAuthError extends QontoError {
  override name = 'QontoOAuthError';

  /** RFC 6749 `error`, e.g. `invalid_grant`. */
  declare readonly error: string;
  /** RFC 6749 `error_description`, scrubbed of secrets. */
  declare readonly errorDescription: string | undefined;
  /** What to check, when the error has a usual cause (e.g. `invalid_client`: credentials of the other environment). */
  declare readonly hint: string | undefined;
  /** True when the user must go through the authorization flow again (e.g. `invalid_grant` on refresh). */
  declare readonly reconnectRequired: boolean;
  /** HTTP status of the answer, when it came from the token endpoint. */
  declare readonly status: number | undefined;

  constructor(
    message: string,
    o: {
      error: string;
      errorDescription?: string | undefined;
      hint?: string | undefined;
      reconnectRequired?: boolean;
      status?: number | undefined;
    },
  ) {
    super('oauth', message);
    this.error = o.error;
    this.errorDescription = o.errorDescription;
    this.hint = o.hint;
    this.reconnectRequired = o.reconnectRequired ?? false;
    this.status = o.status;
  }
}

/** One JSON:API error object, as Qonto's Business API returns them. */
export interface QontoApiErrorObject {
  code?: string;
  detail?: string;
  title?: string;
  source?: { parameter?: string; pointer?: string };
  [key: string]: unknown;
}

/** The Business API answered with an error status (JSON:API error body parsed into `errors`). */
export class QontoApiError extends QontoError {
  override name = 'QontoApiError';

  declare readonly status: number;
  declare readonly errors: QontoApiErrorObject[];
  /**
   * Qonto's id of the failed request (the body's `trace_id`, else the gateway's `X-Tyk-Trace-Id` header): quote it
   * to Qonto's support.
   */
  declare readonly traceId: string | undefined;

  constructor(
    message: string,
    o: { status: number; errors?: QontoApiErrorObject[]; traceId?: string | undefined },
    code: 'api' | 'missing_scope' | 'rate_limited' = 'api',
  ) {
    super(code, message);
    this.status = o.status;
    this.errors = o.errors ?? [];
    this.traceId = o.traceId;
  }
}

/**
 * A 403 because the access token was not granted the scope the endpoint needs (Qonto's "missing required oauth
 * scope"). Request one of `requiredScopes` and have the user connect with Qonto again: a refresh keeps the scopes.
 */
export class QontoMissingScopeError extends QontoApiError {
  override name = 'QontoMissingScopeError';

  /** The scopes of which the endpoint needs one (from Qonto's API reference); empty when core does not know it. */
  declare readonly requiredScopes: readonly string[];

  constructor(
    message: string,
    o: { errors?: QontoApiErrorObject[]; traceId?: string | undefined; requiredScopes: readonly string[] },
  ) {
    super(message, { ...o, status: 403 }, 'missing_scope');
    this.requiredScopes = Object.freeze([...o.requiredScopes]);
  }
}

/** HTTP 429 that outlived the retries. Qonto allows 1,000 requests per 10 s per IP. */
export class QontoRateLimitError extends QontoApiError {
  override name = 'QontoRateLimitError';

  /** Seconds the server asked to wait (`Retry-After`), when it said. */
  declare readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    o: {
      errors?: QontoApiErrorObject[];
      retryAfterSeconds?: number | undefined;
      traceId?: string | undefined;
    },
  ) {
    super(message, { ...o, status: 429 }, 'rate_limited');
    this.retryAfterSeconds = o.retryAfterSeconds;
  }
}

/** The request never got an HTTP answer (DNS, connection refused, reset, TLS). */
export class QontoNetworkError extends QontoError {
  override name = 'QontoNetworkError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('network', message, options);
  }
}

/** No answer within `timeoutMs`. */
export class QontoTimeoutError extends QontoError {
  override name = 'QontoTimeoutError';

  declare readonly timeoutMs: number;

  constructor(message: string, o: { timeoutMs: number }) {
    super('timeout', message);
    this.timeoutMs = o.timeoutMs;
  }
}

/** An answer that is not what Qonto documents: not JSON, a redirect from production, a token response without `access_token`. */
export class QontoUnexpectedResponseError extends QontoError {
  override name = 'QontoUnexpectedResponseError';

  declare readonly status: number | undefined;

  constructor(message: string, o: { status?: number | undefined } = {}) {
    super('unexpected_response', message);
    this.status = o.status;
  }
}

/**
 * The token store could not serve a connection's tokens: the store is unreachable (`reconnectRequired: false`; the
 * stored tokens are untouched, retry once it is back), or the connection's tokens are gone from it, flushed or
 * evicted (`reconnectRequired: true`: send the user through the authorization flow again). Thrown by stores that
 * share tokens between processes, such as `@qonto-oauth/redis`; the message names the store and the connection
 * key, never a token.
 */
export class QontoTokenStoreError extends QontoError {
  override name = 'QontoTokenStoreError';

  /** The connection's key in the store, when the failure concerns one connection. */
  declare readonly key: string | undefined;
  /** True when the connection's tokens are gone and the user must connect with Qonto again. */
  declare readonly reconnectRequired: boolean;

  constructor(message: string, o: { key?: string | undefined; reconnectRequired?: boolean } = {}) {
    // No `cause`: a store client's error can carry the command it sent, tokens included.
    super('token_store', message);
    this.key = o.key;
    this.reconnectRequired = o.reconnectRequired ?? false;
  }
}

/**
 * A webhook delivery whose `X-Qonto-Signature` is missing, malformed, older than the tolerance, or does not match
 * the body under the subscription's secret: answer it 400 and do not act on it. The message never holds the secret.
 */
export class QontoWebhookSignatureError extends QontoError {
  override name = 'QontoWebhookSignatureError';

  constructor(message: string) {
    super('webhook_signature', message);
  }
}
