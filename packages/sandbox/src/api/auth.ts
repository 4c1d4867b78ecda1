import type { NextFunction, Request, Response } from 'express';
import type { SandboxContext } from '../context.js';
import type { Grant } from '../oauth/grants.js';

/**
 * A JSON:API error body, Qonto's error shape (https://docs.qonto.com/get-started/general/errors): `code`, `detail`,
 * and `source.parameter` when a query parameter is at fault.
 */
export function apiError(
  res: Response,
  status: number,
  code: string,
  detail: string,
  parameter?: string,
): void {
  res
    .status(status)
    .json({ errors: [parameter === undefined ? { code, detail } : { code, detail, source: { parameter } }] });
}

/** The grant behind the request's bearer token (set by {@link bearerAuth}). */
export function grantOf(res: Response): Grant {
  return res.locals.grant as Grant;
}

/**
 * `Authorization: Bearer <access_token>` (https://docs.qonto.com/get-started/business-api/authentication/oauth):
 * 401 when missing, unknown, expired (1 hour, by the emulator's clock) or revoked.
 */
export function bearerAuth(ctx: SandboxContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const grant = match ? ctx.store.findAccessToken(match[1] as string) : undefined;
    if (!grant) {
      res.set('WWW-Authenticate', 'Bearer');
      apiError(
        res,
        401,
        'unauthorized',
        match
          ? 'The access token is unknown, expired or revoked: refresh it, or reconnect if the refresh token is refused too.'
          : 'No access token: send Authorization: Bearer <access_token>.',
      );
      return;
    }
    res.locals.grant = grant;
    next();
  };
}

/** 403 unless the token was granted `scope` (each endpoint's scope is listed in Qonto's API reference). */
export function requireScope(scope: string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (grantOf(res).scopes.includes(scope)) {
      next();
      return;
    }
    apiError(
      res,
      403,
      'forbidden',
      `This access token was not granted the ${scope} scope that this endpoint needs: ask for it in the authorization request.`,
    );
  };
}
