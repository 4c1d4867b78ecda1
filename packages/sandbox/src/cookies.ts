import type { Request, Response } from 'express';

/**
 * Reads one cookie from the request (no dependency: the emulator sets only simple token-valued cookies). A value
 * that is not valid percent-encoding cannot be one the emulator set: it reads as no cookie.
 */
export function readCookie(req: Request, name: string): string | undefined {
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

/** Sets a session cookie, HttpOnly and SameSite=Lax like an OAuth server's login cookies. */
export function writeCookie(res: Response, name: string, value: string): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', path: '/' });
}
