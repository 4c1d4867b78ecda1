import { inspect } from 'node:util';
import { isQontoError, type TokenSet } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type QontoPassportProfile,
  type QontoStateStore,
  QontoStrategy,
  type QontoStrategyOptions,
  type QontoTokenParams,
  type QontoVerifyCallback,
  type QontoVerifyFunction,
  type QontoVerifyFunctionWithParams,
} from '../src/index.js';
import { PassportHarness } from './helpers/harness.js';

let sandbox: QontoSandbox;
let harness: PassportHarness;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  sandbox.faults.gate('redirect');
  await harness?.close();
});

const CLIENT_SECRET = 'passport-test-secret';

/** users[1] belongs to one organization, so the emulator shows no organization picker. */
const member = () => sandbox.users[1]!;

type Verify = QontoVerifyFunction | QontoVerifyFunctionWithParams;

/** A harness app with a QontoStrategy against the emulator, its callback registered as a client. */
async function app(o: Partial<QontoStrategyOptions> = {}, verify?: Verify, authenticateOptions = {}) {
  harness = new PassportHarness();
  const callbackURL = await harness.listen();
  const clientID = `passport-${Math.random().toString(36).slice(2)}`;
  sandbox.addClient({ clientId: clientID, clientSecret: CLIENT_SECRET, redirectUris: [callbackURL] });
  const seen: unknown[][] = [];
  const recordingVerify: Verify =
    verify ??
    ((accessToken: string, refreshToken: string | undefined, params: QontoTokenParams, profile, done) => {
      seen.push([accessToken, refreshToken, params, profile]);
      done(null, { id: (profile as QontoPassportProfile).id });
    });
  const strategy = new QontoStrategy(
    {
      clientID,
      clientSecret: CLIENT_SECRET,
      callbackURL,
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      ...o,
    } as QontoStrategyOptions,
    recordingVerify as never,
  );
  harness.mount(strategy, authenticateOptions);
  return { strategy, seen };
}

/** Login page to callback: the URL the emulator sends the browser back to. */
async function consent(
  o: { deny?: boolean; organizationId?: string; user?: QontoSandbox['users'][number] } = {},
) {
  const user = o.user ?? member();
  return completeAuthorization(await harness.authorizationUrl(), {
    email: user.email,
    password: user.password,
    ...(o.deny ? { deny: true } : {}),
    ...(o.organizationId ? { organizationId: o.organizationId } : {}),
  });
}

