import { QontoConfigError } from './errors.js';

/**
 * The wording error messages share: every message says what happened, the likely cause and the fix, and a fix that
 * several errors give is written once here, so it reads the same everywhere (and ships once).
 */

/** Qonto's page on sandbox access and the staging token. */
export const SANDBOX_DOC = 'https://docs.qonto.com/get-started/general/sandbox-access';

/** Where an app's sandbox client id, secret and staging token are shown. */
export const SANDBOX_CREDENTIALS = 'the Developer Portal > your app > Sandbox credentials';

/** "What happened. Likely cause: .... Fix: ...": the shape of every message written for the person on call. */
export function explain(what: string, cause: string, fix: string): string {
  return `${what}. Likely cause: ${cause}. Fix: ${fix}`;
}

/** The fix when the user's grant is gone: no refresh brings it back. */
export const RECONNECT = 'have the user connect with Qonto again';

/** The fix when a login cannot go on: a new authorize URL, state and code. */
export const RESTART_LOGIN = 'Fix: start the login again.';

/** Cause and fix of an answer Qonto never gives: it came from another server. */
export const NOT_QONTO =
  "Likely cause: the environment's endpoints point at another server, or a proxy answered. Fix: check the " +
  'endpoints and any proxy.';

/** {@link NOT_QONTO}, or for a 5xx (an outage page, Qonto's or a proxy's in front of it) the advice to retry. */
export function notQontoCause(status: number): string {
  return status >= 500
    ? 'Likely cause: Qonto, or a proxy in front of it, is down or overloaded. Fix: retry later.'
    : NOT_QONTO;
}

/** "`name` must be `expected` (got ...)", showing the value's type only: a misplaced secret stays unshown. */
export function mustBe(name: string, expected: string, value: unknown): string {
  const got =
    value === '' ? 'empty' : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
  return `${name} must be ${expected} (got ${got}).`;
}

/** `value` when it is a non-empty string, else a {@link QontoConfigError} naming the option. */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new QontoConfigError(`${name} is missing: give a non-empty string.`);
  return value;
}
