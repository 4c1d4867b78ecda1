import { describe, expect, it, vi } from 'vitest';
import { createCookieJarFetch } from '../src/browser.js';
import { completeAuthorization } from '../src/testing.js';
import type { QontoSandbox } from '../src/types.js';
import { apiGet, startSandbox } from './helpers.js';
import { startReceiver } from './webhook-receiver.js';

const stepOf = (html: string) => /<meta name="qonto-sandbox-step" content="([^"]*)">/.exec(html)?.[1];
const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

/** An app whose client id needs escaping, connected by `user` to its first organization with `webhook`. */
const APP = {
  clientId: '<img src=x onerror=alert(1)>',
  clientSecret: 'app-secret',
  redirectUri: 'http://127.0.0.1:3999/cb',
};

async function connect(sandbox: QontoSandbox, userIndex: number) {
  const user = sandbox.users[userIndex]!;
  const authorize = new URL(sandbox.endpoints.authorizationUrl);
  for (const [k, v] of Object.entries({
    client_id: APP.clientId,
    redirect_uri: APP.redirectUri,
    response_type: 'code',
    scope: 'offline_access organization.read webhook',
    state: 'state-12345',
  }))
    authorize.searchParams.set(k, v);
  const callback = new URL(
    await completeAuthorization(authorize.href, { ...user, organizationId: user.organizations[0]!.id }),
  );
  const response = await fetch(sandbox.endpoints.tokenUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Qonto-Staging-Token': sandbox.stagingToken,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: APP.redirectUri,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    }),
  });
  const { access_token } = (await response.json()) as { access_token: string };
  return { user, organizationId: user.organizations[0]!.id, accessToken: access_token };
}

describe('the connected-apps page', () => {
  it('lets a signed-in member revoke an app: its tokens stop and the app gets v1/consent-revocations', async () => {
    const sandbox = await startSandbox();
    sandbox.addClient({ ...APP, redirectUris: [APP.redirectUri] });
    const receiver = await startReceiver();
    const member = await connect(sandbox, 0);
    const bystander = await connect(sandbox, 1);
    const subscription = await fetch(`${sandbox.url}/v2/webhook_subscriptions`, {
      method: 'POST',
      headers: {
        'X-Qonto-Staging-Token': sandbox.stagingToken,
        Authorization: `Bearer ${member.accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ callback_url: receiver.url, types: ['v1/consent-revocations'] }),
    });
    expect(subscription.status).toBe(201);

    // The home page links to it.
    expect(await (await fetch(sandbox.url)).text()).toContain('href="/connected-apps"');

    const browse = createCookieJarFetch();
    const signIn = await browse(`${sandbox.url}/connected-apps`);
    expect(signIn.headers.get('x-frame-options')).toBe('DENY');
    const signInHtml = await signIn.text();
    expect(stepOf(signInHtml)).toBe('connected-apps-login');
    const credentials = { email: member.user.email, password: member.user.password };
    // Without the form's CSRF value, or with a wrong password: refused.
    expect((await browse(`${sandbox.url}/connected-apps/login`, form(credentials))).status).toBe(403);
    const wrong = await browse(
      `${sandbox.url}/connected-apps/login`,
      form({ ...credentials, password: 'nope', csrf: field(signInHtml, 'csrf') }),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Incorrect email or password.');
    const signedIn = await browse(
      `${sandbox.url}/connected-apps/login`,
      form({ ...credentials, csrf: field(signInHtml, 'csrf') }),
    );
    expect(signedIn.status).toBe(303);

    const list = await browse(`${sandbox.url}/connected-apps`);
    expect(list.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    const html = await list.text();
    expect(stepOf(html)).toBe('connected-apps');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('<code>webhook</code>');
    const csrf = field(html, 'csrf');
    const revoke = { csrf, client_id: APP.clientId, organization_id: member.organizationId };

    // Posted from another site, or with another CSRF value: refused, nothing revoked.
    const crossSite = await browse(
      `${sandbox.url}/connected-apps/revoke`,
      form(revoke, { Origin: 'http://evil.example' }),
    );
    expect(crossSite.status).toBe(403);
    expect(
      (await browse(`${sandbox.url}/connected-apps/revoke`, form({ ...revoke, csrf: 'x' }))).status,
    ).toBe(403);
    expect((await apiGet(sandbox, '/v2/organization', member.accessToken)).status).toBe(200);

    const revoked = await browse(
      `${sandbox.url}/connected-apps/revoke`,
      form(revoke, { Origin: sandbox.url }),
    );
    expect(revoked.status).toBe(303);
    expect((await apiGet(sandbox, '/v2/organization', member.accessToken)).status).toBe(401);
    expect((await apiGet(sandbox, '/v2/organization', bystander.accessToken)).status).toBe(200);
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1));
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      type: 'v1/consent-revocations',
      organization_id: member.organizationId,
      data: { client_id: APP.clientId },
    });

    const after = await (await browse(`${sandbox.url}${revoked.headers.get('location')}`)).text();
    expect(after).toContain('revoked');
    expect(after).not.toContain('data-client-id=');
    // Revoking again: the app is no longer listed.
    expect((await browse(`${sandbox.url}/connected-apps/revoke`, form(revoke))).status).toBe(404);

    // Logging out ends the session.
    expect((await browse(`${sandbox.url}/connected-apps/logout`, form({ csrf }))).status).toBe(303);
    expect(stepOf(await (await browse(`${sandbox.url}/connected-apps`)).text())).toBe('connected-apps-login');
  });
});
