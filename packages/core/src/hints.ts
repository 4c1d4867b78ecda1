/**
 * The causes and fixes that several messages of the OAuth and API clients give, written once so they read the
 * same everywhere and ship once (the fetch wrapper's shared wording is in `messages.ts`).
 */

import { QontoConfigError } from './errors.js';

/** The fix when the user's grant is gone: no refresh brings it back. */
export const RECONNECT = 'have the user connect with Qonto again';

/** The fix when a login cannot go on: a new authorize URL, state and code. */
export const RESTART_LOGIN = 'Fix: start the login again.';

/** Cause and fix of an answer Qonto never gives: it came from another server. */
export const NOT_QONTO =
  "Likely cause: the environment's endpoints point at another server, or a proxy answered. Fix: check the " +
  'endpoints and any proxy.';

/** "`name` must be `expected` (got …)", showing the value's type only: a misplaced secret stays unshown. */
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
