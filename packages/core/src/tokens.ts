import { QontoConfigError, QontoUnexpectedResponseError } from './errors.js';
import { HEADER_TOKEN_CHARS } from './header-token.js';
import { explain } from './messages.js';

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
  /**
   * When the refresh token expires, in epoch milliseconds: received + {@link QONTO_REFRESH_TOKEN_LIFETIME_MS} (90
   * days), reset by each rotation. Past it, the user must connect with Qonto again. Absent without a refresh token.
   */
  refreshTokenExpiresAt?: number;
}

/**
 * How long a Qonto refresh token lives: 90 days from when it was issued (each rotation issues a new one)
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/token-endpoint).
 */
export const QONTO_REFRESH_TOKEN_LIFETIME_MS = 7_776_000_000; // 90 days, a plain literal so bundles drop it unused

/**
 * Whether the access token has expired, or will within `skewSeconds` (default 0). A set whose `expiresAt` is not a
 * finite number (a corrupted session) counts as expired, so it gets refreshed rather than used forever.
 */
export function isTokenExpired(
  tokens: TokenSet,
  o: { skewSeconds?: number; now?: () => number } = {},
): boolean {
  const now = (o.now ?? Date.now)();
  const { expiresAt } = tokens;
  return !(Number.isFinite(expiresAt) && expiresAt - (o.skewSeconds ?? 0) * 1000 > now);
}

/**
 * The RFC 6749 token response (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/create_tokens)
 * as frameworks carry it: passport-oauth2's `params`, the answer an OAuth library's token request returns.
 */
export type QontoTokenResponse = {
  access_token: string;
  token_type: 'bearer';
  /** Seconds from now until the access token expires. */
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  /** Granted scopes, space-separated. */
  scope: string;
};

/**
 * The RFC 6749 token-response shape of a {@link TokenSet}, for frameworks that expect it (passport-oauth2's
 * `params`, a custom token request's answer). `expires_in` is counted from `now`, a whole number of seconds from 0 to
 * 10^7 (a set without a finite `expiresAt` gives 0: expired), so {@link fromTokenResponse} always takes it back.
 */
export function toTokenResponse(tokens: TokenSet, now: () => number = Date.now): QontoTokenResponse {
  const response: QontoTokenResponse = {
    access_token: tokens.accessToken,
    token_type: 'bearer',
    expires_in: secondsLeft(tokens.expiresAt, now()),
    scope: tokens.scopes.join(' '),
  };
  if (tokens.refreshToken !== undefined) response.refresh_token = tokens.refreshToken;
  if (tokens.idToken !== undefined) response.id_token = tokens.idToken;
  return response;
}

function secondsLeft(expiresAt: number, now: number): number {
  const seconds = Math.floor((expiresAt - now) / 1000);
  return Number.isFinite(seconds) ? Math.min(MAX_EXPIRES_IN_SECONDS, Math.max(0, seconds)) : 0;
}

/**
 * The {@link TokenSet} behind a token response, the inverse of {@link toTokenResponse}: for the `params` a
 * passport-oauth2 `verify` receives, or a token response you stored. `expiresAt` is `now` plus `expires_in`; an
 * omitted `scope` gives no scopes. An Auth.js / NextAuth `account` is not one (it dates the access token with
 * `expires_at`): `tokenSetFromAccount` from `@qonto-oauth/next-auth` converts it.
 *
 * Checked like Qonto's own answers (same code): no `access_token`, an `expires_in` that is not a whole number of
 * seconds from 0 (an expired set) to 10^7, a `token_type` other than bearer, or a non-string `refresh_token` / `id_token`
 * throw {@link QontoUnexpectedResponseError}. The message never contains a token.
 */
export function fromTokenResponse(
  params: QontoTokenResponse | Readonly<Record<string, unknown>>,
  now: () => number = Date.now,
): TokenSet {
  if (typeof params !== 'object' || params === null) {
    throw notATokenResponse('is not an object');
  }
  if (params.expires_in === undefined && (params as Record<string, unknown>).expires_at !== undefined) {
    throw new QontoConfigError(
      explain(
        'fromTokenResponse was given expires_at, not expires_in',
        'an Auth.js or NextAuth `account`',
        'convert it with tokenSetFromAccount(account) from @qonto-oauth/next-auth',
      ),
    );
  }
  return readTokenFields(params, {
    now: now(),
    requestedScopes: [],
    allowExpired: true,
    bad: (what) => notATokenResponse(`has ${what}`),
  });
}

function notATokenResponse(what: string): QontoUnexpectedResponseError {
  return new QontoUnexpectedResponseError(
    explain(
      `The token response given to fromTokenResponse ${what}`,
      'a framework passed something else, or it was changed',
      "pass it as received (passport-oauth2's `params`)",
    ),
  );
}

/**
 * The longest `expires_in` accepted: 10^7 seconds (about 116 days). Qonto's access tokens live 3,600 s; anything far
 * beyond is not a lifetime but a malformed answer (`1e308` would make `expiresAt` infinite).
 */
export const MAX_EXPIRES_IN_SECONDS = 10_000_000;

/**
 * The checks every token response passes, wherever it comes from (Qonto's answer, or a framework's copy of it in
 * `fromTokenResponse`): `bad(what)` builds the error for the caller's situation.
 */
export function readTokenFields(
  json: Readonly<Record<string, unknown>>,
  o: {
    now: number;
    requestedScopes: readonly string[];
    bad: (what: string) => Error;
    /** `expires_in: 0` is a set that has already expired (what `toTokenResponse` gives for one); Qonto never sends it. */
    allowExpired?: boolean;
  },
): TokenSet {
  const { bad } = o;
  const { access_token, expires_in, refresh_token, id_token, scope, token_type } = json;
  if (typeof access_token !== 'string' || access_token === '') throw bad('no access_token');
  if (!HEADER_TOKEN_CHARS.test(access_token)) {
    throw bad('an access_token holding characters a bearer token cannot (printable ASCII only, no spaces)');
  }
  const least = o.allowExpired ? 0 : 1;
  if (
    !Number.isInteger(expires_in) ||
    (expires_in as number) < least ||
    (expires_in as number) > MAX_EXPIRES_IN_SECONDS
  ) {
    throw bad(`no valid expires_in (a whole number of seconds from ${least} to ${MAX_EXPIRES_IN_SECONDS})`);
  }
  if (!Number.isFinite(o.now)) {
    throw new QontoConfigError(
      '`now` did not return epoch milliseconds. Fix: pass a function like Date.now.',
    );
  }
  if (token_type !== undefined && (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer')) {
    throw bad('a token_type other than bearer');
  }
  for (const [name, value] of [
    ['refresh_token', refresh_token],
    ['id_token', id_token],
  ]) {
    if (value !== undefined && typeof value !== 'string') throw bad(`a non-string ${name}`);
  }
  const tokens: TokenSet = {
    accessToken: access_token,
    tokenType: 'bearer',
    // RFC 6749 section 5.1: an omitted scope means the scopes requested.
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [...o.requestedScopes],
    expiresAt: o.now + (expires_in as number) * 1000,
  };
  if (refresh_token) {
    tokens.refreshToken = refresh_token as string;
    tokens.refreshTokenExpiresAt = o.now + QONTO_REFRESH_TOKEN_LIFETIME_MS;
  }
  if (id_token) tokens.idToken = id_token as string;
  return tokens;
}