describe('QontoStrategy against the emulator', () => {
  it('hands verify (accessToken, refreshToken, params, profile) with params from the token response', async () => {
    const { seen } = await app();
    const outcome = await harness.callback(await consent());
    expect(outcome.error).toBeNull();
    expect(outcome.user).toBeTruthy();
    const [accessToken, refreshToken, params, profile] = seen[0] as [
      string,
      string,
      QontoTokenParams,
      QontoPassportProfile,
    ];
    expect(accessToken).toEqual(expect.any(String));
    expect(refreshToken).toEqual(expect.any(String));
    expect(params).toMatchObject({
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
    });
    expect(params.expires_in).toBeGreaterThan(3500);
    expect(params.expires_in).toBeLessThanOrEqual(3600);
    expect(params.scope.split(' ')).toEqual(
      expect.arrayContaining(['offline_access', 'openid', 'membership.read', 'organization.read']),
    );
    expect(params.id_token?.split('.')).toHaveLength(3);
    const user = member();
    const organization = user.organizations[0]!;
    expect(profile).toMatchObject({
      provider: 'qonto',
      displayName: `${user.firstName} ${user.lastName}`,
      name: { givenName: user.firstName, familyName: user.lastName },
      emails: [{ value: user.email }],
      organization: { id: organization.id, slug: organization.slug, legalName: organization.legalName },
    });
    expect(profile._json.userId).toBe(user.id);
    expect(profile.id).toBe(profile._json.membershipId);
    expect(JSON.parse(profile._raw)).toEqual(profile._json);
  });

  it('calls a 4-argument verify with (accessToken, refreshToken, profile, done)', async () => {
    const seen: unknown[] = [];
    await app(
      {},
      (
        _accessToken: string,
        _refreshToken: string | undefined,
        profile: QontoPassportProfile,
        done: QontoVerifyCallback,
      ) => {
        seen.push(profile);
        done(null, {});
      },
    );
    await harness.callback(await consent());
    expect(seen[0]).toMatchObject({ provider: 'qonto', emails: [{ value: member().email }] });
  });

  it('puts the request first with passReqToCallback, for both arities', async () => {
    const seen: unknown[][] = [];
    await app(
      { passReqToCallback: true } as never,
      ((...args: unknown[]) => {
        seen.push(args);
        (args[4] as (e: unknown, u: object) => void)(null, {});
      }) as never,
    );
    // A rest parameter has length 0: passport-oauth2 then uses the 5-argument shape with the request.
    expect((await harness.callback(await consent())).error).toBeNull();
    expect(seen[0]![0]).toHaveProperty('query.code');
    expect(seen[0]?.[3]).toMatchObject({ provider: 'qonto' });

    const six: unknown[][] = [];
    await harness.close();
    await app(
      { passReqToCallback: true } as never,
      ((
        req: unknown,
        accessToken: unknown,
        refreshToken: unknown,
        params: unknown,
        profile: unknown,
        done: (e: unknown, u: object) => void,
      ) => {
        six.push([req, accessToken, refreshToken, params, profile]);
        done(null, {});
      }) as never,
    );
    expect((await harness.callback(await consent())).error).toBeNull();
    expect(six[0]![0]).toHaveProperty('query.state');
    expect(six[0]?.[3]).toHaveProperty('expires_in');
    expect(six[0]?.[4]).toMatchObject({ provider: 'qonto' });
  });

  it('sends the staging token, with its exact casing, to the token endpoint and the API and nowhere else', async () => {
    await app();
    const callback = await consent();
    sandbox.requests.clear();
    await harness.callback(callback);
    const serverSide = sandbox.requests.map((r) => `${r.method} ${r.path} ${r.stagingToken}`);
    expect(serverSide).toEqual(
      expect.arrayContaining(['POST /oauth2/token ok', 'GET /v2/membership ok', 'GET /v2/organization ok']),
    );
    expect(sandbox.requests.every((r) => r.stagingToken === 'ok')).toBe(true);
    const token = sandbox.requests.find((r) => r.path === '/oauth2/token')!;
    expect(token.headerNames).toContain('X-Qonto-Staging-Token');
    expect(token.clientAuth).toBe('post');
    // The browser's authorize URL cannot carry a header and holds no secret.
    expect(await harness.authorizationUrl()).not.toContain(sandbox.stagingToken);
  });

  it('sends every Qonto request through the fetch option, and keeps the login tokens out of inspect', async () => {
    const seenUrls: string[] = [];
    const { strategy, seen } = await app({
      fetch: (input, init) => {
        seenUrls.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    expect((await harness.callback(await consent())).error).toBeNull();
    expect(seenUrls.map((u) => new URL(u).pathname)).toEqual(
      expect.arrayContaining(['/oauth2/token', '/v2/membership', '/v2/organization']),
    );
    const shown = inspect(strategy, { depth: 10, showHidden: true });
    expect(shown).not.toContain(seen[0]?.[0] as string);
    expect(shown).not.toContain(sandbox.stagingToken);
  });

  it('uses a custom 5-parameter store for state and the PKCE verifier', async () => {
    const kept = new Map<string, string | undefined>();
    const store: QontoStateStore = {
      store(_req, codeVerifier, _appState, _meta, callback) {
        const handle = `handle-${kept.size}`;
        kept.set(handle, codeVerifier);
        callback(null, handle);
      },
      verify(_req, providedState, _meta, callback) {
        const codeVerifier = kept.get(providedState);
        kept.delete(providedState);
        if (codeVerifier === undefined) callback(null, false, { message: 'unknown state' });
        else callback(null, codeVerifier);
      },
    };
    await app({ store });
    const callback = new URL(await consent());
    expect(callback.searchParams.get('state')).toBe('handle-0');
    expect(kept.get('handle-0')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await harness.callback(callback.href)).error).toBeNull();
    expect(kept.size).toBe(0);
  });

  it('locks the consent to organizationId (no organization picker)', async () => {
    const owner = sandbox.users[0]!;
    const chosen = owner.organizations[1]!;
    const { seen } = await app({}, undefined, { organizationId: chosen.id });
    const outcome = await harness.callback(await consent({ user: owner }));
    expect(outcome.error).toBeNull();
    expect(seen[0]![3]).toHaveProperty('organization.id', chosen.id);
  });

  it('gives a smaller profile, not an error, when membership.read and organization.read were not granted', async () => {
    const { seen } = await app({ scope: ['offline_access', 'openid'] });
    const outcome = await harness.callback(await consent());
    expect(outcome.error).toBeNull();
    const profile = seen[0]?.[3] as QontoPassportProfile;
    expect(profile.id).toBe(member().id);
    expect(profile).not.toHaveProperty('organization');
    expect(profile).not.toHaveProperty('name');
  });

  it('fails without an error when the user denies consent', async () => {
    await app();
    const outcome = await harness.callback(await consent({ deny: true }));
    expect(outcome).toMatchObject({ error: null, user: false, status: 401 });
  });

  it('refuses a replayed callback (its state was used) without a token request', async () => {
    await app();
    const callback = await consent();
    expect((await harness.callback(callback)).user).toBeTruthy();
    sandbox.requests.clear();
    const replay = await harness.callback(callback);
    expect(replay).toMatchObject({ error: null, user: false, status: 403 });
    expect(sandbox.requests.some((r) => r.path === '/oauth2/token')).toBe(false);
  });

  it("reports a reused code as core's invalid_grant error", async () => {
    await app();
    const first = new URL(await consent());
    await harness.callback(first.href);
    const second = new URL(await consent());
    second.searchParams.set('code', first.searchParams.get('code')!);
    const outcome = await harness.callback(second.href);
    expect(isQontoError(outcome.error)).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'oauth', error: 'invalid_grant' });
  });
});

