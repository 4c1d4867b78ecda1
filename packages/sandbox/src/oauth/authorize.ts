import { isRegisteredRedirectUri } from '../clients.js';
import { type AuthorizationFlow, findClient, type SandboxContext } from '../context.js';
import { readCookie, writeCookie } from '../cookies.js';
import { formBody } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { redirect, sendHtml } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import { randomSecret } from '../random.js';
import { parseScopes, QONTO_SCOPES, scopesAllowedTo } from '../scopes.js';
import { sendErrorPage, webAppLoginPage } from './pages.js';
import { pathOnEmulator, redirectToClient, stringParam } from './redirects.js';

/** The cookie that stands for a session on the sandbox web app. */
export const webAppCookie = (ctx: SandboxContext) => `qonto_sandbox_webapp_${ctx.cookieSuffix}`;
/** The authorize flow's CSRF cookie (Ory Hydra's `request_forbidden` when it is missing). */
export const csrfCookie = (ctx: SandboxContext) => `qonto_sandbox_csrf_${ctx.cookieSuffix}`;

const CODE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * `GET /oauth2/auth` (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/retrieve_authorization)
 * and the emulated sandbox web app it requires. Parameter errors after the client and redirect URI are known go
 * back to the client as `?error=`; an unknown client or redirect URI gets an error page, never a redirect.
 */
export function authorizeRoutes(ctx: SandboxContext, router: Router): void {
  router.get('/oauth2/auth', (req: HttpRequest, res: HttpResponse) => {
    const q = req.query;
    const client = findClient(ctx, stringParam(q, 'client_id'));
    if (!client) {
      sendErrorPage(res, 404, {
        error: 'invalid_client',
        description: `No app with client_id ${JSON.stringify(stringParam(q, 'client_id') ?? '')} is registered on this emulator.`,
        fix: 'Use the client id of a registered app (sandbox.clients, or the demo client qonto-oauth-demo in demo mode), and the credentials of the same environment.',
      });
      return;
    }
    const redirectUri = stringParam(q, 'redirect_uri');
    if (!redirectUri || !isRegisteredRedirectUri(client, redirectUri)) {
      sendErrorPage(res, 404, {
        error: 'invalid_request',
        description: `The redirect_uri ${JSON.stringify(redirectUri ?? '')} is not registered for client ${client.clientId}.`,
        fix: `Register it (Developer Portal > Settings on Qonto; addClient on the emulator) or send one of: ${client.redirectUris.join(', ')}.`,
      });
      return;
    }
    const state = stringParam(q, 'state');
    const fail = (error: string, description: string) =>
      redirectToClient(res, redirectUri, { error, error_description: description, state });
    if (stringParam(q, 'response_type') !== 'code') {
      return fail('unsupported_response_type', 'response_type must be code, the only one Qonto supports.');
    }
    // Ory Hydra (Qonto's OAuth server) refuses a state under 8 characters, a missing one included, in these words.
    if (state === undefined || state.length < 8) {
      return fail(
        'invalid_state',
        "The state is missing or does not have enough characters and is therefore considered too weak. Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.",
      );
    }
    const scopes = parseScopes(stringParam(q, 'scope'));
    if (scopes.length === 0)
      return fail('invalid_request', 'The scope parameter is required (space-separated).');
    const unknown = scopes.find((s) => !(s in QONTO_SCOPES));
    if (unknown) return fail('invalid_scope', `The scope ${JSON.stringify(unknown)} is not a Qonto scope.`);
    const allowed = scopesAllowedTo(client);
    const refused = scopes.find((s) => !allowed.includes(s));
    if (refused)
      return fail('invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${refused}'.`);
    const identityType = stringParam(q, 'identity_type');
    if (identityType !== undefined && identityType !== 'user') {
      return fail(
        'invalid_request',
        'identity_type is user (the user OAuth flow) or absent (the membership flow).',
      );
    }
    // Emulator choice for the error code: Qonto documents the approval and the exclusivity, not its answers.
    if (identityType === 'user' && client.userFlow !== true) {
      return fail(
        'unauthorized_client',
        'This app is not approved for the user OAuth flow (identity_type=user): Qonto approves it on request, ' +
          'through a Developer Portal ticket. Leave identity_type out for the membership flow.',
      );
    }
    if (identityType === undefined && client.userFlow === true) {
      return fail(
        'unauthorized_client',
        'This app uses the user OAuth flow, which excludes the membership flow: send identity_type=user.',
      );
    }
    const codeChallenge = stringParam(q, 'code_challenge');
    if (codeChallenge !== undefined) {
      if (stringParam(q, 'code_challenge_method') !== 'S256') {
        return fail('invalid_request', 'code_challenge_method must be S256 when a code_challenge is sent.');
      }
      if (!CODE_CHALLENGE.test(codeChallenge))
        return fail('invalid_request', 'The code_challenge is malformed.');
    }

    if (ctx.mode === 'sandbox' && !ctx.webAppSessions.has(readCookie(req, webAppCookie(ctx)) ?? '')) {
      sendHtml(res, 200, webAppLoginPage(req.url ?? '/'));
      return;
    }

    const flow: AuthorizationFlow = {
      challenge: randomSecret(),
      csrf: randomSecret(),
      clientId: client.clientId,
      redirectUri,
      scopes,
      state,
      nonce: stringParam(q, 'nonce'),
      codeChallenge,
      organizationId: stringParam(q, 'organization_id'),
      ...(identityType === 'user' && { userFlow: true }),
      registrationId: stringParam(q, 'registration_id'),
      requestedAt: ctx.clock.now(),
      stage: 'login',
    };
    ctx.flows.set(flow.challenge, flow);
    writeCookie(res, csrfCookie(ctx), flow.csrf);
    redirect(res, 302, `/oauth2/login?login_challenge=${encodeURIComponent(flow.challenge)}`);
  });

  // The emulated sandbox web app: one button logs the browser in and sends it back where it was going.
  router.get('/devportal', (_req, res) => sendHtml(res, 200, webAppLoginPage('/')));
  router.post('/devportal/login', formBody(), (req, res) => {
    const session = randomSecret();
    ctx.webAppSessions.set(session, true);
    writeCookie(res, webAppCookie(ctx), session);
    redirect(res, 303, pathOnEmulator(ctx.url, stringParam(req.body, 'return_to')));
  });
}
