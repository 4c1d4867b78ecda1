import { sandboxEndpointsAt } from '@qonto-oauth/core';
import passport from 'passport';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type QontoPassportProfile,
  QontoStrategy,
  type QontoTokenParams,
  type QontoVerifyFunctionWithParams,
} from '../src/index.js';

const options = {
  clientID: 'id',
  clientSecret: 'secret',
  callbackURL: 'http://127.0.0.1:3001/auth/qonto/callback',
  environment: sandboxEndpointsAt('http://127.0.0.1:9'),
  stagingToken: 'token',
};

// These run through tsc (`pnpm typecheck`): an inline verify gets its parameter types from the overloads, as
// passport-oauth2 picks the call shape by arity.
describe('verify callbacks are typed by arity', () => {
  it('types the 4-argument verify', () => {
    new QontoStrategy(options, (accessToken, refreshToken, profile, done) => {
      expectTypeOf(accessToken).toEqualTypeOf<string>();
      expectTypeOf(refreshToken).toEqualTypeOf<string | undefined>();
      expectTypeOf(profile).toEqualTypeOf<QontoPassportProfile>();
      done(null, { id: profile.id });
    });
  });

  it('accepts a 5-argument verify typed as QontoVerifyFunctionWithParams', () => {
    // TypeScript types an inline callback from the first overload only, so the 5-argument shape is declared.
    const verify: QontoVerifyFunctionWithParams = (_accessToken, _refreshToken, params, profile, done) => {
      expectTypeOf(params).toEqualTypeOf<QontoTokenParams>();
      expectTypeOf(params.expires_in).toEqualTypeOf<number>();
      expectTypeOf(profile).toEqualTypeOf<QontoPassportProfile>();
      done(null, false, { message: 'refused' });
    };
    new QontoStrategy(options, verify);
  });

  it('puts the request first with passReqToCallback', () => {
    new QontoStrategy(
      { ...options, passReqToCallback: true },
      (req, _accessToken, _refreshToken, profile, done) => {
        expectTypeOf(req.headers).toBeObject();
        expectTypeOf(profile).toEqualTypeOf<QontoPassportProfile>();
        done(null, {});
      },
    );
  });
});

describe('options as users write them, in strict TypeScript', () => {
  // `process.env.X` is `string | undefined`: the quick start passes it straight in.
  const env: Record<string, string | undefined> = {};

  it('takes clientID, clientSecret, callbackURL and stagingToken straight from process.env', () => {
    const build = () =>
      new QontoStrategy(
        {
          clientID: env.QONTO_CLIENT_ID,
          clientSecret: env.QONTO_CLIENT_SECRET,
          callbackURL: env.QONTO_CALLBACK_URL,
          environment: 'sandbox',
          stagingToken: env.QONTO_STAGING_TOKEN,
        },
        (accessToken, _refreshToken, profile, done) => {
          // Overload resolution kept the verify's types: no implicit any.
          expectTypeOf(accessToken).toEqualTypeOf<string>();
          expectTypeOf(profile).toEqualTypeOf<QontoPassportProfile>();
          done(null, { id: profile.id });
        },
      );
    // Unset here, so the constructor refuses it, by the name the user wrote.
    expect(build).toThrow(/QontoStrategy needs clientID: .*It got undefined/);
  });

  it("types passport.authenticate('qonto', { organizationId, registrationId, identityType })", () => {
    const login = passport.authenticate('qonto', {
      organizationId: 'org-1',
      registrationId: 'reg-1',
      identityType: 'user',
      failureRedirect: '/?declined',
    });
    expect(typeof login).toBe('function');
  });
});
