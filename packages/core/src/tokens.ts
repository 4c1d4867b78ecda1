/**
 * The tokens of one Qonto connection, as plain data: it survives `JSON.stringify`/`JSON.parse`, so it can live in
 * a session, a cookie (encrypted) or a database row.
 *
 * Lifetimes (https://docs.qonto.com/get-started/business-api/authentication/oauth/token-endpoint): the access
 * token and id_token live 1 hour; the refresh token 90 days and rotates on every refresh (the old one stays valid
 * 60 s).
 */
export interface TokenSet {
  accessToken: string;
  tokenType: 'bearer';
  /** Present when `offline_access` was granted. Store the newest one: refresh tokens rotate. */
  refreshToken?: string;
  /** Present when `openid` was granted. */
  idToken?: string;
  /** The scopes the server granted. */
  scopes: string[];
  /** When the access token expires, in epoch milliseconds. */
  expiresAt: number;
}

/**
 * Whether the access token has expired, or will within `skewSeconds` (default 0).
 */
export function isTokenExpired(
  tokens: TokenSet,
  o: { skewSeconds?: number; now?: () => number } = {},
): boolean {
  const now = (o.now ?? Date.now)();
  return tokens.expiresAt - (o.skewSeconds ?? 0) * 1000 <= now;
}

/**
 * The RFC 6749 token-response shape of a {@link TokenSet}, for frameworks that expect it (passport-oauth2's
 * `params`, Auth.js's account fields). `expires_in` is counted from `now`, never below 0.
 */
export function toTokenResponse(
  tokens: TokenSet,
  now: () => number = Date.now,
): {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope: string;
} {
  const response: ReturnType<typeof toTokenResponse> = {
    access_token: tokens.accessToken,
    token_type: 'bearer',
    expires_in: Math.max(0, Math.floor((tokens.expiresAt - now()) / 1000)),
    scope: tokens.scopes.join(' '),
  };
  if (tokens.refreshToken !== undefined) response.refresh_token = tokens.refreshToken;
  if (tokens.idToken !== undefined) response.id_token = tokens.idToken;
  return response;
}
