import {
  parseAuthorizationCallback,
  QontoApiClient,
  QontoApiError,
  QontoOAuthClient,
  type QontoOrganization,
} from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import { createCookieJarFetch } from '../src/browser.js';
import { completeAuthorization } from '../src/testing.js';
import type { QontoSandbox } from '../src/types.js';
import { authorizeUrl, connectRaw, startSandbox } from './helpers.js';
import { startReceiver } from './webhook-receiver.js';

const USER_APP = {
  clientId: 'user-flow-app',
  clientSecret: 'user-flow-app-secret',
  redirectUri: 'http://127.0.0.1:3998/callback',
};

/** The app approved for the user OAuth flow, and a user of several organizations connected through core. */
async function connectUserFlow(sandbox: QontoSandbox, extraScopes: string[] = []) {
  sandbox.addClient({ ...USER_APP, redirectUris: [USER_APP.redirectUri], userFlow: true });
  const oauth = new QontoOAuthClient({
    environment: sandbox.endpoints,
    ...USER_APP,
    stagingToken: sandbox.stagingToken,
    scopes: [
      'offline_access',
      'user_organization.read',
      'organization.read',
      'membership.read',
      ...extraScopes,
    ],
  });
  const user = sandbox.users.find((u) => u.organizations.length > 1)!;
  const request = await oauth.createAuthorizationRequest({ identityType: 'user' });
  const callback = await completeAuthorization(request.url, user);
  const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
  const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
  const api = (organizationId?: string) =>
    new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: tokens.accessToken,
      organizationId,
      retry: false,
    });
  const status = (organizationId: string) =>
    api(organizationId)
      .getOrganization()
      .then(
        () => 200,
        (e: unknown) => (e as QontoApiError).status,
      );
  return { user, api, oauth, tokens, status };
}

