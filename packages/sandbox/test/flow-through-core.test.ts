import {
  fetchQontoProfile,
  isQontoError,
  parseAuthorizationCallback,
  QontoApiClient,
  QontoApiError,
  QontoOAuthClient,
  QontoOAuthError,
  QontoStagingGateError,
} from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import { completeAuthorization } from '../src/testing.js';
import type { QontoSandbox } from '../src/types.js';
import { startSandbox } from './helpers.js';

const APP = {
  clientId: 'flow-app',
  clientSecret: 'flow-app-secret',
  redirectUri: 'http://127.0.0.1:3999/callback',
};

async function setUp(o: Parameters<typeof startSandbox>[0] = {}) {
  const sandbox = await startSandbox(o);
  sandbox.addClient({
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    redirectUris: [APP.redirectUri],
  });
  const oauth = new QontoOAuthClient({
    environment: sandbox.endpoints,
    ...APP,
    stagingToken: sandbox.endpoints.requiresStagingToken ? sandbox.stagingToken : undefined,
    now: sandbox.clock.now,
  });
  return { sandbox, oauth };
}

function api(sandbox: QontoSandbox, accessToken: string) {
  return new QontoApiClient({
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    tokens: accessToken,
  });
}

describe('the whole flow through core', () => {
  it('connects users[0] to each of its two organizations, refreshes, revokes consent, then gets 401', async () => {
    const { sandbox, oauth } = await setUp();
    const user = sandbox.users[0]!;
    expect(user.organizations).toHaveLength(2);
    for (const organization of user.organizations) {
      const request = await oauth.createAuthorizationRequest();
      const callback = await completeAuthorization(request.url, {
        email: user.email,
        password: user.password,
        organizationId: organization.id,
      });
      expect(callback.startsWith(`${APP.redirectUri}?`)).toBe(true);
      const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
      const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
      expect(tokens.scopes).toEqual(['offline_access', 'openid', 'membership.read', 'organization.read']);
      // expires_in 3600, counted by core from the clock it was given (the emulator's).
      expect(tokens.expiresAt - sandbox.clock.now()).toBeGreaterThan(3000_000);
      expect(tokens.expiresAt - sandbox.clock.now()).toBeLessThanOrEqual(3600_000);

      const fetched = await api(sandbox, tokens.accessToken).getOrganization();
      expect({ id: fetched.id, slug: fetched.slug, legal_name: fetched.legal_name }).toEqual({
        id: organization.id,
        slug: organization.slug,
        legal_name: organization.legalName,
      });

      const rotated = await oauth.refresh(tokens.refreshToken!);
      expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
      expect((await api(sandbox, rotated.accessToken).getMembership()).email).toBe(user.email);

      await oauth.revokeConsent(rotated.accessToken);
      const refused = await api(sandbox, rotated.accessToken)
        .getOrganization()
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(QontoApiError);
      expect((refused as QontoApiError).status).toBe(401);
      const reconnect = await oauth.refresh(rotated.refreshToken!).catch((e: unknown) => e);
      expect(reconnect).toBeInstanceOf(QontoOAuthError);
      expect(reconnect).toMatchObject({ error: 'invalid_grant', reconnectRequired: true });
    }
  });

  it('throws, listing both organization ids, when users[0] meets the picker without organizationId', async () => {
    const { sandbox, oauth } = await setUp();
    const user = sandbox.users[0]!;
    const { url } = await oauth.createAuthorizationRequest();
    const error = await completeAuthorization(url, { email: user.email, password: user.password }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    for (const organization of user.organizations)
      expect((error as Error).message).toContain(organization.id);
    expect((error as Error).message).toContain('pass organizationId');
  });

  it('skips the picker when the authorize request carries organization_id', async () => {
    const { sandbox, oauth } = await setUp();
    const user = sandbox.users[0]!;
    const second = user.organizations[1]!;
    const request = await oauth.createAuthorizationRequest({ organizationId: second.id });
    const callback = await completeAuthorization(request.url, { email: user.email, password: user.password });
    const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
    const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
    expect((await api(sandbox, tokens.accessToken).getOrganization()).id).toBe(second.id);
  });

  it('sends a denied consent back as error=access_denied with the state, which core reports', async () => {
    const { sandbox, oauth } = await setUp();
    const user = sandbox.users[0]!;
    const request = await oauth.createAuthorizationRequest();
    const callback = new URL(
      await completeAuthorization(request.url, {
        email: user.email,
        password: user.password,
        organizationId: user.organizations[0]!.id,
        deny: true,
      }),
    );
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(request.state);
    expect(callback.searchParams.has('code')).toBe(false);
    expect(() => parseAuthorizationCallback(callback, { expectedState: request.state })).toThrow(
      expect.objectContaining({ error: 'access_denied' }),
    );
  });

  it('builds a profile from the membership, the organization and the id_token', async () => {
    const { sandbox, oauth } = await setUp();
    const user = sandbox.users[1]!;
    const request = await oauth.createAuthorizationRequest();
    const callback = await completeAuthorization(request.url, { email: user.email, password: user.password });
    const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
    const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
    const profile = await fetchQontoProfile(api(sandbox, tokens.accessToken), {
      idToken: tokens.idToken,
      clientId: oauth.clientId,
    });
    expect(profile).toMatchObject({
      userId: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      organization: { id: user.organizations[0]!.id, legalName: user.organizations[0]!.legalName },
    });
  });

  it.each(['redirect', 'html'] as const)(
    'turns the emulated gate (%s) into QontoStagingGateError',
    async (gate) => {
      const { sandbox } = await setUp({ gate });
      const oauth = new QontoOAuthClient({
        environment: sandbox.endpoints,
        ...APP,
        stagingToken: 'not-the-token',
      });
      const error = await oauth.refresh('ory_rt_whatever').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QontoStagingGateError);
      expect(isQontoError(error)).toBe(true);
      expect(String((error as Error).message)).not.toContain('not-the-token');
    },
  );

  it('works against production mode without a staging token', async () => {
    const { sandbox, oauth } = await setUp({ mode: 'production' });
    expect(sandbox.endpoints.requiresStagingToken).toBe(false);
    const user = sandbox.users[1]!;
    const request = await oauth.createAuthorizationRequest();
    const callback = await completeAuthorization(request.url, { email: user.email, password: user.password });
    const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
    const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
    const production = new QontoApiClient({ environment: sandbox.endpoints, tokens: tokens.accessToken });
    expect((await production.getOrganization()).id).toBe(user.organizations[0]!.id);
  });
});