describe('QontoStrategy checks the staging token before the redirect to Qonto', () => {
  const requestsTo = (path: string) => sandbox.requests.filter((r) => r.path === path);

  it.each(['redirect', 'html'] as const)(
    'a wrong staging token (gate as %s) fails the login with QontoStagingGateError, never reaching Qonto',
    async (gate) => {
      const wrongToken = `wrong-staging-token-${gate}`;
      await app({ stagingToken: wrongToken });
      sandbox.faults.gate(gate);
      sandbox.requests.clear();

      const response = await harness.get('/login');

      expect(response.status).toBe(500);
      expect(response.headers.get('location')).toBeNull();
      const [error, ...others] = harness.loginErrors as Error[];
      expect(others).toEqual([]);
      expect(isQontoError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'staging_gate' });
      expect(error!.message).toMatch(/stagingToken/);
      expect(error!.message).toContain('QONTO_STAGING_TOKEN');
      expect(error!.message).toContain('Sign-in stopped before the redirect to Qonto.');
      expect(`${error!.message} ${inspect(error)} ${await response.text()}`).not.toContain(wrongToken);
      expect(requestsTo('/oauth2/auth')).toEqual([]);
      expect(requestsTo('/oauth2/token')).toHaveLength(1);

      // Checked once per process and staging token: the next login is refused without asking again.
      expect((await harness.get('/login')).status).toBe(500);
      expect(harness.loginErrors).toHaveLength(2);
      expect(requestsTo('/oauth2/token')).toHaveLength(1);
    },
  );

  it('the right staging token: one probe per process, then every login goes straight to Qonto', async () => {
    await app();
    await harness.authorizationUrl();
    sandbox.requests.clear();
    const authorize = new URL(await harness.authorizationUrl());
    expect(authorize.origin + authorize.pathname).toBe(`${sandbox.url}/oauth2/auth`);
    expect(requestsTo('/oauth2/token')).toEqual([]);
  });

  it('production (no staging token): no probe at all', async () => {
    const production = await startQontoSandbox({ mode: 'production' });
    try {
      await app({ environment: production.endpoints, stagingToken: undefined });
      const authorize = new URL(await harness.authorizationUrl());
      expect(authorize.origin).toBe(production.url);
      expect(production.requests.filter((r) => r.path === '/oauth2/token')).toEqual([]);
    } finally {
      await production.close();
    }
  });
});

