import {
  isQontoError,
  type QontoEnvironment,
  type QontoError,
  QontoOAuthClient,
  type QontoOAuthError,
  type RefreshCoordination,
  sharedRefresh,
  type TokenSet,
} from '@qonto-oauth/core';

/**
 * The `error` {@link refreshQontoToken} sets when Qonto refused the refresh token (`invalid_grant`: consent
 * revoked, 90 days unused, rotated out) or the token has none: the connection is over, the member must go through
 * "Connect with Qonto" again. Further calls return the token as it is, without asking Qonto.
 */
export const REFRESH_TOKEN_ERROR = 'RefreshTokenError';

/**
 * The `error` {@link refreshQontoToken} sets when a refresh failed but Qonto did not refuse the refresh token:
 * Qonto unreachable, a timeout, a 5xx or 429 answer, the sandbox's staging gate, this app's own configuration
 * (`invalid_client`, a missing staging token), or the `coordination` store unreachable. The token is returned as
 * it was (still expiring), `error_reason` says why, and the next call tries again: the session survives, and once
 * the cause is gone (or the configuration fixed) the member carries on without reconnecting.
 */
export const REFRESH_TRANSIENT_ERROR = 'RefreshTransientError';

/**
 * The token fields {@link refreshQontoToken} reads and writes, named as Auth.js and NextAuth name them on the
 * account and in the JWT: `expires_at` is in seconds since the epoch.
 */
export interface QontoJwtTokens {
  access_token?: string | undefined;
  refresh_token?: string | undefined;
  /** When the access token expires, in seconds since the epoch. */
  expires_at?: number | undefined;
  id_token?: string | undefined;
  scope?: string | undefined;
  /**
   * Set by {@link refreshQontoToken} when a refresh did not happen: `'RefreshTokenError'` once Qonto has refused
   * the refresh token (connect again), `'RefreshTransientError'` when this call's refresh failed for another
   * reason (keep the session; the next call retries). Absent after a successful or unneeded refresh.
   */
  error?: string | undefined;
  /**
   * With `'RefreshTransientError'`: why, as a short code safe to log or show: the OAuth `error` Qonto answered
   * (`temporarily_unavailable`, `server_error`, `invalid_client`…), else core's error `code` (`network`,
   * `timeout`, `staging_gate`, `unexpected_response`, `config`, `token_store`).
   */
  error_reason?: string | undefined;
}

/** Options of {@link refreshQontoToken}: the same credentials and environment as the provider. */
export interface RefreshQontoTokenOptions {
  clientId: string;
  clientSecret: string;
  /** `'production'`, `'sandbox'`, or explicit endpoints, as given to the provider. */
  environment: QontoEnvironment;
  /** The sandbox's `X-Qonto-Staging-Token`; required for the sandbox, refused for production. */
  stagingToken?: string | undefined;
  /** Clock in epoch milliseconds (default `Date.now`); inject one in tests. */
  now?: () => number;
  /** Refresh this many seconds before expiry (default 60), as Qonto recommends refreshing proactively. */
  refreshSkewSeconds?: number;
  /** The `fetch` core sends the refresh through (default: the global one), e.g. a corporate proxy's. */
  fetch?: typeof fetch;
  /**
   * Called with core's error when a refresh fails with `'RefreshTransientError'`, before the token is returned:
   * log it there (its message says what happened and how to fix it, with every secret scrubbed). Nothing is
   * logged otherwise: the error does not reach Auth.js, whose `jwt` callback would sign the member out on a throw.
   */
  onTransientError?: (error: QontoError) => void;
  /**
   * A store shared by the app's instances that coordinates refreshes, such as `@qonto-oauth/redis`'s
   * `RedisTokenStore`: instances refresh a session's token once between them, and an instance that receives the
   * replaced cookie within Qonto's 60 s grace gets the same rotation. The refresh token is named there by an HMAC
   * keyed with `clientSecret`, never stored as such. Without it, this holds within one process.
   */
  coordination?: RefreshCoordination | undefined;
}

