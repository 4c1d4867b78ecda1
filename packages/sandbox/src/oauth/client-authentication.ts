import type { Request, Response } from 'express';
import { findClient, type SandboxContext } from '../context.js';
import { requestRecord } from '../request-log.js';
import type { SandboxClient } from '../types.js';
import { stringParam } from './redirects.js';

/** An RFC 6749 §5.2 error body; `no-store` like every token response. */
export function oauthError(res: Response, status: number, error: string, description: string): void {
  res
    .status(status)
    .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
    .json({ error, error_description: description });
}

/**
 * Client authentication at the token and revocation endpoints, before anything else is looked at: a form body
 * with `client_id` and `client_secret` (`client_secret_post`, the only method Qonto documents). Records how the
 * client authenticated in `sandbox.requests`. Returns the client, or undefined once an error was sent.
 */
export function authenticateClient(
  ctx: SandboxContext,
  req: Request,
  res: Response,
  endpoint: 'token' | 'revocation',
): SandboxClient | undefined {
  const record = requestRecord(res);
  const basic = /^basic\s/i.test(req.get('authorization') ?? '');
  const posted = stringParam(req.body, 'client_secret') !== undefined;
  if (record) record.clientAuth = basic ? 'basic' : posted ? 'post' : 'none';
  if (!req.is('application/x-www-form-urlencoded')) {
    oauthError(
      res,
      400,
      'invalid_request',
      `The ${endpoint} endpoint takes a form body (Content-Type: application/x-www-form-urlencoded), not ${req.get('content-type') ?? 'no body'}.`,
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