describe("QontoStrategy errors are core's, never 'Failed to obtain access token'", () => {
  it('a staging token the probe could not check (network failure) still gets the gate at the callback', async () => {
    // The probe's request fails: it proves nothing, so the login goes on, and the code exchange reports the gate.
    const probeFails: typeof fetch = async (input, init) => {
      if (init?.body === 'grant_type=authorization_code') throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    await app({ stagingToken: 'unchecked-staging-token', fetch: probeFails });
    const outcome = await harness.callback(await consent());
    const error = outcome.error as Error;
    expect(error).toMatchObject({ code: 'staging_gate' });
    expect(error.message).toContain('X-Qonto-Staging-Token');
    expect(error.message).not.toContain('Failed to obtain access token');
    expect(error.message).not.toContain('unchecked-staging-token');
  });

  it("credentials of the other environment give invalid_client with core's hint, without the secret", async () => {
    await app({ clientSecret: 'the-production-secret' });
    const outcome = await harness.callback(await consent());
    const error = outcome.error as Error & { error?: string; hint?: string };
    expect(error).toMatchObject({ code: 'oauth', error: 'invalid_client' });
    expect(error.hint).toMatch(/other environment/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('the-production-secret');
  });
});

describe('QontoStrategy refresh', () => {
  async function signedIn(): Promise<{ strategy: QontoStrategy; refreshToken: string }> {
    const { strategy, seen } = await app();
    await harness.callback(await consent());
    return { strategy, refreshToken: seen[0]?.[1] as string };
  }

  it('strategy.refresh(refreshToken) returns a rotated TokenSet', async () => {
    const { strategy, refreshToken } = await signedIn();
    const tokens: TokenSet = await strategy.refresh(refreshToken);
    expect(tokens.tokenType).toBe('bearer');
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.refreshToken).not.toBe(refreshToken);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());
  });

  it('answers passport-oauth2-refresh, which calls _oauth2.getOAuthAccessToken with grant_type=refresh_token', async () => {
    const { strategy, refreshToken } = await signedIn();
    const oauth2 = (strategy as unknown as { _oauth2: { getOAuthAccessToken: (...a: unknown[]) => void } })
      ._oauth2;
    const result = await new Promise<unknown[]>((resolve) => {
      oauth2.getOAuthAccessToken(refreshToken, { grant_type: 'refresh_token' }, (...args: unknown[]) =>
        resolve(args),
      );
    });
    const [error, accessToken, newRefreshToken, params] = result;
    expect(error).toBeNull();
    expect(accessToken).toEqual(expect.any(String));
    expect(newRefreshToken).not.toBe(refreshToken);
    expect(params).toMatchObject({ access_token: accessToken, token_type: 'bearer' });
  });

  it('reports a refresh token no longer valid as reconnectRequired', async () => {
    const { strategy } = await signedIn();
    await expect(strategy.refresh('not-a-refresh-token')).rejects.toMatchObject({
      code: 'oauth',
      error: 'invalid_grant',
      reconnectRequired: true,
    });
  });
});
