import { QontoConfigError } from './errors.js';

/**
 * What a token sent in an HTTP header can hold: printable ASCII without spaces. Qonto's staging, access and refresh
 * tokens fit, as does RFC 6750's bearer token syntax; anything else would make `Headers` throw a `TypeError` that
 * quotes the whole value.
 */
export const HEADER_TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** `token` when it can go in an `Authorization: Bearer` header; else an error that names it without showing it. */
export function bearerToken(token: string, name: string): string {
  if (HEADER_TOKEN_CHARS.test(token)) return token;
  throw new QontoConfigError(
    `${name} holds characters a bearer token cannot (printable ASCII only, no spaces or line breaks), so it was ` +
      'not sent. Likely cause: a corrupted token store, or a value that is not a Qonto access token. Fix: check ' +
      'what your token store returns, or have the user connect with Qonto again.',
  );
}
