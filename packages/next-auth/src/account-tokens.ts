import { fromTokenResponse, QontoConfigError, type TokenSet } from '@qonto-oauth/core';
import type { QontoJwtTokens } from './refresh.js';

/**
 * Core's {@link TokenSet} from the tokens Auth.js and NextAuth hand the app: the `account` of the `signIn` and
 * `jwt` callbacks and of the `signIn` / `linkAccount` events, or a JWT that {@link refreshQontoToken} keeps fresh
 * (`expires_at` in seconds since the epoch). Pass it to core's `QontoConnections.save(userKey, tokens)`, a
 * `QontoTokenManager` or a `TokenStore`. Made for the `account` of a sign-in or link, whose refresh token was just
 * issued: core dates its 90-day horizon (`refreshTokenExpiresAt`) from `now`. Throws a `QontoConfigError` without `expires_at`, and core's
 * `QontoUnexpectedResponseError` for a missing `access_token` or a malformed field.
 *
 * @example
 * events: {
 *   async signIn({ user, account }) {
 *     if (account?.provider === 'qonto') await connections.save(user.id!, tokenSetFromAccount(account))
 *   },
 * }
 */
export function tokenSetFromAccount(
  account: QontoJwtTokens & { token_type?: unknown },
  now: () => number = Date.now,
): TokenSet {
  const { expires_at, ...rest } = account;
  // Auth.js dates the access token (`expires_at`); core reads a token response's `expires_in`.
  if (typeof expires_at !== 'number' || !Number.isFinite(expires_at)) {
    throw new QontoConfigError(
      `tokenSetFromAccount needs expires_at (seconds since the epoch) and got ${
        expires_at === undefined ? 'none' : `a ${typeof expires_at}`
      }: pass the \`account\` Auth.js or NextAuth handed your callback or event as it is, or a JWT that ` +
        'refreshQontoToken keeps.',
    );
  }
  const expires_in = Math.max(0, Math.floor(expires_at - now() / 1000));
  const { access_token, refresh_token, id_token, scope, token_type } = rest;
  return fromTokenResponse({ access_token, refresh_token, id_token, scope, token_type, expires_in }, now);
}
