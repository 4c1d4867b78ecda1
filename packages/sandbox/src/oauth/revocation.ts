import type { SandboxContext } from '../context.js';
import { formBody } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { sendEmpty } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import { stagingGate } from '../staging-gate.js';
import { authenticateClient, noStore, oauthError } from './client-authentication.js';
import { stringParam } from './redirects.js';

/**
 * `POST /oauth2/revoke`, RFC 7009 token revocation as Ory Hydra (Qonto's OAuth server) answers it. Known from real
 * clients (qontoctl signs out with it), not from Qonto's docs. Behind the staging gate like the token endpoint;
 * `client_secret_post`; `token` (an access or refresh token) and an optional `token_type_hint`. Revoking either
 * token revokes every token of its grant (Hydra revokes by request id, which refreshes keep). An unknown, expired
 * or already revoked token is a success, as RFC 7009 §2.2 says; another client's token is `unauthorized_client`.
 * Success is a 200 with an empty body.
 */
export function revocationRoutes(ctx: SandboxContext, router: Router): void {
  router.post(
    '/oauth2/revoke',
    stagingGate(ctx, 'oauth'),
    formBody(),
    (req: HttpRequest, res: HttpResponse) => {
      const client = authenticateClient(ctx, req, res, 'revocation');
      if (!client) return;
      const token = stringParam(req.body, 'token');
      if (!token) {
        oauthError(
          res,
          400,
          'invalid_request',
          'The token parameter is missing: send the access or refresh token to revoke.',
        );
        return;
      }
      const grant = ctx.store.findGrantOfToken(token);
      if (grant && grant.clientId !== client.clientId) {
        oauthError(
          res,
          400,
          'unauthorized_client',
          'The client is not authorized to request a token using this method.',
        );
        return;
      }
      if (grant) ctx.store.revokeGrant(grant.id);
      noStore(res);
      sendEmpty(res, 200);
    },
  );
}
