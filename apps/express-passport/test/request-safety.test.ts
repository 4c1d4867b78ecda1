import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/app.js';
import { type RunningApp, signIn, singleOrganizationUser, startApp } from './helpers/app-harness.js';

let sandbox: QontoSandbox;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => app?.close());

const revocations = () => sandbox.requests.filter((r) => r.method === 'DELETE').length;
const tokenCalls = () => sandbox.requests.filter((r) => r.path === '/oauth2/token').length;

describe('cross-site requests', () => {
  it('refuses /refresh and /disconnect posted by another site with a readable 403, and changes nothing', async () => {
    app = await startApp(sandbox);
    await signIn(app, singleOrganizationUser(sandbox));
    const [before] = await app.sessions();
    const calls = { token: tokenCalls(), revoke: revocations() };
    for (const path of ['/refresh', '/disconnect']) {
      for (const headers of [
        { Origin: 'https://evil.example' },
        { Origin: 'null' },
        { Referer: 'https://evil.example/page' },
        {},
      ] as Record<string, string>[]) {
        const answer = await app.browser.fetch(`${app.origin}${path}`, { method: 'POST', headers });
        const page = await answer.text();
        expect([path, headers, answer.status]).toEqual([path, headers, 403]);
        expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page).toContain('This request did not come from this app');
        expect(page).toContain(`open ${app.origin} and try again`);
        expect(page).not.toContain('evil.example');
      }
    }
    // Nothing happened: no refresh, no revocation, the same tokens, still signed in.
    expect({ token: tokenCalls(), revoke: revocations() }).toEqual(calls);
    expect(await app.sessions()).toEqual([before]);
    expect((await app.browser.follow(`${app.origin}/account`)).url).toBe(`${app.origin}/account`);
  });

  it("accepts the app's own origin, or without Origin a Referer on the app", async () => {
    app = await startApp(sandbox);
    await signIn(app, singleOrganizationUser(sandbox));
    const byReferer = await app.browser.fetch(`${app.origin}/refresh`, {
      method: 'POST',
      headers: { Referer: `${app.origin}/account` },
    });
    expect([byReferer.status, byReferer.headers.get('location')]).toEqual([303, '/account']);
    const byOrigin = await app.browser.post(`${app.origin}/disconnect`);
    expect([byOrigin.status, byOrigin.headers.get('location')]).toEqual([303, '/?disconnected=1']);
  });

  it("takes its own origin from its configuration, never from the request's Host", async () => {
    // Behind a proxy: the app listens on 127.0.0.1, its public origin (its callback URL's) is another.
    const publicOrigin = 'https://bank-sync.example';
    const redirectUri = `${publicOrigin}/auth/qonto/callback`;
    sandbox.addClient({ clientId: 'behind-proxy', clientSecret: 'secret', redirectUris: [redirectUri] });
    app = await startApp(sandbox, { clientId: 'behind-proxy', clientSecret: 'secret', redirectUri });
    // An Origin that matches the Host header is still another site.
    const hostLike = await app.browser.post(`${app.origin}/refresh`);
    expect(hostLike.status).toBe(403);
    const forgedHost = await app.browser.post(`${app.origin}/refresh`, {
      origin: 'https://evil.example',
      headers: { 'X-Forwarded-Host': 'evil.example' },
    });
    expect(forgedHost.status).toBe(403);
    // The public origin passes the check (not signed in: back to the home page).
    const fromPublic = await app.browser.post(`${app.origin}/refresh`, { origin: publicOrigin });
    expect([fromPublic.status, fromPublic.headers.get('location')]).toEqual([303, '/']);
  });
});

describe('the session cookie', () => {
  const sessionCookieOf = (response: Response) =>
    response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`)) ?? '';

  it('is Secure when the app is served over https behind a trusted proxy, and not over plain http', async () => {
    app = await startApp(sandbox, {}, { trustProxy: 'loopback' });
    const overHttps = await fetch(`${app.origin}/auth/qonto`, {
      headers: { 'X-Forwarded-Proto': 'https' },
      redirect: 'manual',
    });
    expect(sessionCookieOf(overHttps)).toMatch(/; Secure/i);
    expect(sessionCookieOf(overHttps)).toMatch(/; HttpOnly/i);
    const overHttp = await fetch(`${app.origin}/auth/qonto`, { redirect: 'manual' });
    expect(sessionCookieOf(overHttp)).toMatch(new RegExp(`^${SESSION_COOKIE.replace('.', '\\.')}=`));
    expect(sessionCookieOf(overHttp)).not.toMatch(/; Secure/i);
  });

  it('ignores X-Forwarded-Proto when no proxy is trusted: a client cannot choose the cookie flags', async () => {
    app = await startApp(sandbox);
    const spoofed = await fetch(`${app.origin}/auth/qonto`, {
      headers: { 'X-Forwarded-Proto': 'https' },
      redirect: 'manual',
    });
    const cookie = sessionCookieOf(spoofed);
    expect(cookie).not.toBe('');
    expect(cookie).not.toMatch(/; Secure/i);
  });
});
