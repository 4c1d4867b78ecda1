import { inspect } from 'node:util';
import { customFetch, setEnvDefaults } from '@auth/core';
import type { OAuth2Config, UserinfoEndpointHandler } from '@auth/core/providers';
import type { QontoProfile } from '@qonto-oauth/core';
import { sandboxEndpointsAt } from '@qonto-oauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import QontoDefault, { Qonto, qontoEnvFromAuthEnv } from '../src/authjs.js';
import { clearQontoEnv } from './helpers/env.js';
import { type OtherOAuthServer, startOtherOAuthServer } from './helpers/other-oauth-server.js';
import { SAMPLE_PROFILE, SAMPLE_USER } from './helpers/profile-fixture.js';

const STAGING_TOKEN = 'stg-unit-8d2e71';

function oauth2(config: Parameters<typeof Qonto>[0]): OAuth2Config<QontoProfile> {
  return Qonto(config) as OAuth2Config<QontoProfile>;
}

beforeEach(clearQontoEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Qonto provider for Auth.js v5: configuration', () => {
  it('describes Qonto with its issuer, explicit scopes, PKCE and state, and the secret in the form body', () => {
    const provider = oauth2({
      clientId: 'id',
      clientSecret: 'secret',
      environment: 'sandbox',
      stagingToken: STAGING_TOKEN,
    });
    expect(provider).toMatchObject({
      id: 'qonto',
      name: 'Qonto',
      type: 'oauth',
      issuer: 'https://oauth-sandbox.staging.qonto.co',
      // No authorization URL: Auth.js asks [customFetch] for it when a sign-in starts (see below).
      authorization: { params: { scope: 'offline_access openid membership.read organization.read' } },
      token: 'https://oauth-sandbox.staging.qonto.co/oauth2/token',
      userinfo: { url: 'https://thirdparty-sandbox.staging.qonto.co/v2/membership' },
      checks: ['pkce', 'state'],
      client: { token_endpoint_auth_method: 'client_secret_post' },
      clientId: 'id',
      clientSecret: 'secret',
    });
    expect(provider.authorization).not.toHaveProperty('url');
    expect(typeof (provider.userinfo as UserinfoEndpointHandler).request).toBe('function');
    expect(typeof provider[customFetch]).toBe('function');
  });

  it('answers the metadata Auth.js asks for at sign-in start itself: the authorize URL, no network call', async () => {
    const network = vi.spyOn(globalThis, 'fetch');
    try {
      const provider = oauth2({ clientId: 'id', clientSecret: 'secret', environment: 'production' });
      const response = await provider[customFetch]!(
        'https://oauth.qonto.com/.well-known/openid-configuration',
        { headers: { accept: 'application/json' } },
      );
      expect(await response.json()).toMatchObject({
        issuer: 'https://oauth.qonto.com',
        authorization_endpoint: 'https://oauth.qonto.com/oauth2/auth',
        token_endpoint: 'https://oauth.qonto.com/oauth2/token',
        code_challenge_methods_supported: ['S256'],
      });
      expect(network).not.toHaveBeenCalled();
    } finally {
      network.mockRestore();
    }
  });

  it.each([
    ['client id', { clientSecret: 'secret' }, /no client id: set AUTH_QONTO_ID/],
    ['client secret', { clientId: 'id' }, /no client secret: set AUTH_QONTO_SECRET/],
  ])(
    'refuses a sign-in start without a %s, naming the AUTH_QONTO_* variable',
    async (_name, config, message) => {
      const provider = oauth2({ ...config, environment: 'production' });
      await expect(
        provider[customFetch]!('https://oauth.qonto.com/.well-known/openid-configuration'),
      ).rejects.toThrow(message);
    },
  );

  it('takes the scope as a string or an array, and locks the organization when given one', () => {
    const provider = oauth2({
      environment: 'production',
      scope: ['offline_access', 'organization.read'],
      organizationId: 'org-9',
    });
    expect(provider.authorization).toMatchObject({
      params: { scope: 'offline_access organization.read', organization_id: 'org-9' },
    });
  });

  it('keeps the staging token out of the provider object Auth.js prints in debug logs', () => {
    const provider = oauth2({
      clientId: 'id',
      clientSecret: 'secret',
      environment: 'sandbox',
      stagingToken: STAGING_TOKEN,
    });
    expect(JSON.stringify(provider)).not.toContain(STAGING_TOKEN);
    expect(inspect(provider, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(
      STAGING_TOKEN,
    );
    expect(provider.options).toEqual({ clientId: 'id', clientSecret: 'secret' });
  });

  it('maps the Qonto profile to an Auth.js user with the organization', async () => {
    expect(await oauth2({ environment: 'production' }).profile!(SAMPLE_PROFILE, {})).toEqual(SAMPLE_USER);
  });

  it('draws its button logo inline, loading nothing from the network', () => {
    expect(oauth2({ environment: 'production' }).style?.logo).toMatch(/^data:image\/svg\+xml,/);
  });

  it('is both the default and a named export', () => {
    expect(QontoDefault).toBe(Qonto);
  });
});

describe('Qonto provider for Auth.js v5: environment variables', () => {
  it('can be built with nothing configured, as Auth.js does to read its id', () => {
    expect(() => Qonto()).not.toThrow();
    expect(Qonto({}).id).toBe('qonto');
  });

  it('reads AUTH_QONTO_ID and AUTH_QONTO_SECRET before QONTO_CLIENT_ID and QONTO_CLIENT_SECRET', () => {
    vi.stubEnv('QONTO_CLIENT_ID', 'qonto-id');
    vi.stubEnv('QONTO_CLIENT_SECRET', 'qonto-secret');
    expect(oauth2({ environment: 'production' })).toMatchObject({
      clientId: 'qonto-id',
      clientSecret: 'qonto-secret',
    });
    vi.stubEnv('AUTH_QONTO_ID', 'auth-id');
    vi.stubEnv('AUTH_QONTO_SECRET', 'auth-secret');
    expect(oauth2({ environment: 'production' })).toMatchObject({
      clientId: 'auth-id',
      clientSecret: 'auth-secret',
    });
    expect(oauth2({ environment: 'production', clientId: 'given' })).toMatchObject({ clientId: 'given' });
  });

  it('gets the same credentials through Auth.js’s own setEnvDefaults, as a function or a call', () => {
    vi.stubEnv('AUTH_QONTO_ID', 'auth-id');
    vi.stubEnv('AUTH_QONTO_SECRET', 'auth-secret');
    vi.stubEnv('AUTH_QONTO_ENV', 'production');
    const config = { providers: [Qonto, Qonto({ clientId: 'given' })] };
    setEnvDefaults(process.env, config);
    expect(config.providers).toMatchObject([
      { id: 'qonto', clientId: 'auth-id', clientSecret: 'auth-secret' },
      { id: 'qonto', clientId: 'given', clientSecret: 'auth-secret' },
    ]);
  });

  it('reads AUTH_QONTO_ENV before QONTO_ENV, and QONTO_SANDBOX_URL for an emulator', () => {
    vi.stubEnv('QONTO_ENV', 'sandbox');
    expect(oauth2({}).issuer).toBe('https://oauth-sandbox.staging.qonto.co');
    vi.stubEnv('AUTH_QONTO_ENV', 'production');
    expect(oauth2({}).issuer).toBe('https://oauth.qonto.com');
    vi.stubEnv('AUTH_QONTO_ENV', undefined);
    vi.stubEnv('QONTO_SANDBOX_URL', 'http://127.0.0.1:4010');
    expect(oauth2({})).toMatchObject({
      issuer: 'http://127.0.0.1:4010',
      token: 'http://127.0.0.1:4010/oauth2/token',
    });
    expect(oauth2({ environment: 'production' }).issuer).toBe('https://oauth.qonto.com');
  });

  it('expects the issuer of AUTH_QONTO_ISSUER when set, as Auth.js does for its own providers', () => {
    vi.stubEnv('AUTH_QONTO_ISSUER', 'https://oauth.example.test');
    expect(oauth2({ environment: 'production' }).issuer).toBe('https://oauth.example.test');
    expect(oauth2({ environment: 'production', issuer: 'https://given.example.test' }).issuer).toBe(
      'https://given.example.test',
    );
  });

  it('refuses an unknown environment name, naming the variable', () => {
    vi.stubEnv('AUTH_QONTO_ENV', 'prod');
    expect(() => Qonto({})).toThrow(/AUTH_QONTO_ENV.*sandbox.*production/);
  });

  it('asks for the scopes of AUTH_QONTO_SCOPES, then QONTO_SCOPES, when the config gives none', () => {
    const scopeOf = (config: Parameters<typeof Qonto>[0]) =>
      (oauth2(config).authorization as { params: { scope: string } }).params.scope;
    vi.stubEnv('QONTO_SCOPES', 'openid,membership.read');
    expect(scopeOf({ environment: 'production' })).toBe('openid membership.read');
    vi.stubEnv('AUTH_QONTO_SCOPES', 'offline_access organization.read');
    expect(scopeOf({ environment: 'production' })).toBe('offline_access organization.read');
    expect(scopeOf({ environment: 'production', scope: 'openid' })).toBe('openid');
  });
});

describe('qontoEnvFromAuthEnv', () => {
  it('puts each AUTH_QONTO_* value over its QONTO_* name, for core’s qontoConfigFromEnv', () => {
    const env = {
      AUTH_QONTO_ID: 'auth-id',
      AUTH_QONTO_SECRET: 'auth-secret',
      AUTH_QONTO_ENV: 'production',
      AUTH_QONTO_STAGING_TOKEN: '',
      AUTH_QONTO_SCOPES: 'openid',
      QONTO_CLIENT_ID: 'project-id',
      QONTO_ENV: 'sandbox',
      QONTO_STAGING_TOKEN: 'project-staging',
      QONTO_SANDBOX_URL: 'http://127.0.0.1:4010',
    };
    expect(qontoEnvFromAuthEnv(env)).toEqual({
      ...env,
      QONTO_CLIENT_ID: 'auth-id',
      QONTO_CLIENT_SECRET: 'auth-secret',
      QONTO_ENV: 'production',
      QONTO_SCOPES: 'openid',
      // An empty AUTH_ variable counts as unset.
      QONTO_STAGING_TOKEN: 'project-staging',
    });
    expect(env.QONTO_CLIENT_ID).toBe('project-id');
  });

  it('reads process.env by default', () => {
    vi.stubEnv('AUTH_QONTO_ID', 'from-process');
    expect(qontoEnvFromAuthEnv().QONTO_CLIENT_ID).toBe('from-process');
  });
});

describe('Qonto provider for Auth.js v5: customFetch', () => {
  let qonto: OtherOAuthServer;
  let elsewhere: OtherOAuthServer;
  beforeEach(async () => {
    [qonto, elsewhere] = await Promise.all([startOtherOAuthServer(), startOtherOAuthServer()]);
  });
  afterEach(async () => {
    await Promise.all([qonto.close(), elsewhere.close()]);
  });

  const stagingHeaders = (server: OtherOAuthServer) =>
    server.requests.flatMap((r) =>
      r.headers.filter(([name]) => name.toLowerCase() === 'x-qonto-staging-token'),
    );

  it('sends the staging token to the environment’s origins only, through the fetch the user gave', async () => {
    const userFetch = vi.fn<typeof fetch>((input, init) => fetch(input, init));
    const provider = oauth2({
      environment: sandboxEndpointsAt(qonto.origin),
      stagingToken: STAGING_TOKEN,
      [customFetch]: userFetch,
    });
    const qontoFetch = provider[customFetch]!;
    await qontoFetch(`${qonto.origin}/userinfo`, { headers: { accept: 'application/json' } });
    await qontoFetch(`${elsewhere.origin}/userinfo`, { headers: { 'x-qonto-staging-token': STAGING_TOKEN } });
    expect(userFetch).toHaveBeenCalledTimes(2);
    expect(stagingHeaders(qonto)).toEqual([['X-Qonto-Staging-Token', STAGING_TOKEN]]);
    expect(stagingHeaders(elsewhere)).toEqual([]);
  });

  it('explains a missing client id at the code exchange, before any request', async () => {
    const provider = oauth2({ environment: sandboxEndpointsAt(qonto.origin), stagingToken: STAGING_TOKEN });
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'c',
      redirect_uri: 'http://app/cb',
    });
    await expect(
      provider[customFetch]!(`${qonto.origin}/oauth2/token`, { method: 'POST', body }),
    ).rejects.toThrow(/no clientId.*AUTH_QONTO_ID/);
    expect(qonto.requests).toEqual([]);
  });

  it('reads AUTH_QONTO_STAGING_TOKEN before QONTO_STAGING_TOKEN', async () => {
    vi.stubEnv('QONTO_SANDBOX_URL', qonto.origin);
    vi.stubEnv('QONTO_STAGING_TOKEN', 'from-qonto-variable');
    vi.stubEnv('AUTH_QONTO_STAGING_TOKEN', 'from-auth-variable');
    await oauth2({})[customFetch]!(`${qonto.origin}/userinfo`);
    expect(stagingHeaders(qonto)).toEqual([['X-Qonto-Staging-Token', 'from-auth-variable']]);
  });
});
