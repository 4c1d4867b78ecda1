import { escapeHtml } from '../html.js';
import type { HttpResponse } from './response.js';

/**
 * Ends the answer with `body` and its type and length. A HEAD answer keeps the headers and drops the body
 * (Node does that). Headers set before (the trace id, `Cache-Control`, …) are kept.
 */
export function send(res: HttpResponse, status: number, type: string, body: string | Uint8Array): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  res.end(body);
}

/** A JSON answer. */
export function sendJson(res: HttpResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** An HTML page. */
export function sendHtml(res: HttpResponse, status: number, html: string): void {
  send(res, status, 'text/html; charset=utf-8', html);
}

/** An answer without a body (a 204, a revocation's 200, a redirect back to a client). */
export function sendEmpty(res: HttpResponse, status: number): void {
  res.statusCode = status;
  res.end();
}

/**
 * Percent-encodes what a URL may not hold raw, leaving `%XX` sequences as they are (the `encodeurl` package's
 * rule): a `Location` is always a valid URL.
 */
function encodeUrl(url: string): string {
  return url
    .replace(/(^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uD800-\uDBFF]([^\uDC00-\uDFFF]|$)/g, '$1\uFFFD$2')
    .replace(/(?:[^\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]|%(?![0-9A-Fa-f]{2}))+/g, encodeURI);
}

/** Sets `Location` to `url`, encoded as a URL must be. */
export function setLocation(res: HttpResponse, url: string): void {
  res.setHeader('Location', encodeUrl(url));
}

const REASONS: Record<number, string> = { 302: 'Found', 303: 'See Other' };

/**
 * A redirect with a short body in the type the client accepts (plain text unless it asks for HTML, none when it
 * accepts neither), as web frameworks send it.
 */
export function redirect(res: HttpResponse, status: 302 | 303, url: string): void {
  setLocation(res, url);
  const location = res.getHeader('Location') as string;
  const accept = res.req.headers.accept;
  const message = `${REASONS[status]}. Redirecting to ${location}`;
  res.setHeader('Vary', 'Accept');
  if (accept !== undefined && /\btext\/html\b/i.test(accept)) {
    const reason = REASONS[status];
    sendHtml(
      res,
      status,
      `<!DOCTYPE html><head><title>${reason}</title></head><body><p>${escapeHtml(message)}</p></body>`,
    );
  } else if (accept === undefined || /(^|[\s,])(text\/plain|text\/\*|\*\/\*)/i.test(accept)) {
    send(res, status, 'text/plain; charset=utf-8', message);
  } else {
    res.statusCode = status;
    res.setHeader('Content-Length', 0);
    res.end();
  }
}
