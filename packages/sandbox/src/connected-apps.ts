import type { SandboxContext } from './context.js';
import { readCookie, writeCookie } from './cookies.js';
import { ExpiringMap } from './expiring-map.js';
import { escapeHtml, hiddenField, page } from './html.js';
import { formBody } from './http/body.js';
import type { HttpRequest } from './http/request.js';
import { redirect, sendHtml } from './http/respond.js';
import type { HttpResponse } from './http/response.js';
import type { Router } from './http/router.js';
import { BROWSER_STATE_CAPACITY, WEB_APP_SESSION_LIFETIME_MS } from './limits.js';
import { consentedOrganizations, type Grant } from './oauth/grants.js';
import { credentialsForm, errorBanner, sendErrorPage } from './oauth/pages.js';
import { stringParam } from './oauth/redirects.js';
import { randomSecret } from './random.js';
import type { SandboxUser } from './types.js';
import { revokeConsent } from './webhooks/events.js';

/** A member signed in to the connected-apps page, with the CSRF value its forms carry. */
interface MemberSession {
  userId: string;
  csrf: string;
}

/** One app a member gave access to in one organization, as the page lists it. */
interface ConnectedApp {
  clientId: string;
  scopes: string[];
  since: number;
}

/** The apps `user` consented to, per organization id: live grants merged per app (scopes joined, earliest date). */
function connectedApps(grants: readonly Grant[], user: SandboxUser): Map<string, ConnectedApp[]> {
  const byOrganization = new Map<string, Map<string, ConnectedApp>>();
  for (const g of grants) {
    if (g.userId !== user.id) continue;
    for (const organizationId of consentedOrganizations(g)) {
      const apps = byOrganization.get(organizationId) ?? new Map<string, ConnectedApp>();
      byOrganization.set(organizationId, apps);
      const app = apps.get(g.clientId) ?? { clientId: g.clientId, scopes: [], since: g.requestedAt };
      app.scopes = [...new Set([...app.scopes, ...g.scopes])];
      app.since = Math.min(app.since, g.requestedAt);
      apps.set(g.clientId, app);
    }
  }
  return new Map([...byOrganization].map(([id, apps]) => [id, [...apps.values()]]));
}

function signInPage(o: { csrf: string; error?: string; demoUsers?: readonly SandboxUser[] }): string {
  return page({
    title: 'Connected apps: log in to Qonto',
    step: 'connected-apps-login',
    body: `<h1>Connected apps</h1>
<p>Log in to see the apps you gave access to your organizations, and revoke them.</p>
${errorBanner(o.error)}
${credentialsForm({
  action: '/connected-apps/login',
  step: 'connected-apps-login',
  hidden: hiddenField('csrf', o.csrf),
  demoUsers: o.demoUsers,
})}`,
  });
}

function listPage(o: {
  user: SandboxUser;
  csrf: string;
  apps: Map<string, ConnectedApp[]>;
  revoked?: string;
}): string {
  const organizations = o.user.organizations
    .map((org) => {
      const apps = o.apps.get(org.id) ?? [];
      const rows = apps
        .map(
          (
            app,
          ) => `<tr data-client-id="${escapeHtml(app.clientId)}"><td><code>${escapeHtml(app.clientId)}</code></td>
<td>${app.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</td>
<td>${escapeHtml(new Date(app.since).toISOString().slice(0, 10))}</td>
<td><form method="post" action="/connected-apps/revoke" data-step="revoke">
${hiddenField('csrf', o.csrf)}${hiddenField('client_id', app.clientId)}${hiddenField('organization_id', org.id)}
<button type="submit">Revoke</button></form></td></tr>`,
        )
        .join('\n');
      const list = apps.length
        ? `<table><tr><th>App (client id)</th><th>Access</th><th>Since</th><th></th></tr>\n${rows}</table>`
        : '<p class="note">No app has access to this organization.</p>';
      return `<section data-organization-id="${escapeHtml(org.id)}"><h2>${escapeHtml(org.legalName)}</h2>\n${list}</section>`;
    })
    .join('\n');
  const notice = o.revoked
    ? `<p class="note" role="status">Access of <code>${escapeHtml(o.revoked)}</code> revoked: its tokens no longer work, and its webhook subscriptions got a <code>v1/consent-revocations</code> event.</p>`
    : '';
  return page({
    title: 'Connected apps',
    step: 'connected-apps',
    body: `<h1>Connected apps</h1>
<p>Logged in as <code>${escapeHtml(o.user.email)}</code>. Apps you gave access to, per organization:</p>
${notice}
${organizations}
<form method="post" action="/connected-apps/logout" data-step="logout">${hiddenField('csrf', o.csrf)}
<button type="submit" class="secondary">Log out</button></form>`,
  });
}

/**
 * A POST from a page of another site is refused: the browser's `Sec-Fetch-Site` must say same-origin (or a typed
 * address), and an `Origin` must name this host. Forms also carry a CSRF value; this is the second lock.
 */