/** A raw Business API request of a user-flow token in one organization. */
function inOrganization(
  sandbox: QontoSandbox,
  accessToken: string,
  organizationId: string,
  init: { method: string; path: string; body?: unknown },
) {
  return fetch(`${sandbox.url}${init.path}`, {
    method: init.method,
    headers: {
      'X-Qonto-Staging-Token': sandbox.stagingToken,
      Authorization: `Bearer ${accessToken}`,
      'X-Qonto-Organization-Id': organizationId,
      'Content-Type': 'application/json',
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe('the user OAuth flow (identity_type=user)', () => {
  it('covers every organization the user consented to; each call names one in X-Qonto-Organization-Id', async () => {
    const sandbox = await startSandbox();
    const { user, api } = await connectUserFlow(sandbox);

    const listed = await api().request<{ organizations: Record<string, unknown>[] }>(
      '/v2/user_organizations',
    );
    expect(listed.organizations.map((o) => o.id).sort()).toEqual(user.organizations.map((o) => o.id).sort());
    expect(Object.keys(listed.organizations[0]!)).toEqual([
      'id',
      'name',
      'legal_name',
      'legal_number',
      'legal_country',
      'membership_role',
    ]);

    const memberships = new Set<string>();
    for (const { id } of user.organizations) {
      const organization: QontoOrganization = await api(id).getOrganization();
      expect(organization.id).toBe(id);
      // The user's own membership in that organization.
      const membership = await api(id).getMembership();
      expect(membership.email).toBe(user.email);
      memberships.add(membership.id);
    }
    expect(memberships.size).toBe(user.organizations.length);

    // Without the header, or naming an organization the user did not consent to: 403.
    // An organization the user did not consent to (not theirs).
    const other = '6f1e2d3c-4b5a-4968-8776-655443322110';
    for (const organizationId of [undefined, other]) {
      const error = await api(organizationId)
        .getOrganization()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QontoApiError);
      expect(error).toMatchObject({ status: 403 });
      expect((error as Error).message).toMatch(/X-Qonto-Organization-Id/);
    }
  });

  it('is refused to an app Qonto has not approved for it, and is the only flow of one it approved', async () => {
    const sandbox = await startSandbox();
    const refused = async (params: Record<string, string>) => {
      const callback = await completeAuthorization(authorizeUrl(sandbox, params), sandbox.users[0]!).catch(
        (e: unknown) => String(e),
      );
      return new URL(String(callback).match(/https?:\/\/\S+/)?.[0] ?? callback).searchParams.get('error');
    };
    expect(await refused({ identity_type: 'user' })).toBe('unauthorized_client');
    sandbox.addClient({ ...sandbox.clients[0]!, userFlow: true });
    expect(await refused({})).toBe('unauthorized_client');
    expect(await refused({ identity_type: 'organization' })).toBe('invalid_request');
  });

  it('answers GET /v2/user_organizations only to a token of the user flow', async () => {
    const sandbox = await startSandbox();
    const membership = await connectRaw(sandbox, { scope: 'offline_access user_organization.read' });
    const answer = await membership.get<{ errors: { code: string }[] }>('/v2/user_organizations');
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0]?.code).toBe('forbidden');
  });
});

describe('revoking a consent of the user OAuth flow', () => {
  it('DELETE /v2/oauth2/consents revokes the organization of X-Qonto-Organization-Id only; the last one, the token', async () => {
    const sandbox = await startSandbox();
    const { user, api, oauth, tokens, status } = await connectUserFlow(sandbox);
    const [first, second] = user.organizations.map((o) => o.id) as [string, string];
    const revoke = (organizationId: string) =>
      inOrganization(sandbox, tokens.accessToken, organizationId, {
        method: 'DELETE',
        path: '/v2/oauth2/consents',
      }).then((r) => r.status);

    expect(await revoke(second)).toBe(204);
    expect(await status(second)).toBe(403);
    expect(await status(first)).toBe(200);
    const listed = await api().request<{ organizations: { id: string }[] }>('/v2/user_organizations');
    expect(listed.organizations.map((o) => o.id)).toEqual([first]);
    const refreshed = await oauth.refresh(tokens.refreshToken!);

    expect(await revoke(first)).toBe(204);
    expect(await status(first)).toBe(401);
    await expect(oauth.refresh(refreshed.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it("core's revokeConsent with organizationId ends the consent in that organization only", async () => {
    const sandbox = await startSandbox();
    const { user, oauth, tokens, status } = await connectUserFlow(sandbox);
    const [first, second] = user.organizations.map((o) => o.id) as [string, string];
    await oauth.revokeConsent(tokens.accessToken, { organizationId: second });
    expect(await status(second)).toBe(403);
    expect(await status(first)).toBe(200);
    await oauth.revokeConsent(tokens.accessToken, { organizationId: first });
    expect(await status(first)).toBe(401);
  });

  it('sandbox.revokeConsent finds it in each of its organizations, and tells the subscriptions there only', async () => {
    const sandbox = await startSandbox();
    const receiver = await startReceiver();
    const { user, tokens, status } = await connectUserFlow(sandbox, ['webhook']);
    const [first, second] = user.organizations.map((o) => o.id) as [string, string];
    for (const organizationId of [first, second]) {
      const subscribed = await inOrganization(sandbox, tokens.accessToken, organizationId, {
        method: 'POST',
        path: '/v2/webhook_subscriptions',
        body: { callback_url: receiver.url, types: ['v1/consent-revocations'] },
      });
      expect(subscribed.status).toBe(201);
    }
    const revoke = (organizationId: string) =>
      sandbox.revokeConsent({ clientId: USER_APP.clientId, organizationId, email: user.email });

    const toFirst = await revoke(first);
    expect(toFirst.map((d) => [d.organizationId, d.state])).toEqual([[first, 'delivered']]);
    expect(await status(first)).toBe(403);
    expect(await status(second)).toBe(200);
    expect(() => revoke(first)).toThrow(/no live consent/);

    const toSecond = await revoke(second);
    expect(toSecond.map((d) => d.organizationId)).toEqual([second]);
    expect(await status(second)).toBe(401);
    expect(receiver.received.map((r) => JSON.parse(r.body).organization_id)).toEqual([first, second]);
  });

  it('the connected-apps page lists it under each organization, and revokes it in the one picked', async () => {
    const sandbox = await startSandbox();
    const { user, status } = await connectUserFlow(sandbox);
    const [first, second] = user.organizations.map((o) => o.id) as [string, string];
    const browse = createCookieJarFetch();
    const post = (path: string, fields: Record<string, string>) =>
      browse(`${sandbox.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const csrfOf = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
    const signIn = await (await browse(`${sandbox.url}/connected-apps`)).text();
    await post('/connected-apps/login', { email: user.email, password: user.password, csrf: csrfOf(signIn) });
    const list = await (await browse(`${sandbox.url}/connected-apps`)).text();
    const listedIn = (html: string, organizationId: string) =>
      new RegExp(`<section data-organization-id="${organizationId}">((?:(?!</section>)[\\s\\S])*)`)
        .exec(html)?.[1]
        ?.includes(`data-client-id="${USER_APP.clientId}"`);
    expect([listedIn(list, first), listedIn(list, second)]).toEqual([true, true]);

    const revoked = await post('/connected-apps/revoke', {
      csrf: csrfOf(list),
      client_id: USER_APP.clientId,
      organization_id: second,
    });
    expect(revoked.status).toBe(303);
    expect(await status(second)).toBe(403);
    expect(await status(first)).toBe(200);
    const after = await (await browse(`${sandbox.url}/connected-apps`)).text();
    expect([listedIn(after, first), listedIn(after, second)]).toEqual([true, false]);
  });
});
