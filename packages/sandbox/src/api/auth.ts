import { apiError, MISSING_SCOPE_DETAIL } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { Step } from '../http/router.js';
import type { Grant } from '../oauth/grants.js';

/** The grant behind the request's bearer token (set by {@link bearerAuth}). */
export function grantOf(res: HttpResponse): Grant {
  return res.locals.grant as Grant;
}

/**
 * `Authorization: Bearer <access_token>` (https://docs.qonto.com/get-started/business-api/authentication/oauth):
 * 401 when missing, unknown, expired (1 hour, by the emulator's clock) or revoked.
 */
export function bearerAuth(ctx: SandboxContext): Step {
  return (req: HttpRequest, res: HttpResponse): void => {
    const match = /^bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    const grant = match ? ctx.store.findAccessToken(match[1] as string) : undefined;
    if (!grant) {
      res.setHeader('WWW-Authenticate', 'Bearer');
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
    res.locals.grant = grant.organizationIds === undefined ? grant : userFlowGrant(ctx, req, res, grant);
  };
}

/** The path a user-flow token calls without naming an organization. */
export const USER_ORGANIZATIONS_PATH = '/v2/user_organizations';

/**
 * A user-flow token acts in the organization named by `X-Qonto-Organization-Id`, as the user's membership there;
 * missing, or not one the user consented to → 403 (https://docs.qonto.com/get-started/business-api/authentication/oauth/user-oauth-flow).
 * Undefined once the 403 is sent.
 */
function userFlowGrant(
  ctx: SandboxContext,
  req: HttpRequest,
  res: HttpResponse,
  grant: Grant,
): Grant | undefined {
  if (req.path.toLowerCase() === USER_ORGANIZATIONS_PATH) return grant;
  const organizationId = req.header('x-qonto-organization-id');
  const membership = ctx.data.memberships.find(
    (m) => m.userId === grant.userId && m.organizationId === organizationId,
  );
  if (organizationId === undefined || !grant.organizationIds?.includes(organizationId) || !membership) {
    apiError(
      res,
      403,
      'forbidden',
      organizationId === undefined
        ? 'A token of the user OAuth flow needs X-Qonto-Organization-Id: the id of one of the organizations the user consented to (GET /v2/user_organizations).'
        : 'X-Qonto-Organization-Id is not an organization the user consented to (GET /v2/user_organizations lists them).',
    );
    return undefined;
  }
  return { ...grant, organizationId, membershipId: membership.id };
}

/**
 * 403 unless the token was granted one of `scopes` (each endpoint's scopes are listed in Qonto's API reference),
 * with Qonto's own detail text, which names no scope (seen by real clients, which match on it).
 */
export function requireScope(...scopes: string[]): Step {
  return (_req: HttpRequest, res: HttpResponse): void => {
    const granted = grantOf(res).scopes;
    if (!scopes.some((s) => granted.includes(s))) apiError(res, 403, 'forbidden', MISSING_SCOPE_DETAIL);
  };
}

/** The bearer token, then one of `scopes`: what every Business API route checks before its own work. */
export function authorized(ctx: SandboxContext, ...scopes: string[]): Step {
  const bearer = bearerAuth(ctx);
  const scope = requireScope(...scopes);
  return (req: HttpRequest, res: HttpResponse): void => {
    bearer(req, res);
    if (!res.writableEnded) scope(req, res);
  };
}
