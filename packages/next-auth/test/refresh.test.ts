import { QontoApiClient, QontoOAuthClient } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type QontoJwtTokens, type RefreshQontoTokenOptions, refreshQontoToken } from '../src/authjs.js';

const CLIENT = { clientId: 'refresh-tests', clientSecret: 'refresh-tests-secret' };
const REDIRECT_URI = 'http://127.0.0.1/callback';
const HOUR = 3_600_000;

let sandbox: QontoSandbox;
let options: RefreshQontoTokenOptions;
beforeAll(async () => {
  sandbox = await startQontoSandbox();
  sandbox.addClient({ ...CLIENT, redirectUris: [REDIRECT_URI] });
  options = {
    ...CLIENT,
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    now: sandbox.clock.now,
  };
});
afterAll(() => sandbox.close());

/** Signs a user in through core and returns the tokens as the `jwt` callback stores them. */
async function signedInToken(): Promise<QontoJwtTokens & { sub: string }> {
  const client = new QontoOAuthClient({ ...options, redirectUri: REDIRECT_URI });
  const { url, codeVerifier } = await client.createAuthorizationRequest();
  const callback = new URL(await completeAuthorization(url, sandbox.users[1]!));
  const tokens = await client.exchangeCode({ code: callback.searchParams.get('code')!, codeVerifier });
  return {
    sub: 'user-1',
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_at: Math.floor(tokens.expiresAt / 1000),
  };
}

const refreshRequests = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token');

describe('refreshQontoToken', () => {
  let token: QontoJwtTokens & { sub: string };
  beforeEach(async () => {
    token = await signedInToken();
    sandbox.requests.clear();
  });

  it('leaves a token that is still valid as it is, without asking Qonto', async () => {
    expect(await refreshQontoToken(token, options)).toBe(token);
    expect(refreshRequests()).toEqual([]);
  });

  it('refreshes once for concurrent calls after expiry, and returns the rotated token', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    const results = await Promise.all([1, 2, 3, 4].map(() => refreshQontoToken(token, options)));
    expect(refreshRequests()).toHaveLength(1);
    const [rotated] = results;
    for (const result of results) expect(result).toEqual(rotated);
    expect(rotated).toMatchObject({
      sub: 'user-1',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    expect(rotated!.refresh_token).not.toBe(token.refresh_token);
    expect(rotated!.access_token).not.toBe(token.access_token);
    expect(rotated!.expires_at! * 1000).toBeGreaterThan(sandbox.clock.now());
    expect(rotated).not.toHaveProperty('error');

    // A request that still carries the old cookie a moment later gets the same rotation, not a second one.
    sandbox.clock.advance(5_000);
    expect(await refreshQontoToken(token, options)).toEqual(rotated);
    expect(refreshRequests()).toHaveLength(1);

    // The new access token works, and the rotated set is not refreshed again.
    const api = new QontoApiClient({ ...options, tokens: rotated!.access_token! });
    await expect(api.getMembership()).resolves.toMatchObject({ email: sandbox.users[1]!.email });
    expect(await refreshQontoToken(rotated!, options)).toBe(rotated);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('refreshes a minute before expiry, as Qonto recommends', async () => {
    sandbox.clock.advance(HOUR - 30_000);
    const rotated = await refreshQontoToken(token, options);
    expect(rotated.access_token).not.toBe(token.access_token);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('marks a revoked connection with RefreshTokenError, keeping the rest of the token', async () => {
    const client = new QontoOAuthClient({ ...options, redirectUri: REDIRECT_URI });
    await client.revokeConsent(token.access_token!);
    sandbox.clock.advance(HOUR + 1_000);
    const result = await refreshQontoToken(token, options);
    expect(result).toEqual({ ...token, error: 'RefreshTokenError' });
    // Already known to be dead: no further request.
    expect(await refreshQontoToken(result, options)).toBe(result);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('marks a token without a refresh token with RefreshTokenError', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    const { refresh_token: _dropped, ...withoutRefreshToken } = token;
    expect(await refreshQontoToken(withoutRefreshToken, options)).toMatchObject({
      error: 'RefreshTokenError',
    });
    expect(refreshRequests()).toEqual([]);
  });

  it('throws a failure that is not the user’s (a wrong staging token) and leaves the token to retry', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    await expect(
      refreshQontoToken(token, { ...options, stagingToken: 'stg-wrong-0002' }),
    ).rejects.toMatchObject({
      code: 'staging_gate',
    });
    const rotated = await refreshQontoToken(token, options);
    expect(rotated.refresh_token).not.toBe(token.refresh_token);
  });
});
