import { inspect } from 'node:util';
import { QONTO_ENVIRONMENTS } from '@qonto-oauth/core';
import type { TokenEndpointHandler, UserinfoEndpointHandler } from 'next-auth/providers/oauth';
import { afterEach, describe, expect, it } from 'vitest';
import QontoDefault, { Qonto } from '../src/index.js';
import { type OtherOAuthServer, startOtherOAuthServer } from './helpers/other-oauth-server.js';
import { SAMPLE_PROFILE, SAMPLE_USER } from './helpers/profile-fixture.js';

const STAGING_TOKEN = 'stg-unit-4f1c9a';
const sandbox = {
  clientId: 'id',
  clientSecret: 'secret',
  environment: 'sandbox',
  stagingToken: STAGING_TOKEN,
} as const;

describe('Qonto provider for NextAuth v4: configuration', () => {
  it('describes Qonto with explicit endpoints, PKCE and state, and the secret in the form body', () => {
    const provider = Qonto(sandbox);
    expect(provider).toMatchObject({
      id: 'qonto',
      name: 'Qonto',
      type: 'oauth',
      issuer: 'https://oauth-sandbox.staging.qonto.co',
      authorization: {
        url: 'https://oauth-sandbox.staging.qonto.co/oauth2/auth',
        params: { scope: 'offline_access openid membership.read organization.read' },
      },
      token: { url: 'https://oauth-sandbox.staging.qonto.co/oauth2/token' },
      userinfo: { url: 'https://thirdparty-sandbox.staging.qonto.co/v2/membership' },
      checks: ['pkce', 'state'],
      client: { token_endpoint_auth_method: 'client_secret_post' },
    });
    expect(typeof (provider.token as TokenEndpointHandler).request).toBe('function');
    expect(typeof (provider.userinfo as UserinfoEndpointHandler).request).toBe('function');
    // httpOptions would become openid-client's process-wide default and leak to every provider.
    expect(provider).not.toHaveProperty('httpOptions');
    expect(provider).not.toHaveProperty('wellKnown');
  });

  it('points at production when asked, with no staging token', () => {
    const provider = Qonto({ clientId: 'id', clientSecret: 'secret', environment: 'production' });
    expect(provider.authorization).toMatchObject({ url: QONTO_ENVIRONMENTS.production.authorizationUrl });
    expect(provider.token).toMatchObject({ url: QONTO_ENVIRONMENTS.production.tokenUrl });
  });

  it('takes the scope as a string or an array, and locks the organization when given one', () => {
    const fromString = Qonto({ ...sandbox, scope: 'offline_access  organization.read' });
    const fromArray = Qonto({
      ...sandbox,
      scope: ['offline_access', 'payment.write'],
      organizationId: 'org-1',
    });
    expect(fromString.authorization).toMatchObject({ params: { scope: 'offline_access organization.read' } });
    expect(fromArray.authorization).toMatchObject({
      params: { scope: 'offline_access payment.write', organization_id: 'org-1' },
    });
  });

  it('keeps the staging token out of the provider object the framework prints in debug logs', () => {
    const provider = Qonto(sandbox);
    expect(JSON.stringify(provider)).not.toContain(STAGING_TOKEN);
    expect(inspect(provider, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(
      STAGING_TOKEN,
    );
    expect(provider.options).toEqual({ clientId: 'id', clientSecret: 'secret' });
  });

  it('maps the Qonto profile to a NextAuth user with the organization', async () => {
    const provider = Qonto(sandbox);
    expect(await provider.profile(SAMPLE_PROFILE, {})).toEqual(SAMPLE_USER);
    expect(await provider.profile({ id: 'sub-only' }, {})).toMatchObject({
      id: 'sub-only',
      name: null,
      email: null,
    });
  });

  it('draws its button logo inline, loading nothing from the network', () => {
    const { style } = Qonto(sandbox);
    expect(style?.logo).toMatch(/^data:image\/svg\+xml,/);
    expect(style).toMatchObject({ bg: expect.any(String), text: expect.any(String) });
  });

  it('is both the default and a named export', () => {
    expect(QontoDefault).toBe(Qonto);
  });

  it('refuses an environment it does not know, naming the choices', () => {
    expect(() => Qonto({ ...sandbox, environment: 'staging' as 'sandbox' })).toThrow(/sandbox.*production/);
  });
});

describe('Qonto provider for NextAuth v4: the callback’s state', () => {
  let recorder: OtherOAuthServer | undefined;
  afterEach(async () => {
    await recorder?.close();
    recorder = undefined;
  });

  async function providerOnRecorder() {
    recorder = await startOtherOAuthServer();
    const environment = {
      authorizationUrl: `${recorder.origin}/oauth2/auth`,
      tokenUrl: `${recorder.origin}/oauth2/token`,
      apiBaseUrl: recorder.origin,
      requiresStagingToken: false,
    };
    const provider = Qonto({ clientId: 'id', clientSecret: 'secret', environment });
    const request = (provider.token as TokenEndpointHandler).request!;
    const context = (params: Record<string, string>, checks: Record<string, string>) =>
      ({
        provider: { ...provider, callbackUrl: 'http://localhost:3000/api/auth/callback/qonto' },
        params,
        checks,
        client: {},
      }) as unknown as Parameters<typeof request>[0];
    return { request, context };
  }

  it.each([
    ['a forged state', { code: 'c', state: 'forged' }, { state: 'expected', code_verifier: 'v' }],
    ['no state on the callback', { code: 'c' }, { state: 'expected', code_verifier: 'v' }],
    ['no state cookie', { code: 'c', state: 'expected' }, { code_verifier: 'v' }],
  ])('refuses %s before any token request', async (_case, params, checks) => {
    const { request, context } = await providerOnRecorder();
    await expect(request(context(params, checks))).rejects.toThrow(/state/);
    expect(recorder!.requests).toEqual([]);
  });
});
