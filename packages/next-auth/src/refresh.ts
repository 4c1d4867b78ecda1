import {
  isQontoError,
  type QontoEnvironment,
  QontoOAuthClient,
  type QontoOAuthError,
  sharedRefresh,
  type TokenSet,
} from '@qonto-oauth/core';

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
  /** `'RefreshTokenError'` once Qonto has refused the refresh token: the user must connect again. */
  error?: string | undefined;
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
 *   minute (Qonto's grace period: a request that still carried the old cookie) gets the same rotation;
 * - when Qonto refuses the refresh token (`invalid_grant`: expired, revoked or rotated out) or there is none,
 *   returns a copy with `error: 'RefreshTokenError'`: show a "reconnect Qonto" prompt and sign the user in again.
 *   Other failures (network, timeout, staging gate, bad credentials) are thrown, so nothing is lost and the next
 *   call tries again.
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
  if (fields.error === 'RefreshTokenError') return fields;
  if (typeof fields.expires_at === 'number' && fields.expires_at * 1000 - skewMs > now()) return fields;
  const refreshToken = fields.refresh_token;
  if (typeof refreshToken !== 'string' || refreshToken === '')
    return { ...fields, error: 'RefreshTokenError' };

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
    rotated = await sharedRefresh(client, refreshToken, { now });
  } catch (error) {
    if (isReconnectRequired(error)) return { ...fields, error: 'RefreshTokenError' };
    throw error;
  }
  const next: T & QontoJwtTokens = {
    ...fields,
    access_token: rotated.accessToken,
    // sharedRefresh keeps the old refresh token when a server sends none.
    refresh_token: rotated.refreshToken,
    expires_at: Math.floor(rotated.expiresAt / 1000),
    scope: rotated.scopes.join(' '),
  };
  if (rotated.idToken !== undefined) next.id_token = rotated.idToken;
  delete next.error;
  return next;
}

function isReconnectRequired(error: unknown): boolean {
  return isQontoError(error) && error.code === 'oauth' && (error as QontoOAuthError).reconnectRequired;
}
