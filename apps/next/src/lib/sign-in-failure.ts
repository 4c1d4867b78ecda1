import { isQontoError, type QontoError } from '@qonto-oauth/core';

/** A failure code safe to put in a URL: a short lowercase word, never a message (messages can quote a server). */
const CODE = /^[a-z][a-z0-9_]{0,39}$/;

/** `value` when it is a plain error code (Qonto's `error=` in a callback URL, say), else `undefined`. */
export function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && CODE.test(value) ? value : undefined;
}

/** The code of a Qonto error: the OAuth error for `oauth` (`invalid_client`, `invalid_grant`…), else its `code`. */
export function qontoFailureCode(error: QontoError): string | undefined {
  if (error.code === 'oauth') return safeCode((error as QontoError & { error?: unknown }).error) ?? 'oauth';
  return safeCode(error.code);
}

/**
 * oauth4webapi's refusal of a callback whose `state` is missing or not the one this browser's sign-in stored (its
 * `OAUTH_INVALID_RESPONSE` about the "state" parameter), which Auth.js passes on as the cause of its error.
 */
function isStateRefusal(error: object): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'OAUTH_INVALID_RESPONSE' && typeof message === 'string' && message.includes('"state"');
}

/**
 * Why a sign-in failed, from the error Auth.js logs before it redirects to `?error=Configuration`: core's error
 * inside Auth.js's `CallbackRouteError` (gate, credentials of the other environment…), or Auth.js's own
 * configuration errors. `undefined` when there is nothing more specific than Auth.js's code. (Qonto's `error=` in
 * the callback URL, e.g. a denied consent, does not survive in Auth.js's `OAuthCallbackError`: the route handler
 * reads it from the URL.)
 */
export function signInFailureCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (isQontoError(current)) return qontoFailureCode(current);
    const { type, cause } = current as { type?: unknown; cause?: { err?: unknown } };
    if (type === 'MissingSecret') return 'missing_secret';
    if (type === 'MissingCSRF') return 'missing_csrf';
    if (type === 'InvalidCheck' || isStateRefusal(current)) return 'invalid_state';
    current = cause?.err ?? (cause instanceof Error ? cause : undefined);
  }
  return undefined;
}

/**
 * `location` (where Auth.js sends the browser) with `failure=<code>` added when it is the app's sign-in error page
 * (`errorPage`) and a cause is known; otherwise `location` unchanged. Relative locations resolve against `base`.
 */
export function withFailureCode(
  location: string,
  base: string,
  failure: string | undefined,
  errorPage: string,
): string {
  if (failure === undefined) return location;
  const target = new URL(location, base);
  if (target.pathname !== errorPage) return location;
  target.searchParams.set('failure', failure);
  return target.href;
}
