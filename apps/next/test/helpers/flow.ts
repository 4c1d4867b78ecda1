import type { QontoSandbox, SandboxUser } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import type { TestBrowser } from './browser';

/** A seed user with one organization: Qonto then shows no organization picker. */
export function singleOrganizationUser(sandbox: QontoSandbox): SandboxUser {
  const user = sandbox.users.find((u) => u.organizations.length === 1);
  if (user === undefined) throw new Error('the emulator seed has no user with a single organization');
  return user;
}

/**
 * Starts a sign-in the way Auth.js's own client does: CSRF token from `/api/auth/csrf`, then a POST to
 * `/api/auth/signin/qonto`. Returns Qonto's (the emulator's) authorize URL the app redirected to.
 */
export async function startSignInWithCsrf(browser: TestBrowser): Promise<string> {
  const { csrfToken } = (await (await browser.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
  const response = await browser.fetch('/api/auth/signin/qonto', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl: '/' }),
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`POST /api/auth/signin/qonto answered ${response.status}: ${await response.text()}`);
  }
  return location;
}

/** Plays the user on Qonto's pages (login, SMS code, consent or deny); returns the app's callback URL. */
export function consent(
  authorizeUrl: string,
  user: SandboxUser,
  o: { deny?: boolean } = {},
): Promise<string> {
  return completeAuthorization(authorizeUrl, {
    email: user.email,
    password: user.password,
    ...(o.deny ? { deny: true } : {}),
  });
}

/** The whole sign-in through Auth.js's endpoints; returns the page the callback ends on. */
export async function signIn(browser: TestBrowser, user: SandboxUser) {
  return browser.follow(await consent(await startSignInWithCsrf(browser), user));
}
