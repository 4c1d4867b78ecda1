import { sendEmpty, setLocation } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';

/**
 * Sends the browser back to the client's registered redirect URI with `params` added (RFC 6749 §4.1.2): `code`
 * and `state`, or `error`, `error_description` and `state`. 303 after a form POST, so the browser follows with GET.
 */
export function redirectToClient(
  res: HttpResponse,
  redirectUri: string,
  params: Record<string, string | undefined>,
) {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) target.searchParams.set(name, value);
  }
  setLocation(res, target.href);
  sendEmpty(res, res.req.method === 'POST' ? 303 : 302);
}

/** The first value of a query or form parameter, when it is a string. */
export function stringParam(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Where to send the browser back to on the emulator after a form (`return_to`): `value` resolved against the
 * emulator's own URL, as a browser would, and `/` when that lands on another origin (`//evil.example`,
 * `/\evil.example`, `https:evil.example`, tabs or newlines inside the scheme), so the emulator is never an open
 * redirect. The answer is the resolved path, query and fragment, never the raw value a browser could read otherwise,
 * and never starts with `//`.
 */
export function pathOnEmulator(emulatorUrl: string, value: string | undefined): string {
  if (value === undefined || value === '') return '/';
  let target: URL;
  try {
    target = new URL(value, emulatorUrl);
  } catch {
    return '/';
  }
  if (target.origin !== new URL(emulatorUrl).origin) return '/';
  return `/${target.pathname.replace(/^\/+/, '')}${target.search}${target.hash}`;
}
