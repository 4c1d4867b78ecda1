import { isQontoError, QontoNetworkError, QontoUnexpectedResponseError } from './errors.js';
import { explain } from './messages.js';
import { redactHost, redactSecrets } from './redact.js';

/**
 * Reading a server's answer defensively: its body, a JSON object in it, where it redirects. Shared by the fetch
 * wrapper, the token endpoint and the Business API readers, so each kind of answer is reported the same way.
 */

/** True for a 3xx status: Qonto's JSON endpoints never redirect. */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** Drops a body nobody will read, so the connection is released; a body that already failed is ignored. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** Where a redirect points, resolved against `base`, or `undefined` when there is no readable `Location`. */
function redirectTarget(response: Response, base?: string | URL): URL | undefined {
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return new URL(location, base || undefined);
  } catch {
    return undefined;
  }
}

// The byte caps are written as literals: a bundler drops an unused literal from core's single-file build, but not
// `1024 * 1024`, which it cannot prove free of side effects.

/** The most the token endpoint's answer may weigh (1 MiB): a token response is a few kilobytes. */
export const MAX_TOKEN_RESPONSE_BYTES = 1_048_576;

/**
 * The default most a Business API answer may weigh (8 MiB; `maxResponseBytes` raises it): a page of 100 items is
 * far less.
 */
export const DEFAULT_MAX_API_RESPONSE_BYTES = 8_388_608;

/**
 * Reads an answer's body as text, at most `maxBytes` of it (decoded bytes, so a compressed body cannot inflate past
 * it): a larger one is refused while it streams, before it is buffered, with {@link QontoUnexpectedResponseError},
 * and its connection released. A body cut off before its end is a {@link QontoNetworkError} (a timeout during the
 * read is already a `QontoTimeoutError`, the abort reason).
 */
export async function readBodyText(
  response: Response,
  where: string,
  limit: { maxBytes: number; option?: string },
): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit.maxBytes) {
    await discardBody(response);
    throw tooLarge(response.status, where, limit);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(response.status, where, limit);
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    if (isQontoError(error) || (error instanceof Error && error.name === 'AbortError')) throw error;
    throw new QontoNetworkError(
      `The answer to ${where} was cut off before its end. Likely cause: a dropped connection. Fix: retry.`,
    );
  }
  return text + decoder.decode();
}

function tooLarge(
  status: number,
  where: string,
  limit: { maxBytes: number; option?: string },
): QontoUnexpectedResponseError {
  return new QontoUnexpectedResponseError(
    explain(
      `The answer to ${where} (status ${status}) is larger than ${formatBytes(limit.maxBytes)}, its cap, and was ` +
        'refused before being read in full',
      'a proxy or another server answered, or the endpoint returns far more than usual',
      limit.option === undefined
        ? "check the environment's endpoints and any proxy."
        : `check the environment's endpoints, or raise ${limit.option} if such answers are expected.`,
    ),
    { status },
  );
}

function formatBytes(bytes: number): string {
  const mib = bytes / 1_048_576;
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

/**
 * What an unexpected body was, without a word of it: its media type (checked for shape and scrubbed of `secrets`)
 * and its size. Server text is only ever described, never quoted.
 */
export function describeBody(
  response: Response,
  text: string,
  secrets: Iterable<string | undefined>,
): string {
  const size = `${new TextEncoder().encode(text).byteLength} bytes`;
  const raw = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw === '')
    return text === '' ? 'an empty body without content-type' : `a body without content-type (${size})`;
  if (!/^[a-z0-9][\w!#$&^.+-]{0,63}\/[a-z0-9][\w!#$&^.+-]{0,63}$/.test(raw)) {
    return `a body with a malformed content-type (${size})`;
  }
  const type = redactSecrets(raw, secrets);
  if (type === 'text/html') return `an HTML page (${size})`;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} body (${size})`;
}

/** "a redirect to HOST", the host scrubbed of `secrets`: the path and query of a `Location` may carry anything. */
export function describeRedirect(
  response: Response,
  base: string | URL | undefined,
  secrets: Iterable<string | undefined>,
): string {
  const host = redirectHost(response, base, secrets);
  return host === undefined ? 'a redirect' : `a redirect to ${host}`;
}

/**
 * The host of a redirect's `Location`, scrubbed of `secrets`, or `undefined` when there is none readable or it is
 * not a plain host name.
 */
export function redirectHost(
  response: Response,
  base: string | URL | undefined,
  secrets: Iterable<string | undefined>,
): string | undefined {
  const host = redirectTarget(response, base)?.host;
  return host ? redactHost(host, secrets) : undefined;
}

/** `text` parsed as JSON when it is a JSON object (not an array, not a scalar), else `undefined`. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
