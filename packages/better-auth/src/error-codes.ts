import { isQontoError } from '@qonto-oauth/core';

/**
 * The `error` a failed Qonto sign-in lands on (`errorCallbackURL?error=…`), instead of Better Auth's generic
 * `invalid_code`, so the app can tell the person what went wrong:
 *
 * | code | what happened |
 * |---|---|
 * | `qonto_staging_gate` | the sandbox answered with its sign-in gate: missing or wrong staging token |
 * | `qonto_invalid_client` | Qonto refused the client id or secret (often: the other environment's) |
 * | `qonto_invalid_grant` | the code was refused (expired, used twice, another redirect URI or PKCE verifier) |
 * | `qonto_<oauth error>` | any other RFC 6749 error from Qonto's token endpoint |
 * | `qonto_api` | `GET /v2/membership` or `/v2/organization` failed |
 * | `qonto_rate_limited`, `qonto_timeout`, `qonto_network` | Qonto was slow, unreachable or throttling: try again |
 * | `qonto_unexpected_response`, `qonto_config` | an answer Qonto does not document; a configuration problem |
 *
 * A declined consent keeps Qonto's own `access_denied`. The cause and its fix are in the server log.
 */
export type QontoSignInErrorCode =
  | 'qonto_staging_gate'
  | 'qonto_invalid_client'
  | 'qonto_invalid_grant'
  | 'qonto_api'
  | 'qonto_rate_limited'
  | 'qonto_timeout'
  | 'qonto_network'
  | 'qonto_unexpected_response'
  | 'qonto_config'
  | `qonto_${string}`;

/** The {@link QontoSignInErrorCode} for an error thrown while signing in with Qonto. */
export function qontoErrorCode(error: unknown): QontoSignInErrorCode {
  if (!isQontoError(error)) return 'qonto_unexpected_response';
  if (error.code === 'oauth') {
    const oauthError = (error as { error?: unknown }).error;
    if (typeof oauthError === 'string' && /^[a-z0-9_]{1,60}$/.test(oauthError)) return `qonto_${oauthError}`;
    return 'qonto_oauth';
  }
  return `qonto_${error.code}`;
}
