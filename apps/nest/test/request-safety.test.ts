import { describe, expect, it } from 'vitest';
import { signIn, singleOrganizationUser, withEmulator } from './helpers/app-harness.js';

const emulator = withEmulator();

describe('example-nest and cross-site requests', () => {
  it('refuses /refresh and /disconnect posted by another site with a readable 403, and changes nothing', async () => {
    const app = await emulator.start();
    await signIn(app, singleOrganizationUser(emulator.sandbox()));
    const before = await app.store.only();
    emulator.sandbox().requests.clear();
    for (const path of ['/refresh', '/disconnect']) {
      for (const headers of [
        { Origin: 'https://evil.example' },
        { Origin: 'null' },
        { Referer: 'https://evil.example/page' },
        {},
      ] as Record<string, string>[]) {
        const page = await app.browser.open(`${app.origin}${path}`, { method: 'POST', headers });
        expect([path, headers, page.status]).toEqual([path, headers, 403]);
        expect(page.html).toContain('<h1>This request did not come from this app</h1>');
        expect(page.html).toContain(`open ${app.origin} and try again`);
        expect(page.html).not.toContain('evil.example');
      }
    }
    // Nothing reached Qonto, the login and its tokens are as they were.
    expect(emulator.sandbox().requests).toHaveLength(0);
    expect(await app.store.only()).toEqual(before);
    expect((await app.browser.open(`${app.origin}/me`)).status).toBe(200);
  });

  it('accepts its own origin, or without Origin a Referer on the app, and never goes by the Host header', async () => {
    const app = await emulator.start();
    await signIn(app, singleOrganizationUser(emulator.sandbox()));
    const byReferer = await app.browser.request(`${app.origin}/refresh`, {
      method: 'POST',
      headers: { Referer: `${app.origin}/me` },
    });
    expect([byReferer.status, byReferer.headers.get('location')]).toEqual([303, '/me?notice=refreshed']);
    const forgedHost = await app.browser.request(`${app.origin}/refresh`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example', Host: 'evil.example' },
    });
    expect(forgedHost.status).toBe(403);
    expect((await app.browser.post(`${app.origin}/disconnect`)).url).toBe(
      `${app.origin}/?notice=disconnected`,
    );
  });
});

describe('example-nest and forged callbacks', () => {
  it('a callback with a missing or wrong state shows a page of the app, never text from its query string', async () => {
    const app = await emulator.start();
    await app.browser.request(`${app.origin}/auth/qonto`); // this browser has a sign-in in progress
    for (const query of [
      'error=server_error&error_description=Call%20%2B33%20123%20to%20unlock%20your%20account&state=forged',
      'error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=Call%20%2B33&state=forged',
      'error=server_error&error_description=Call%20%2B33',
      'error=access_denied&error_description=Call%20%2B33&state=forged',
      'code=ory_ac_forged&state=forged',
    ]) {
      const page = await app.browser.open(`${app.origin}/auth/qonto/callback?${query}`);
      // The guard checks the state before Qonto's error=: a forgery, whatever its error= says.
      expect([query, page.status]).toEqual([query, 403]);
      expect(page.html).not.toMatch(/\+33|Call|unlock|script|alert/);
      expect(page.html).toContain('<h1>The sign-in could not be verified</h1>');
    }
    expect(app.store.keys.size).toBe(0);
  });

  it("an error Qonto really sent (matching state) shows its code at most, not Qonto's description", async () => {
    const app = await emulator.start({
      scopes: ['offline_access', 'openid', 'membership.read', 'organization.read', 'money.print'],
    });
    const start = await app.browser.request(`${app.origin}/auth/qonto`);
    // The emulator sends an unknown scope back to the callback as invalid_scope, with the sign-in's state.
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(authorize.headers.get('location')!);
    expect(back.searchParams.get('error_description')).toContain('money.print');
    const page = await app.browser.open(back.href);
    expect(page.status).toBe(400);
    expect(page.html).toContain('<h1>Qonto ended the sign-in with an error</h1>');
    expect(page.html).toContain('<code>invalid_scope</code>');
    expect(page.html).not.toContain('money.print');
    expect(app.store.keys.size).toBe(0);
  });
});
