import {
  parseAuthorizationCallback,
  QontoApiClient,
  QontoApiError,
  QontoOAuthClient,
  type QontoOrganization,
} from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import { completeAuthorization } from '../src/testing.js';
import type { QontoSandbox } from '../src/types.js';
import { authorizeUrl, connectRaw, startSandbox } from './helpers.js';

const USER_APP = {
  clientId: 'user-flow-app',
  clientSecret: 'user-flow-app-secret',
  redirectUri: 'http://127.0.0.1:3998/callback',
};

/** The app approved for the user OAuth flow, and a user of several organizations connected through core. */
async function connectUserFlow(sandbox: QontoSandbox) {
  sandbox.addClient({ ...USER_APP, redirectUris: [USER_APP.redirectUri], userFlow: true });
  const oauth = new QontoOAuthClient({
    environment: sandbox.endpoints,
    ...USER_APP,
    stagingToken: sandbox.stagingToken,
    scopes: ['offline_access', 'user_organization.read', 'organization.read', 'membership.read'],
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
  return { user, api };
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
