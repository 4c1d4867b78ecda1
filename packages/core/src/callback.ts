import { QontoConfigError, QontoOAuthError } from './errors.js';
import { RESTART_LOGIN } from './messages.js';
import { cut } from './redact.js';

/**
 * A callback's query: a URL, a request path with its query (`req.url`, `req.originalUrl`), the query string, its
 * search params, or a framework's parsed query object (Express, Next).
 */
export type AuthorizationCallbackInput =
  | string
  | URL
  | URLSearchParams
  | Record<string, string | string[] | undefined>;

/**
 * Reads the redirect Qonto sends back to your `redirect_uri`
 * (https://docs.qonto.com/guides/authentication/oauth-flow): `?code=...&state=...` on success, or
 * `?error=access_denied&error_description=...&state=...` when the user declined.
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
  if (!o?.expectedState) {
    throw refuse(
      'no state was stored for this login. Likely cause: the session expired or lost its cookie (another domain, ' +
        'SameSite, a second login in another tab)',
    );
  }
  if (!state || !equalInConstantTime(state, o.expectedState)) {
    throw refuse(
      `${state ? 'its state differs from' : 'it has no state, unlike'} the one stored for this login. Likely cause: ` +
        'a stale or forged callback, or two logins at once',
    );
  }
  const rawError = params.get('error');
  if (rawError) {
    // RFC 6749 codes are short words: 64 characters is plenty, 300 for the description.
    const error = printable(rawError, 64) || 'error';
    const description = printable(params.get('error_description') ?? '', 300) || undefined;
    const hint =
      error === 'access_denied'
        ? 'The user declined to connect with Qonto (or closed the consent page). Offer to try again.'
        : "Qonto refused the authorization request. Check client_id, redirect_uri (as registered for this environment's app) and the scopes.";
    throw new QontoOAuthError(
      `Qonto redirected back with ${error}${description ? ` (${description})` : ''}. ${hint}`,
      { error, errorDescription: description, hint },
    );
  }
  const code = params.get('code');
  if (!code) throw callbackWithoutCode();
  return { code, state };
}

function refuse(why: string, error = 'invalid_state'): QontoOAuthError {
  return new QontoOAuthError(`The Qonto callback was refused: ${why}. ${RESTART_LOGIN}`, { error });
}

/** A callback with neither a code nor an error: not a redirect from Qonto. */
export function callbackWithoutCode(): QontoOAuthError {
  return refuse('it has no code. Likely cause: the redirect_uri was opened directly', 'invalid_request');
}

let unprintable: RegExp | undefined;

/** `text` with control and invisible formatting characters turned into spaces, trimmed, cut to `max`. */
function printable(text: string, max: number): string {
  // Built on first use, from a string: V8 checks a regex literal's Unicode property classes when it loads the
  // module, loading Unicode data (~0.3 ms of every import; test/pack.test.ts keeps such literals out of dist/).
  // biome-ignore lint/complexity/useRegexLiterals: a literal costs every import, see above.
  unprintable ??= new RegExp('[\\p{Cc}\\p{Cf}\\u2028\\u2029]+', 'gu');
  return cut(text.replace(unprintable, ' ').trim(), max);
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

/** The query of a callback, whichever form it came in. */
export function callbackParams(input: AuthorizationCallbackInput): URLSearchParams {
  if (input instanceof URLSearchParams) return input;
  if (input instanceof URL) return input.searchParams;
  if (typeof input === 'string') {
    if (URL.canParse(input)) return new URL(input).searchParams;
    // A request path ("/callback?code=…"): its query. Anything else is the query string itself.
    if (input.startsWith('/')) return new URL(input, 'http://localhost').searchParams;
    return new URLSearchParams(input);
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
    'parseAuthorizationCallback needs the callback URL, its path and query (req.url), its query string or query object.',
  );
}
