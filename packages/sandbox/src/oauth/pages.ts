import { escapeHtml, hiddenField, page } from '../html.js';
import { sendHtml } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import { QONTO_SCOPES } from '../scopes.js';
import type { SandboxUser } from '../types.js';

export function errorBanner(error: string | undefined): string {
  return error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
}

/**
 * The sandbox web-app prerequisite: on Qonto's sandbox the authorize page opens only in a browser already logged in
 * to the sandbox web app (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/retrieve_authorization).
 */
export function webAppLoginPage(returnTo: string): string {
  return page({
    title: 'Log in to the Qonto sandbox web app first',
    step: 'sandbox-web-app',
    body: `<h1>Log in to the Qonto sandbox web app first</h1>
<p>On Qonto's sandbox, this page opens only in a browser already logged in to the sandbox web app
(<code>https://sandbox.staging.qonto.co/devportal</code>) with your Developer Portal account. This browser is not.</p>
<form method="post" action="/devportal/login" data-step="sandbox-web-app">
${hiddenField('return_to', returnTo)}
<button type="submit">Log in to the sandbox web app and continue</button>
</form>`,
  });
}

/** The demo users with their passwords, for demo mode's login pages; empty without users. */
function demoUsersTable(users: readonly SandboxUser[] | undefined): string {
  return users?.length
    ? `<p class="note">Demo users:</p><table><tr><th>Email</th><th>Password</th><th>Organizations</th></tr>${users
        .map(
          (u) =>
            `<tr><td><code>${escapeHtml(u.email)}</code></td><td><code>${escapeHtml(u.password)}</code></td><td>${u.organizations.length}</td></tr>`,
        )
        .join('')}</table>`
    : '';
}

/**
 * An email-and-password form posting to `action` with `hidden` fields (already HTML), and the demo users under it in
 * demo mode: the login step of the authorize pages and the connected-apps page's login.
 */
export function credentialsForm(o: {
  action: string;
  step: string;
  hidden: string;
  demoUsers?: readonly SandboxUser[] | undefined;
}): string {
  return `<form method="post" action="${escapeHtml(o.action)}" data-step="${escapeHtml(o.step)}">
${o.hidden}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
${demoUsersTable(o.demoUsers)}`;
}

/** Email and password, with the demo users listed in demo mode. */
export function loginPage(o: {
  challenge: string;
  error?: string;
  demoUsers?: readonly SandboxUser[];
}): string {
  return page({
    title: 'Log in to Qonto',
    step: 'login',
    body: `<h1>Log in to Qonto</h1>
${errorBanner(o.error)}
${credentialsForm({
  action: '/oauth2/login/credentials',
  step: 'login',
  hidden: hiddenField('login_challenge', o.challenge),
  demoUsers: o.demoUsers,
})}`,
  });
}

/** The SMS step: the code of Qonto's sandbox is always 123456 (https://docs.qonto.com/get-started/general/sandbox-access). */
export function smsPage(o: { challenge: string; error?: string }): string {
  return page({
    title: 'Enter the code we sent you',
    step: 'sms',
    body: `<h1>Enter the code we sent you by SMS</h1>
${errorBanner(o.error)}
<p class="note">In Qonto's sandbox the code is always <code>123456</code>.</p>
<form method="post" action="/oauth2/login/sms" data-step="sms">
${hiddenField('login_challenge', o.challenge)}
<label for="code">6-digit code</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Continue</button>
</form>`,
  });
}

/** The organization picker, skipped with `organization_id` or `registration_id`. */
export function organizationPage(o: {
  challenge: string;
  organizations: SandboxUser['organizations'];
}): string {
  const buttons = o.organizations
    .map(
      (org) =>
        `<button type="submit" name="organization_id" value="${escapeHtml(org.id)}" data-organization-id="${escapeHtml(org.id)}">${escapeHtml(org.legalName)}</button><br>`,
    )
    .join('\n');
  return page({
    title: 'Choose an organization',
    step: 'organization',
    body: `<h1>Which organization do you want to connect?</h1>
<form method="post" action="/oauth2/login/organization" data-step="organization">
${hiddenField('login_challenge', o.challenge)}
${buttons}
</form>`,
  });
}

/** Consent: the requested scopes in words, then allow or deny. */
export function consentPage(o: {
  challenge: string;
  clientId: string;
  organization: string;
  scopes: string[];
}): string {
  const items = o.scopes
    .map(
      (s) =>
        `<li>${escapeHtml(QONTO_SCOPES[s] ?? s)} <span class="note">(<code>${escapeHtml(s)}</code>)</span></li>`,
    )
    .join('\n');
  return page({
    title: 'Allow access to your Qonto account',
    step: 'consent',
    body: `<h1><code>${escapeHtml(o.clientId)}</code> wants to access ${escapeHtml(o.organization)}</h1>
<p>It asks to:</p>
<ul>
${items}
</ul>
<form method="post" action="/oauth2/login/consent" data-step="consent">
${hiddenField('login_challenge', o.challenge)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}

/** An error the browser must see instead of being redirected (unknown client, unregistered redirect URI, …). */
export function errorPage(o: { error: string; description: string; fix?: string }): string {
  return page({
    title: `Error: ${o.error}`,
    step: 'error',
    body: `<h1>${escapeHtml(o.error)}</h1>
<p id="error-description">${escapeHtml(o.description)}</p>
${o.fix ? `<p id="error-fix">${escapeHtml(o.fix)}</p>` : ''}`,
  });
}

/** Answers with {@link errorPage}. */
export function sendErrorPage(res: HttpResponse, status: number, o: Parameters<typeof errorPage>[0]): void {
  sendHtml(res, status, errorPage(o));
}