function sameOrigin(req: HttpRequest, res: HttpResponse): void {
  const site = req.header('sec-fetch-site');
  const origin = req.header('origin');
  const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
  const otherOrigin = origin !== undefined && URL.parse(origin)?.host !== req.header('host');
  if (crossSite || otherOrigin) {
    sendErrorPage(res, 403, {
      error: 'request_forbidden',
      description: 'This form was posted from another site.',
      fix: 'Use the connected-apps page of the emulator itself.',
    });
  }
}

/**
 * The member's side of consent, as in Qonto's web app: `/connected-apps` lists, per organization, the apps the
 * signed-in member gave access to, each with a Revoke button that does what `sandbox.revokeConsent` does. Its own
 * email-and-password login (no SMS step: an emulator choice), sessions bounded like the web-app ones, CSRF values on
 * every form and same-origin POSTs only.
 */
export function connectedAppsRoutes(ctx: SandboxContext, router: Router): void {
  const form = formBody(4 * 1024);
  const sessions = new ExpiringMap<string, MemberSession>({
    keepMs: WEB_APP_SESSION_LIFETIME_MS,
    capacity: BROWSER_STATE_CAPACITY,
    now: ctx.clock.now,
  });
  // The cookie names end with the port, known once the server listens: built per request.
  const sessionCookie = () => `qonto_sandbox_member_${ctx.cookieSuffix}`;
  const loginCsrfCookie = () => `qonto_sandbox_apps_csrf_${ctx.cookieSuffix}`;
  const sessionOf = (req: HttpRequest) => {
    const id = readCookie(req, sessionCookie()) ?? '';
    const session = sessions.get(id);
    return session ? { id, ...session } : undefined;
  };
  const userOf = (session: MemberSession) =>
    ctx.data.users.find((u) => u.id === session.userId) as SandboxUser;
  const forbidden = (res: HttpResponse) =>
    sendErrorPage(res, 403, {
      error: 'request_forbidden',
      description: 'The form is stale or was not sent by this page (its CSRF value does not match).',
      fix: 'Reload the connected-apps page and try again.',
    });
  const showSignIn = (req: HttpRequest, res: HttpResponse, status: number, error?: string) => {
    let csrf = readCookie(req, loginCsrfCookie());
    if (!csrf || !/^[\w-]{16,64}$/.test(csrf)) {
      csrf = randomSecret();
      writeCookie(res, loginCsrfCookie(), csrf);
    }
    sendHtml(res, status, signInPage({ csrf, error, demoUsers: ctx.demo ? ctx.data.users : undefined }));
  };

  router.get('/connected-apps', (req, res) => {
    const session = sessionOf(req);
    if (!session) return showSignIn(req, res, 200);
    const revoked = stringParam(req.query, 'revoked');
    sendHtml(
      res,
      200,
      listPage({
        user: userOf(session),
        csrf: session.csrf,
        apps: connectedApps(ctx.store.liveGrants(), userOf(session)),
        revoked: revoked && ctx.clients.some((c) => c.clientId === revoked) ? revoked : undefined,
      }),
    );
  });

  router.post('/connected-apps/login', sameOrigin, form, (req, res) => {
    const csrf = readCookie(req, loginCsrfCookie());
    if (!csrf || stringParam(req.body, 'csrf') !== csrf) return forbidden(res);
    const email = (stringParam(req.body, 'email') ?? '').trim().toLowerCase();
    const user = ctx.data.users.find((u) => u.email.toLowerCase() === email);
    if (!user || user.password !== stringParam(req.body, 'password')) {
      return showSignIn(req, res, 401, 'Incorrect email or password.');
    }
    const id = randomSecret();
    sessions.set(id, { userId: user.id, csrf: randomSecret() });
    writeCookie(res, sessionCookie(), id);
    redirect(res, 303, '/connected-apps');
  });

  router.post('/connected-apps/revoke', sameOrigin, form, (req, res) => {
    const session = sessionOf(req);
    if (!session || stringParam(req.body, 'csrf') !== session.csrf) return forbidden(res);
    const clientId = stringParam(req.body, 'client_id') ?? '';
    const organizationId = stringParam(req.body, 'organization_id') ?? '';
    const user = userOf(session);
    const apps = connectedApps(ctx.store.liveGrants(), user).get(organizationId) ?? [];
    if (!apps.some((a) => a.clientId === clientId)) {
      sendErrorPage(res, 404, {
        error: 'not_found',
        description: 'This app has no access to this organization any more (or never had).',
        fix: 'Go back to the connected-apps page: it lists the apps that have access.',
      });
      return;
    }
    // The tokens stop working before the answer; the webhook deliveries go on in the background.
    revokeConsent(ctx, { clientId, organizationId, email: user.email }).catch(() => {});
    redirect(res, 303, `/connected-apps?revoked=${encodeURIComponent(clientId)}`);
  });

  router.post('/connected-apps/logout', sameOrigin, form, (req, res) => {
    const session = sessionOf(req);
    if (!session || stringParam(req.body, 'csrf') !== session.csrf) return forbidden(res);
    sessions.delete(session.id);
    redirect(res, 303, '/connected-apps');
  });
}
