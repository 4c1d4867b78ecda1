import { isQontoError, QontoNetworkError } from './errors.js';

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

/**
 * Where a redirect points, resolved against `base`, or `undefined` when there is no readable `Location`. Callers
 * show only its origin, host or path: a query string may carry anything.
 */
export function redirectTarget(response: Response, base?: string | URL): URL | undefined {
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return new URL(location, base || undefined);
  } catch {
    return undefined;
  }
}

/**
 * Reads an answer's body as text, turning a cut-off body into {@link QontoNetworkError} (a timeout during the read
 * is already a `QontoTimeoutError`, the abort reason).
 */
export async function readBodyText(response: Response, where: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    if (isQontoError(error) || (error instanceof Error && error.name === 'AbortError')) throw error;
    throw new QontoNetworkError(
      `The answer to ${where} was cut off before its end. Likely cause: a dropped connection. Fix: retry.`,
    );
  }
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
