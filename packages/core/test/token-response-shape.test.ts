import { describe, expect, it } from 'vitest';
import {
  fromTokenResponse,
  isTokenExpired,
  MAX_EXPIRES_IN_SECONDS,
  QONTO_REFRESH_TOKEN_LIFETIME_MS,
  QontoConfigError,
  QontoOAuthClient,
  QontoUnexpectedResponseError,
  sandboxEndpointsAt,
  type TokenSet,
  toTokenResponse,
} from '../src/index.js';
import { startLoopback } from './helpers/loopback.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const now = () => NOW;
const TOKENS: TokenSet = {
  accessToken: 'ory_at_secret-access',
  tokenType: 'bearer',
  refreshToken: 'ory_rt_secret-refresh',
  idToken: 'eyJ.secret.id',
  scopes: ['offline_access', 'openid', 'organization.read'],
  expiresAt: NOW + 3600_000,
  // A refresh token received now lives 90 days.
  refreshTokenExpiresAt: NOW + QONTO_REFRESH_TOKEN_LIFETIME_MS,
};

describe('fromTokenResponse', () => {
  it('is the inverse of toTokenResponse', () => {
    expect(fromTokenResponse(toTokenResponse(TOKENS, now), now)).toEqual(TOKENS);
    const { refreshToken: _r, refreshTokenExpiresAt: _e, idToken: _i, ...bare } = TOKENS;
    expect(fromTokenResponse(toTokenResponse(bare, now), now)).toEqual(bare);
  });

  it('reads the params passport-oauth2 hands verify, whatever else they carry', () => {
    const params = { ...toTokenResponse(TOKENS, now), token_type: 'Bearer', extra: 'ignored' };
    expect(fromTokenResponse(params, now)).toEqual(TOKENS);
    expect(fromTokenResponse({ access_token: 'at', expires_in: 60 }, now)).toEqual({
      accessToken: 'at',
      tokenType: 'bearer',
      scopes: [],
      expiresAt: NOW + 60_000,
    });
  });

  it('takes an already expired set (expires_in 0, what toTokenResponse gives for one)', () => {
    const expired = { ...TOKENS, expiresAt: NOW - 5_000 };
    expect(fromTokenResponse(toTokenResponse(expired, now), now).expiresAt).toBe(NOW);
  });

  it('refuses what is not a token response, like Qonto answers, without printing a token', () => {
    const valid = toTokenResponse(TOKENS, now);
    const cases: [unknown, RegExp][] = [
      [{ ...valid, access_token: '' }, /no access_token/],
      [{ ...valid, expires_in: -1 }, /expires_in/],
      [{ ...valid, expires_in: '3600' }, /expires_in/],
      [{ ...valid, token_type: 'mac' }, /token_type/],
      [{ ...valid, refresh_token: 42 }, /refresh_token/],
      [{ ...valid, id_token: {} }, /id_token/],
      [null, /not an object/],
    ];
    for (const [params, message] of cases) {
      let error: unknown;
      try {
        fromTokenResponse(params as never, now);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/Fix: /);
      for (const secret of ['secret-access', 'secret-refresh', 'secret.id']) {
        expect((error as Error).message).not.toContain(secret);
      }
    }
  });
});

describe('fromTokenResponse and an Auth.js account', () => {
  it('refuses expires_at without expires_in, saying to convert the account with tokenSetFromAccount', () => {
    // The fields of the `account` Auth.js and NextAuth hand their callbacks and events.
    const account = {
      provider: 'qonto',
      type: 'oauth',
      providerAccountId: 'mem-1',
      access_token: 'ory_at_secret-access',
      refresh_token: 'ory_rt_secret-refresh',
      expires_at: Math.floor(NOW / 1000) + 3600,
      token_type: 'bearer',
      scope: 'offline_access organization.read',
    };
    const error = (() => {
      try {
        fromTokenResponse(account, now);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(String(error)).toMatch(
      /given expires_at, not expires_in.*tokenSetFromAccount\(account\) from @qonto-oauth\/next-auth/,
    );
    expect(String(error)).not.toMatch(/secret/);
    // With both, expires_in (the token response's own field) is read.
    expect(fromTokenResponse({ ...account, expires_in: 60 }, now).expiresAt).toBe(NOW + 60_000);
  });
});

describe('expires_in', () => {
  const valid = toTokenResponse(TOKENS, now);

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['1e308', 1e308],
    ['1e-300', 1e-300],
    ['a fraction', 3600.5],
    ['NaN', Number.NaN],
    ['over 10^7', 10_000_001],
    ['negative', -1],
  ])('refuses %s as a token response, so no TokenSet gets a non-finite expiresAt', (_what, expiresIn) => {
    expect(() => fromTokenResponse({ ...valid, expires_in: expiresIn }, now)).toThrow(
      QontoUnexpectedResponseError,
    );
  });

  it('takes whole seconds from 0 (an expired set) to 10^7', () => {
    for (const seconds of [0, 1, 3600, MAX_EXPIRES_IN_SECONDS]) {
      expect(fromTokenResponse({ ...valid, expires_in: seconds }, now).expiresAt).toBe(NOW + seconds * 1000);
    }
  });

  it('from the token endpoint: refuses 1e400 (Infinity once parsed), 1e308, 1e-300, 0 and fractions', async () => {
    let body = '';
    const server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    try {
      const client = new QontoOAuthClient({
        environment: { ...sandboxEndpointsAt(server.url), requiresStagingToken: false },
        clientId: 'c',
        clientSecret: 'client-secret',
        redirectUri: 'http://127.0.0.1/callback',
        now,
      });
      for (const expiresIn of ['1e400', '1e308', '1e-300', '0', '0.5', '3600.25', '10000001']) {
        body = `{"access_token":"at-value","token_type":"bearer","expires_in":${expiresIn}}`;
        const error = await client.refresh('rt-value').catch((e: unknown) => e);
        expect(error, expiresIn).toBeInstanceOf(QontoUnexpectedResponseError);
        expect((error as Error).message).toContain('whole number of seconds from 1 to 10000000');
      }
      body = '{"access_token":"at-value","token_type":"bearer","expires_in":1}';
      expect((await client.refresh('rt-value')).expiresAt).toBe(NOW + 1000);
    } finally {
      await server.close();
    }
  });

  it('a stored set without a finite expiresAt counts as expired, and converts back as expired', () => {
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const broken = { ...TOKENS, expiresAt };
      expect(isTokenExpired(broken, { now })).toBe(true);
      expect(toTokenResponse(broken, now).expires_in).toBe(0);
    }
    const farAway = { ...TOKENS, expiresAt: NOW + 1e15 };
    expect(toTokenResponse(farAway, now).expires_in).toBe(MAX_EXPIRES_IN_SECONDS);
    expect(fromTokenResponse(toTokenResponse(farAway, now), now).expiresAt).toBe(
      NOW + MAX_EXPIRES_IN_SECONDS * 1000,
    );
  });

  it('refuses a clock that does not give epoch milliseconds', () => {
    expect(() => fromTokenResponse(valid, () => Number.NaN)).toThrow(QontoConfigError);
  });
});
