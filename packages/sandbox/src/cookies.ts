import type { Request, Response } from 'express';

/** Reads one cookie from the request (no dependency: the emulator sets only simple token-valued cookies). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

/** Sets a session cookie, HttpOnly and SameSite=Lax like an OAuth server's login cookies. */
export function writeCookie(res: Response, name: string, value: string): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', path: '/' });
}
