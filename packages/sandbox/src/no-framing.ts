import type { HttpRequest } from './http/request.js';
import type { HttpResponse } from './http/response.js';

/**
 * Forbids every page of the emulator from being shown in a frame (`X-Frame-Options: DENY` for older browsers,
 * CSP `frame-ancestors 'none'` for the others): a page that frames the login, SMS, organization or consent page
 * could trick a person into clicking Allow (clickjacking). Set on every answer, so no page is left out.
 */
export function noFraming(_req: HttpRequest, res: HttpResponse): void {
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
}
