import type { IncomingMessage } from 'node:http';
import type { QontoAuthorizationTarget, QontoEnvironment, QontoTokenResponse } from '@qonto-oauth/core';
import type { QontoPassportProfile } from './profile.js';

/**
 * The token response handed to a 5-argument `verify` (6 with `req`): core's `toTokenResponse` of the new tokens;
 * core's `fromTokenResponse(params)` turns it back into a `TokenSet`.
 */
export type QontoTokenParams = QontoTokenResponse;

/** Passport's `done`: `done(null, user)`, `done(null, false, { message })` to refuse, `done(error)`. */
export type QontoVerifyCallback = (error?: unknown, user?: object | false, info?: object) => void;

/** `verify(accessToken, refreshToken, profile, done)`. `refreshToken` is `undefined` without `offline_access`. */
export type QontoVerifyFunction = (
  accessToken: string,
  refreshToken: string | undefined,
  profile: QontoPassportProfile,
  done: QontoVerifyCallback,
) => void;

/** `verify(accessToken, refreshToken, params, profile, done)`: passport-oauth2 passes `params` to a 5-argument verify. */
export type QontoVerifyFunctionWithParams = (
  accessToken: string,
  refreshToken: string | undefined,
  params: QontoTokenParams,
  profile: QontoPassportProfile,
  done: QontoVerifyCallback,
) => void;

// Method syntax makes `req` bivariant, so a verify typed with Express's (or Nest's) Request still fits.
type WithRequest<Rest extends unknown[]> = {
  bivariant(req: IncomingMessage, ...rest: Rest): void;
}['bivariant'];

/** With `passReqToCallback: true`: `verify(req, accessToken, refreshToken, profile, done)`. */
export type QontoVerifyFunctionWithRequest = WithRequest<
  [string, string | undefined, QontoPassportProfile, QontoVerifyCallback]
>;

/** With `passReqToCallback: true` and 6 arguments: `verify(req, accessToken, refreshToken, params, profile, done)`. */
export type QontoVerifyFunctionWithRequestAndParams = WithRequest<
  [string, string | undefined, QontoTokenParams, QontoPassportProfile, QontoVerifyCallback]
>;

/** What passport-oauth2 hands a state store besides the request. */
export interface QontoStateStoreMeta {
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  callbackURL: string | undefined;
}

/**
 * A custom state store (passport-oauth2 `store`), for example a signed cookie when there is no session.
 * passport-oauth2 picks the call shape by `.length`: `store` must declare exactly 5 plain parameters or the PKCE
 * verifier is silently dropped; `verify` calls back `(null, codeVerifier, appState)` on success, or
 * `(null, false, { message })` to refuse (403).
 */
export interface QontoStateStore {
  store(
    req: IncomingMessage,
    codeVerifier: string | undefined,
    appState: unknown,
    meta: QontoStateStoreMeta,
    callback: (error: Error | null, handle?: string) => void,
  ): void;
  verify(
    req: IncomingMessage,
    providedState: string,
    meta: QontoStateStoreMeta,
    callback: (error: Error | null, ok?: string | boolean, appState?: unknown) => void,
  ): void;
}

// The values that usually come from `process.env` accept `undefined` (what TypeScript types `process.env.X` as):
// a missing one is refused by the constructor's QontoConfigError, named as written here.
interface QontoStrategyOptionsBase {
  /** Client id from the Developer Portal (sandbox and production have different ones). Required at run time. */
  clientID: string | undefined;
  /** Client secret, sent in the token request body (`client_secret_post`), as Qonto documents. Required at run time. */
  clientSecret: string | undefined;
  /**
   * The redirect URI registered for the app in the Developer Portal, e.g. `https://app.example/auth/qonto/callback`.
   * Required at run time.
   */
  callbackURL: string | undefined;
  /** `'sandbox'`, `'production'`, or explicit endpoints (a local emulator). */
  environment: QontoEnvironment;
  /** Sandbox only: sent as `X-Qonto-Staging-Token` to the token endpoint and the API, never to the browser. */
  stagingToken?: string | undefined;
  /** Scopes, as an array or a space-separated string (default `DEFAULT_QONTO_SCOPES`). */
  scope?: string | readonly string[];
  /** Keep `state` in the session (default `true`). Qonto requires `state`: `false` needs a `store`. */
  state?: boolean;
  /** PKCE S256 (default `true`). */
  pkce?: boolean;
  /** Your own state store (see {@link QontoStateStore}) instead of the session. */
  store?: QontoStateStore;
  /** Session key of the default state store (default `oauth2:<authorization host>`). */
  sessionKey?: string;
  /**
   * passport-oauth2's option for resolving a relative `callbackURL` behind a proxy. Has no effect here:
   * `callbackURL` must be absolute (Qonto compares it with the registered redirect URI).
   * @deprecated No effect; remove it.
   */
  proxy?: boolean;
  /** Skip the membership and organization calls: `verify` then gets no profile. */
  skipUserProfile?: boolean;
  /** Strategy name for `passport.authenticate(name)` (default `'qonto'`). */
  name?: string;
  /** The fetch every Qonto request goes through (a proxy, a test double); core adds the staging header. */
  fetch?: typeof fetch;
}

/** Options of {@link QontoStrategy} with a `verify` that does not take the request. */
export interface QontoStrategyOptions extends QontoStrategyOptionsBase {
  passReqToCallback?: false;
}

/** Options of {@link QontoStrategy} with `passReqToCallback: true`: `verify` gets the request first. */
export interface QontoStrategyOptionsWithRequest extends QontoStrategyOptionsBase {
  passReqToCallback: true;
}

/**
 * Per-request options: `passport.authenticate('qonto', { organizationId })`. `organizationId` locks the consent to
 * one organization (`organization_id`, no picker), `registrationId` pre-selects the one created through the
 * Onboarding API, `identityType: 'user'` starts the User OAuth flow (core's `QontoAuthorizationTarget`).
 */
export interface QontoAuthenticateOptions extends QontoAuthorizationTarget {
  /** Scopes for this request instead of the strategy's (space-separated when a string). */
  scope?: string | string[];
}

// Passport's own `passport.authenticate('qonto', { organizationId })` types these per-request options (its
// AuthenticateOptions has no index signature, so without this the call fails overload resolution).
declare module 'passport' {
  interface AuthenticateOptions {
    /** Qonto: lock the consent to this organization (`organization_id`): no organization picker. */
    organizationId?: QontoAuthorizationTarget['organizationId'];
    /** Qonto: pre-select the organization created through the Onboarding API (`registration_id`). */
    registrationId?: QontoAuthorizationTarget['registrationId'];
    /** Qonto: `'user'` starts the User OAuth flow (apps approved by Qonto only). */
    identityType?: QontoAuthorizationTarget['identityType'];
  }
}
