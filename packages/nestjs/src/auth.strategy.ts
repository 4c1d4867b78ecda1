import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { fromTokenResponse } from '@qonto-oauth/core';
import { type QontoPassportProfile, QontoStrategy, type QontoTokenParams } from '@qonto-oauth/passport';
import type { ResolvedQontoOptions } from './options.js';
import type { QontoLogin } from './qonto.service.js';
import { QontoStateCookieStore } from './state-cookie-store.js';
import { QONTO_OPTIONS } from './tokens.js';

/**
 * The `qonto` Passport strategy for `@nestjs/passport`, registered by `QontoModule`: `@qonto-oauth/passport`'s
 * `QontoStrategy` with the module's options, state and PKCE in a sealed cookie (no express-session needed), and a
 * `validate` that makes `req.user` a {@link QontoLogin} (`{ profile, tokens }`).
 *
 * `PassportStrategy(…, 'qonto', 5)`: without the arity, passport-oauth2 would call `validate` without the token
 * response (`params`, which carries `expires_in` and the id_token).
 */
@Injectable()
export class QontoAuthStrategy extends PassportStrategy(QontoStrategy, 'qonto', 5) {
  constructor(@Inject(QONTO_OPTIONS) options: ResolvedQontoOptions) {
    super({
      clientID: options.clientId,
      clientSecret: options.clientSecret,
      callbackURL: options.redirectUri,
      environment: options.endpoints,
      scope: options.scopes,
      pkce: true,
      store: new QontoStateCookieStore({
        secret: options.stateSecret ?? `client-secret:${options.clientSecret}`,
        path: options.callbackPath,
        secure: options.redirectUri.startsWith('https:'),
      }),
      ...(options.stagingToken === undefined ? {} : { stagingToken: options.stagingToken }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  /**
   * Turns Passport's arguments into `req.user`. Override it in a subclass to look up or create your own user;
   * whatever it returns becomes `req.user`.
   */
  validate(
    _accessToken: string,
    _refreshToken: string | undefined,
    params: QontoTokenParams,
    profile: QontoPassportProfile,
  ): QontoLogin {
    // `params` carries both tokens too: core's inverse of the strategy's toTokenResponse.
    return { profile: profile._json, tokens: fromTokenResponse(params) };
  }
}
