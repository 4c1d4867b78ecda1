import { describe, expect, it } from 'vitest';
import {
  fromTokenResponse,
  QontoUnexpectedResponseError,
  type TokenSet,
  toTokenResponse,
} from '../src/index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const now = () => NOW;
const TOKENS: TokenSet = {
  accessToken: 'ory_at_secret-access',
  tokenType: 'bearer',
  refreshToken: 'ory_rt_secret-refresh',
  idToken: 'eyJ.secret.id',
  scopes: ['offline_access', 'openid', 'organization.read'],
  expiresAt: NOW + 3600_000,
};

describe('fromTokenResponse', () => {
  it('is the inverse of toTokenResponse', () => {
    expect(fromTokenResponse(toTokenResponse(TOKENS, now), now)).toEqual(TOKENS);
    const { refreshToken: _r, idToken: _i, ...bare } = TOKENS;
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
