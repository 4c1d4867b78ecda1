import type { NextFunction, Request, Response } from 'express';

/**
 * Forbids every page of the emulator from being shown in a frame (`X-Frame-Options: DENY` for older browsers,
 * CSP `frame-ancestors 'none'` for the others): a page that frames the login, SMS, organization or consent page
 * could trick a person into clicking Allow (clickjacking). Set on every answer, so no page is left out.
 */
export function noFraming(_req: Request, res: Response, next: NextFunction): void {
  res.set({ 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "frame-ancestors 'none'" });
  next();
}
