import { QontoConfigError, QontoOAuthError } from './errors.js';
import { cut } from './redact.js';

/** A callback's query: a URL, its search params, or a framework's parsed query object (Express, Next). */
export type AuthorizationCallbackInput =
  | string
  | URL
  | URLSearchParams
  | Record<string, string | string[] | undefined>;

/** The longest `error` and `error_description` a callback error keeps: RFC 6749 codes are short words. */
const MAX_ERROR_LENGTH = 64;
const MAX_DESCRIPTION_LENGTH = 300;

/**
 * Reads the redirect Qonto sends back to your `redirect_uri`
 * (https://docs.qonto.com/guides/authentication/oauth-flow): `?code=…&state=…` on success, or
 * `?error=access_denied&error_description=…&state=…` when the user declined.
 *
 * The `state` is checked first, whatever else the callback carries: anyone can send a browser to your callback
 * with made-up parameters, so nothing of a callback whose state does not match is believed or shown. Returns the
 * `code` to pass to `exchangeCode`. Throws {@link QontoOAuthError}:
 * - `invalid_state` when `state` is missing or differs from `expectedState` (a forged or stale callback: never
 *   exchange its code); the callback's own `error` and `error_description`, if any, are dropped;
 * - with the server's `error` (e.g. `access_denied`, the user declined consent) and `error_description`, once the
 *   state matched, each cut to a sane length (64 and 300 characters) with control characters removed;
 * - `invalid_request` when there is no `code`.
 */
export function parseAuthorizationCallback(
  input: AuthorizationCallbackInput,
  o: { expectedState: string | undefined },
): { code: string; state: string } {
  const params = callbackParams(input);
  const state = params.get('state');
  if (o?.expectedState === undefined || o.expectedState === '') {
    throw invalidState(
      'no state was stored for this login. Likely cause: the session expired or its cookie was lost (another ' +
        'domain, SameSite, or a second login in another tab). Fix: start the login again.',
    );
  }
  if (!state || !equalInConstantTime(state, o.expectedState)) {
    throw invalidState(
      `${state ? 'its state does not match' : 'it carries no state'} the one stored for this login. Likely ` +
        'cause: a stale or forged callback, or two logins in parallel. Fix: start the login again.',
    );
  }
  const rawError = params.get('error');
  if (rawError) {
    const error = printable(rawError, MAX_ERROR_LENGTH) || 'error';
    const rawDescription = params.get('error_description');
    const description = rawDescription ? printable(rawDescription, MAX_DESCRIPTION_LENGTH) : undefined;
    const denied = error === 'access_denied';
    const hint = denied
      ? 'The user declined to connect with Qonto (or closed the consent page). Offer to try again.'
      : 'Qonto refused the authorization request. Check client_id, redirect_uri (registered for this ' +
        'environment in the Developer Portal) and the scopes.';
    throw new QontoOAuthError(
      `Qonto redirected back with ${error}${description ? ` (${description})` : ''}. ${hint}`,
      { error, errorDescription: description || undefined, hint },
    );
  }
  const code = params.get('code');
  if (!code) {
    throw new QontoOAuthError(
      'The Qonto callback has no code. Likely cause: the redirect_uri was opened directly. Fix: start the login again.',
      { error: 'invalid_request' },
    );
  }
  return { code, state };
}

/** `text` with control and invisible formatting characters turned into spaces, trimmed, cut to `max`. */
function printable(text: string, max: number): string {
  return cut(text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ').trim(), max);
}

/**
 * Compares two strings without an early exit, so the time taken does not tell an attacker how much of a guessed
 * `state` was right. Web-standard (no `node:crypto`): the length check may leak the length, which is not secret
 * (core's states are always 43 characters).
 */
function equalInConstantTime(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let difference = 0;
  for (let i = 0; i < x.length; i += 1) difference |= x[i]! ^ y[i]!;
  return difference === 0;
}

function invalidState(why: string): QontoOAuthError {
  return new QontoOAuthError(`The Qonto callback was refused: ${why}`, { error: 'invalid_state' });
}

/** The query of a callback, whichever form it came in. */
export function callbackParams(input: AuthorizationCallbackInput): URLSearchParams {
  if (input instanceof URLSearchParams) return input;
  if (input instanceof URL) return input.searchParams;
  if (typeof input === 'string') {
    if (URL.canParse(input)) return new URL(input).searchParams;
    return new URLSearchParams(input.startsWith('?') ? input.slice(1) : input);
  }
  if (typeof input === 'object' && input !== null) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(input)) {
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string') params.set(key, first);
    }
    return params;
  }
  throw new QontoConfigError(
    'parseAuthorizationCallback needs the callback URL, its query string or query object.',
  );
}
