import type { HttpRequest } from './http/request.js';
import type { HttpResponse } from './http/response.js';

/**
 * Reads one cookie from the request (no dependency: the emulator sets only simple token-valued cookies). A value
 * that is not valid percent-encoding cannot be one the emulator set: it reads as no cookie.
 */
export function readCookie(req: HttpRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    if (part.slice(0, index).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Sets a session cookie, HttpOnly and SameSite=Lax like an OAuth server's login cookies (others set before stay). */
export function writeCookie(res: HttpResponse, name: string, value: string): void {
  res.appendHeader('Set-Cookie', `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax`);
}
