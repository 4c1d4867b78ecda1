import { createHash } from 'node:crypto';
import type { SandboxContext } from '../context.js';
import { formBody } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import { stagingGate } from '../staging-gate.js';
import { authenticateClient, noStore, oauthError } from './client-authentication.js';
import { ACCESS_TOKEN_LIFETIME_S, type Grant, type RefreshOutcome } from './grants.js';
import { stringParam } from './redirects.js';

const REFRESH_REFUSALS: Record<Exclude<RefreshOutcome, { ok: true }>['reason'], string> = {
  unknown: 'The refresh token is unknown.',
  'other-client': 'The refresh token was issued to another client.',
  expired: 'The refresh token has expired (refresh tokens live 90 days).',
  revoked:
    'The refresh token was revoked (consent revoked, its authorization code used twice, or a refresh token of this connection reused after its 60 s grace).',
  reused:
    'The refresh token was already used more than 60 s ago: reusing it is treated as a stolen token, so every token of this connection is now revoked, the newest included. Reconnect, and always store the refresh token each refresh returns.',
};

/**
 * `POST /oauth2/token` as documented on
 * https://docs.qonto.com/api-reference/business-api/authentication/oauth2/create_tokens and the token and
 * refresh-token endpoint pages: form-encoded, `client_secret_post`, client authentication before the grant.
 */
export function tokenRoutes(ctx: SandboxContext, router: Router): void {
  async function issue(res: HttpResponse, grant: Grant): Promise<void> {
    const openid = grant.scopes.includes('openid');
    if (openid) await ctx.signer.ready();
    const { accessToken, refreshToken } = ctx.store.issueTokens(grant);
    const body: Record<string, string | number> = {
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_LIFETIME_S,
    };
    if (openid) {
      const email = ctx.data.users.find((u) => u.id === grant.userId)?.email ?? '';
      body.id_token = await ctx.signer.sign({
        issuer: ctx.url,
        grant,
        email,
        accessToken,
        now: ctx.clock.now(),
      });
    }
    if (refreshToken !== undefined) body.refresh_token = refreshToken;
    body.scope = grant.scopes.join(' ');
    body.token_type = 'bearer';
    noStore(res);
    sendJson(res, 200, body);
  }

  async function authorizationCodeGrant(
    req: HttpRequest,
    res: HttpResponse,
    clientId: string,
  ): Promise<void> {
    const code = stringParam(req.body, 'code');
    if (!code) return oauthError(res, 400, 'invalid_request', 'The code parameter is missing.');
    const found = ctx.store.findCode(code);
    if (!found || found.record.consent.clientId !== clientId) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        'The authorization code is unknown or was issued to another client.',
      );
    }
    const { record, expired } = found;
    if (record.grantId !== undefined) {
      ctx.store.revokeGrant(record.grantId);
      return oauthError(
        res,
        400,
        'invalid_grant',
        'The authorization code has already been used. Every token issued from it is now revoked: exchange each code once.',
      );
    }
    if (expired) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        'The authorization code has expired: codes are valid 10 minutes.',
      );
    }
    if (stringParam(req.body, 'redirect_uri') !== record.redirectUri) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        'The redirect_uri does not match the one of the authorization request: send exactly the same value.',
      );
    }
    const verifier = stringParam(req.body, 'code_verifier');
    if (record.codeChallenge === undefined && verifier !== undefined) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        'A code_verifier was sent, but the authorization request had no code_challenge.',
      );
    }
    if (record.codeChallenge !== undefined) {
      const computed =
        verifier === undefined ? undefined : createHash('sha256').update(verifier).digest('base64url');
      if (computed !== record.codeChallenge) {
        return oauthError(
          res,
          400,
          'invalid_grant',
          verifier === undefined
            ? 'The code_verifier is missing: the authorization request had a code_challenge.'
            : 'The code_verifier does not match the code_challenge of the authorization request (PKCE S256).',
        );
      }
    }
    await issue(res, ctx.store.redeemCode(code));
  }

  async function refreshTokenGrant(req: HttpRequest, res: HttpResponse, clientId: string): Promise<void> {
    const token = stringParam(req.body, 'refresh_token');
    if (!token) return oauthError(res, 400, 'invalid_request', 'The refresh_token parameter is missing.');
    const outcome = ctx.store.useRefreshToken(token, clientId);
    if (!outcome.ok) return oauthError(res, 400, 'invalid_grant', REFRESH_REFUSALS[outcome.reason]);
    await issue(res, outcome.grant);
  }

  router.post(
    '/oauth2/token',
    stagingGate(ctx, 'oauth'),
    formBody(),
    async (req: HttpRequest, res: HttpResponse) => {
      const client = authenticateClient(ctx, req, res, 'token');
      if (!client) return;
      const grantType = stringParam(req.body, 'grant_type');
      if (grantType === 'authorization_code') return authorizationCodeGrant(req, res, client.clientId);
      if (grantType === 'refresh_token') return refreshTokenGrant(req, res, client.clientId);
      oauthError(
        res,
        400,
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token.',
      );
    },
  );
}
