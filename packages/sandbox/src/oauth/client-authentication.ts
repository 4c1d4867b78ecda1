import { findClient, type SandboxContext } from '../context.js';
import { hasBodyOfType } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import { requestRecord } from '../request-log.js';
import type { SandboxClient } from '../types.js';
import { stringParam } from './redirects.js';

/** An RFC 6749 §5.2 error body; `no-store` like every token response. */
export function oauthError(res: HttpResponse, status: number, error: string, description: string): void {
  noStore(res);
  sendJson(res, status, { error, error_description: description });
}

/** `Cache-Control: no-store` and `Pragma: no-cache`, as on every answer of the token endpoint (RFC 6749 §5.1). */
export function noStore(res: HttpResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

/**
 * Client authentication at the token and revocation endpoints, before anything else is looked at: a form body
 * with `client_id` and `client_secret` (`client_secret_post`, the only method Qonto documents). Records how the
 * client authenticated in `sandbox.requests`. Returns the client, or undefined once an error was sent.
 */
export function authenticateClient(
  ctx: SandboxContext,
  req: HttpRequest,
  res: HttpResponse,
  endpoint: 'token' | 'revocation',
): SandboxClient | undefined {
  const record = requestRecord(res);
  const basic = /^basic\s/i.test(req.header('authorization') ?? '');
  const posted = stringParam(req.body, 'client_secret') !== undefined;
  if (record) record.clientAuth = basic ? 'basic' : posted ? 'post' : 'none';
  if (!hasBodyOfType(req, 'application/x-www-form-urlencoded')) {
    oauthError(
      res,
      400,
      'invalid_request',
      `The ${endpoint} endpoint takes a form body (Content-Type: application/x-www-form-urlencoded), not ${req.header('content-type') ?? 'no body'}.`,
    );
    return undefined;
  }
  if (basic) {
    oauthError(
      res,
      401,
      'invalid_client',
      'This client authenticates with client_secret_post: send client_id and client_secret in the form body, not in an Authorization: Basic header.',
    );
    return undefined;
  }
  const client = findClient(ctx, stringParam(req.body, 'client_id'));
  if (!client || client.clientSecret !== stringParam(req.body, 'client_secret')) {
    oauthError(
      res,
      401,
      'invalid_client',
      'Client authentication failed: unknown client_id or wrong client_secret (credentials of the other environment?).',
    );
    return undefined;
  }
  return client;
}
