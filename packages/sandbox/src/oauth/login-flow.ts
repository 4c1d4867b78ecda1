import type { AuthorizationFlow, SandboxContext } from '../context.js';
import { readCookie } from '../cookies.js';
import { SANDBOX_SMS_CODE } from '../demo.js';
import { formBody } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { redirect, sendHtml } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import { FLOW_LIFETIME_MS } from '../limits.js';
import type { SandboxUser } from '../types.js';
import { csrfCookie } from './authorize.js';
import { consentPage, loginPage, organizationPage, sendErrorPage, smsPage } from './pages.js';
import { redirectToClient, stringParam } from './redirects.js';

/**
 * The pages between `GET /oauth2/auth` and the redirect back to the app, as described on
 * https://docs.qonto.com/guides/authentication/oauth-flow: email and password, the SMS code, the organization
 * picker, consent. `GET /oauth2/login` shows the current step; each form posts to its own path.
 */
export function loginFlowRoutes(ctx: SandboxContext, router: Router): void {
  const form = formBody();
  const userOf = (flow: AuthorizationFlow) => ctx.data.users.find((u) => u.id === flow.userId) as SandboxUser;

  /** The flow of this browser, or an error page (and undefined) when it has none or lost its CSRF cookie. */
  function loadFlow(
    req: HttpRequest,
    res: HttpResponse,
    challenge: string | undefined,
  ): AuthorizationFlow | undefined {
    const flow = challenge === undefined ? undefined : ctx.flows.get(challenge);
    if (!flow) {
      sendErrorPage(res, 404, {
        error: 'invalid_request',
        description: `This login request is unknown, already finished, or expired (a login must end within ${FLOW_LIFETIME_MS / 60_000} minutes).`,
        fix: "Start again from the app's Connect with Qonto button.",
      });
      return undefined;
    }
    const csrf = readCookie(req, csrfCookie(ctx));
    if (csrf !== flow.csrf) {
      sendErrorPage(res, 403, {
        error: 'request_forbidden',
        description:
          csrf === undefined
            ? 'No CSRF value available in the session cookie'
            : 'The CSRF value in the session cookie belongs to another login request',
        fix:
          "Open the authorize URL in the user's own browser; never fetch it from your backend and forward its Location " +
          '(https://docs.qonto.com/guides/authentication/oauth-flow). Avoid parallel OAuth flows in one browser.',
      });
      return undefined;
    }
    return flow;
  }

  /** The page of the flow's current step, with `error` above its form. */
  function stepPage(flow: AuthorizationFlow, error?: string): string {
    const challenge = flow.challenge;
    if (flow.stage === 'login') {
      return loginPage({ challenge, error, demoUsers: ctx.demo ? ctx.data.users : undefined });
    }
    if (flow.stage === 'sms') return smsPage({ challenge, error });
    if (flow.stage === 'organization') {
      return organizationPage({ challenge, organizations: userOf(flow).organizations });
    }
    const consented = flow.userFlow
      ? userOf(flow).organizations.map((o) => o.id)
      : [flow.chosenOrganizationId];
    return consentPage({
      challenge,
      clientId: flow.clientId,
      organization: ctx.data.organizations
        .filter((o) => consented.includes(o.id))
        .map((o) => o.legal_name)
        .join(', '),
      scopes: flow.scopes,
    });
  }

  const show = (res: HttpResponse, status: number, flow: AuthorizationFlow, error?: string) =>
    sendHtml(res, status, stepPage(flow, error));

  const backToCurrentStep = (res: HttpResponse, flow: AuthorizationFlow) =>
    redirect(res, 303, `/oauth2/login?login_challenge=${encodeURIComponent(flow.challenge)}`);

  /** A POST for `stage`: the flow, or undefined once an answer was sent (error page, or back to the real step). */
  function postedFlow(req: HttpRequest, res: HttpResponse, stage: AuthorizationFlow['stage']) {
    const flow = loadFlow(req, res, stringParam(req.body, 'login_challenge'));
    if (flow && flow.stage !== stage) {
      backToCurrentStep(res, flow);
      return undefined;
    }
    return flow;
  }

  router.get('/oauth2/login', (req, res) => {
    const flow = loadFlow(req, res, stringParam(req.query, 'login_challenge'));
    if (flow) show(res, 200, flow);
  });

  router.post('/oauth2/login/credentials', form, (req, res) => {
    const flow = postedFlow(req, res, 'login');
    if (!flow) return;
    const email = (stringParam(req.body, 'email') ?? '').trim().toLowerCase();
    const user = ctx.data.users.find((u) => u.email.toLowerCase() === email);
    if (!user || user.password !== stringParam(req.body, 'password')) {
      return show(res, 401, flow, 'Incorrect email or password.');
    }
    flow.userId = user.id;
    flow.authTime = ctx.clock.now();
    flow.stage = 'sms';
    backToCurrentStep(res, flow);
  });

  router.post('/oauth2/login/sms', form, (req, res) => {
    const flow = postedFlow(req, res, 'sms');
    if (!flow) return;
    if ((stringParam(req.body, 'code') ?? '').trim() !== SANDBOX_SMS_CODE) {
      return show(res, 401, flow, 'This code is not valid. In the sandbox the code is always 123456.');
    }
    const user = userOf(flow);
    const requested = flow.organizationId;
    if (requested !== undefined && !user.organizations.some((o) => o.id === requested)) {
      sendErrorPage(res, 403, {
        error: 'access_denied',
        description: `${user.email} is not a member of the organization ${requested} given in organization_id.`,
        fix: 'Log in as a member of that organization, or leave organization_id out to let the user choose.',
      });
      return;
    }
    // The user flow's consent covers every organization of the user (emulator choice: Qonto does not document how
    // a user picks them), so there is no organization to choose.
    if (flow.userFlow) {
      flow.chosenOrganizationId = user.organizations[0]?.id;
      flow.stage = 'consent';
      return backToCurrentStep(res, flow);
    }
    // registration_id: the emulator has no Onboarding API, so it preselects the user's first organization.
    const preselected =
      requested ?? (flow.registrationId !== undefined ? user.organizations[0]?.id : undefined);
    const only = user.organizations.length === 1 ? user.organizations[0]?.id : undefined;
    flow.chosenOrganizationId = preselected ?? only;
    flow.stage = flow.chosenOrganizationId === undefined ? 'organization' : 'consent';
    backToCurrentStep(res, flow);
  });

  router.post('/oauth2/login/organization', form, (req, res) => {
    const flow = postedFlow(req, res, 'organization');
    if (!flow) return;
    const chosen = stringParam(req.body, 'organization_id');
    if (!userOf(flow).organizations.some((o) => o.id === chosen)) return show(res, 400, flow);
    flow.chosenOrganizationId = chosen;
    flow.stage = 'consent';
    backToCurrentStep(res, flow);
  });

  router.post('/oauth2/login/consent', form, (req, res) => {
    const flow = postedFlow(req, res, 'consent');
    if (!flow) return;
    ctx.flows.delete(flow.challenge);
    if (stringParam(req.body, 'decision') !== 'allow') {
      return redirectToClient(res, flow.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied access to their Qonto account.',
        state: flow.state,
      });
    }
    const membership = ctx.data.memberships.find(
      (m) => m.userId === flow.userId && m.organizationId === flow.chosenOrganizationId,
    );
    if (!membership) throw new Error('The chosen organization has no membership for this user');
    const code = ctx.store.issueCode(
      {
        clientId: flow.clientId,
        userId: membership.userId,
        membershipId: membership.id,
        organizationId: membership.organizationId,
        scopes: flow.scopes,
        authTime: flow.authTime ?? flow.requestedAt,
        requestedAt: flow.requestedAt,
        nonce: flow.nonce,
        ...(flow.userFlow && {
          organizationIds: ctx.data.memberships
            .filter((m) => m.userId === flow.userId)
            .map((m) => m.organizationId),
        }),
      },
      flow.redirectUri,
      flow.codeChallenge,
    );
    redirectToClient(res, flow.redirectUri, { code, state: flow.state });
  });
}