/**
 * Keeps a Qonto access token fresh from the `jwt` callback (Auth.js v5 or NextAuth v4).
 *
 * Access tokens live one hour and every refresh rotates the refresh token
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint). This:
 * - returns `token` unchanged while the access token is valid for more than `refreshSkewSeconds`;
 * - otherwise refreshes through `@qonto-oauth/core` and returns a copy with the new `access_token`,
 *   `refresh_token` and `expires_at` (and no `error`), through core's `sharedRefresh`: concurrent calls in this
 *   process for the same refresh token share one refresh, and a call with that refresh token during the next
 *   minute (Qonto's grace period: a request that still carried the old cookie) gets the same rotation; with
 *   `coordination` (a `RedisTokenStore`), across every instance of the app;
 * - when Qonto refuses the refresh token (`invalid_grant`: expired, revoked or rotated out) or there is none,
 *   returns a copy with `error: 'RefreshTokenError'` ({@link REFRESH_TOKEN_ERROR}): show a "reconnect Qonto"
 *   prompt and sign the user in again;
 * - when the refresh fails for any other reason (network, timeout, 5xx, rate limit, staging gate, this app's
 *   configuration), returns a copy of `token` (same tokens, same `expires_at`) with
 *   `error: 'RefreshTransientError'` ({@link REFRESH_TRANSIENT_ERROR}) and `error_reason`, after calling
 *   `onTransientError`: keep the session, say the tokens could not be refreshed, and let the next request retry.
 *   Nothing is thrown for a Qonto failure: Auth.js clears the session cookie when the `jwt` callback throws
 *   (`@auth/core` `lib/actions/session.js`), which would sign the member out over a passing outage.
 *   Only a bug (an error that is not one of core's) is thrown.
 *
 * Call it where the rotated cookie can be written (a route handler, `proxy.ts`/middleware, a server action),
 * not only from a Server Component render, or the rotated refresh token is dropped after the 60 s grace period.
 *
 * @example
 * callbacks: {
 *   async jwt({ token, account }) {
 *     if (account) return { ...token, access_token: account.access_token, refresh_token: account.refresh_token, expires_at: account.expires_at }
 *     return refreshQontoToken(token, { clientId, clientSecret, environment: 'sandbox', stagingToken })
 *   },
 * }
 */
export async function refreshQontoToken<T extends object>(
  token: T,
  options: RefreshQontoTokenOptions,
): Promise<T & QontoJwtTokens> {
  // Auth.js's and NextAuth's JWT types index every field as `unknown`: read them with runtime checks.
  const fields = token as T & QontoJwtTokens;
  const now = options.now ?? Date.now;
  const skewMs = (options.refreshSkewSeconds ?? 60) * 1000;
  if (fields.error === REFRESH_TOKEN_ERROR) return fields;
  if (typeof fields.expires_at === 'number' && fields.expires_at * 1000 - skewMs > now()) {
    // Still valid: a failed attempt made earlier (a forced one) no longer concerns this token.
    return fields.error === REFRESH_TRANSIENT_ERROR ? withoutError(fields) : fields;
  }
  const refreshToken = fields.refresh_token;
  if (typeof refreshToken !== 'string' || refreshToken === '')
    return { ...withoutError(fields), error: REFRESH_TOKEN_ERROR };

  let rotated: TokenSet;
  try {
    const client = new QontoOAuthClient({
      environment: options.environment,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      stagingToken: options.stagingToken,
      fetch: options.fetch,
      now,
    });
    rotated = await sharedRefresh(client, refreshToken, {
      now,
      ...(options.coordination === undefined
        ? {}
        : { coordination: { store: options.coordination, secret: options.clientSecret } }),
    });
  } catch (error) {
    if (!isQontoError(error)) throw error;
    if (isReconnectRequired(error)) return { ...withoutError(fields), error: REFRESH_TOKEN_ERROR };
    options.onTransientError?.(error);
    return { ...fields, error: REFRESH_TRANSIENT_ERROR, error_reason: reasonCode(error) };
  }
  const next: T & QontoJwtTokens = {
    ...withoutError(fields),
    access_token: rotated.accessToken,
    // sharedRefresh keeps the old refresh token when a server sends none.
    refresh_token: rotated.refreshToken,
    expires_at: Math.floor(rotated.expiresAt / 1000),
    scope: rotated.scopes.join(' '),
  };
  if (rotated.idToken !== undefined) next.id_token = rotated.idToken;
  return next;
}

function isReconnectRequired(error: QontoError): boolean {
  return error.code === 'oauth' && (error as QontoOAuthError).reconnectRequired;
}

/** A code only: the OAuth `error` is server-supplied text, so anything but a plain word becomes `oauth`. */
const PLAIN_CODE = /^[a-z][a-z0-9_]{0,39}$/;

function reasonCode(error: QontoError): string {
  if (error.code !== 'oauth') return error.code;
  const { error: oauthError } = error as QontoOAuthError;
  return PLAIN_CODE.test(oauthError) ? oauthError : 'oauth';
}

function withoutError<T extends QontoJwtTokens>(fields: T): T {
  const { error: _error, error_reason: _reason, ...rest } = fields;
  return rest as T;
}
