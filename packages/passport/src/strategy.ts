import type { IncomingMessage } from 'node:http';
import {
  DEFAULT_QONTO_SCOPES,
  fetchQontoProfile,
  isQontoError,
  parseAuthorizationCallback,
  QontoApiClient,
  QontoConfigError,
  type QontoEnvironment,
  QontoOAuthClient,
  resolveEndpoints,
  type TokenSet,
  toTokenResponse,
} from '@qonto-oauth/core';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import { parseQontoProfile, type QontoPassportProfile } from './profile.js';

/** The token response handed to a 5-argument `verify` (6 with `req`): core's `toTokenResponse` of the new tokens. */
export type QontoTokenParams = ReturnType<typeof toTokenResponse>;

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

interface QontoStrategyOptionsBase {
  /** Client id from the Developer Portal (sandbox and production have different ones). */
  clientID: string;
  /** Client secret, sent in the token request body (`client_secret_post`), as Qonto documents. */
  clientSecret: string;
  /** The redirect URI registered for the app in the Developer Portal, e.g. `https://app.example/auth/qonto/callback`. */
  callbackURL: string;
  /** `'sandbox'`, `'production'`, or explicit endpoints (a local emulator). */
  environment: QontoEnvironment;
  /** Sandbox only: sent as `X-Qonto-Staging-Token` to the token endpoint and the API, never to the browser. */
  stagingToken?: string;
  /** Scopes, as an array or a space-separated string (default `DEFAULT_QONTO_SCOPES`). */
  scope?: string | readonly string[];
  /** Keep `state` in the session (default `true`; Qonto requires `state`). */
  state?: boolean;
  /** PKCE S256 (default `true`). Needs `state` or `store`. */
  pkce?: boolean;
  /** Your own state store (see {@link QontoStateStore}) instead of the session. */
  store?: QontoStateStore;
  /** Session key of the default state store (default `oauth2:<authorization host>`). */
  sessionKey?: string;
  /** Trust `X-Forwarded-*` when resolving a relative `callbackURL`. */
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

/** Per-request options: `passport.authenticate('qonto', { organizationId })`. */
export interface QontoAuthenticateOptions {
  /** Lock the consent to this organization (`organization_id`): the organization picker is skipped. */
  organizationId?: string;
  /** Pre-select the organization created through the Onboarding API (`registration_id`). */
  registrationId?: string;
  /** `'user'` starts the User OAuth flow (apps approved by Qonto only). */
  identityType?: 'user';
  /** Scopes for this request instead of the strategy's (space-separated when a string). */
  scope?: string | string[];
}

type TokenCallback = (
  error: unknown,
  accessToken?: string,
  refreshToken?: string,
  params?: QontoTokenParams,
) => void;

/** The strategy's Qonto side, closed over so no secret sits on an enumerable property of the strategy. */
interface QontoInternals {
  refresh(refreshToken: string): Promise<TokenSet>;
  profile(accessToken: string): Promise<QontoPassportProfile>;
}

/** What passport adds to the per-request copy of a strategy (passport-strategy's actions). */
interface PassportActions {
  fail(challenge: { message: string }, status: number): void;
  error(error: unknown): void;
}

const INTERNALS = Symbol('qonto-oauth.passport.internals');
// A profile normally follows the token exchange within milliseconds; this only bounds what a login that never
// reaches userProfile (skipUserProfile, a crash in between) leaves behind.
const PENDING_LOGIN_TTL_MS = 60_000;

/**
 * "Connect with Qonto" for Passport: passport-oauth2's Strategy with the token exchange, refresh and profile
 * going through `@qonto-oauth/core`, so the sandbox's `X-Qonto-Staging-Token`, its sign-in gate, Qonto's error
 * bodies and timeouts surface as core's typed errors, never as "Failed to obtain access token".
 * State and PKCE stay passport-oauth2's (session stores by default, or your `store`).
 *
 * @see https://docs.qonto.com/get-started/business-api/authentication/oauth/login-endpoint
 */
export class QontoStrategy extends OAuth2Strategy {
  declare readonly [INTERNALS]: QontoInternals;

  // One overload per call shape, fewest arguments first: an inline verify then gets its parameter types.
  constructor(options: QontoStrategyOptions, verify: QontoVerifyFunction);
  constructor(options: QontoStrategyOptions, verify: QontoVerifyFunctionWithParams);
  constructor(options: QontoStrategyOptionsWithRequest, verify: QontoVerifyFunctionWithRequest);
  constructor(options: QontoStrategyOptionsWithRequest, verify: QontoVerifyFunctionWithRequestAndParams);
  constructor(
    options: QontoStrategyOptions | QontoStrategyOptionsWithRequest,
    verify:
      | QontoVerifyFunction
      | QontoVerifyFunctionWithParams
      | QontoVerifyFunctionWithRequest
      | QontoVerifyFunctionWithRequestAndParams,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new QontoConfigError(
        'QontoStrategy needs options: { clientID, clientSecret, callbackURL, environment, stagingToken? }.',
      );
    }
    if (typeof verify !== 'function') {
      throw new QontoConfigError(
        'QontoStrategy needs a verify callback: (accessToken, refreshToken, profile, done) => done(null, user).',
      );
    }
    const endpoints = resolveEndpoints(options.environment);
    if (typeof options.callbackURL !== 'string' || !URL.canParse(options.callbackURL)) {
      throw new QontoConfigError(
        'QontoStrategy needs callbackURL: the absolute redirect URI registered for this environment in the ' +
          'Developer Portal, e.g. https://app.example/auth/qonto/callback.',
      );
    }
    if (options.state === false && options.store === undefined && options.pkce !== false) {
      throw new QontoConfigError(
        'QontoStrategy: PKCE needs somewhere to keep the code verifier. Keep `state` on (the default), give a ' +
          '`store`, or set `pkce: false`.',
      );
    }
    const { stagingToken, fetch } = options;
    const scope = scopeList(options.scope ?? DEFAULT_QONTO_SCOPES);
    // Core validates the credentials, the redirect URI and the staging token against the environment.
    const client = new QontoOAuthClient({
      environment: endpoints,
      clientId: options.clientID,
      clientSecret: options.clientSecret,
      redirectUri: options.callbackURL,
      scopes: scope,
      ...(stagingToken === undefined ? {} : { stagingToken }),
      ...(fetch === undefined ? {} : { fetch }),
    });
    super(
      {
        authorizationURL: endpoints.authorizationUrl,
        tokenURL: endpoints.tokenUrl,
        clientID: options.clientID,
        // The secret goes to core only: passport-oauth2 never posts it, and it stays off `_oauth2`.
        clientSecret: '',
        callbackURL: options.callbackURL,
        scope,
        state: options.state ?? true,
        pkce: options.pkce ?? true,
        ...(options.store === undefined ? {} : { store: options.store as never }),
        ...(options.sessionKey === undefined ? {} : { sessionKey: options.sessionKey }),
        ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
        ...(options.skipUserProfile === undefined ? {} : { skipUserProfile: options.skipUserProfile }),
        passReqToCallback: options.passReqToCallback === true,
      } as never,
      verify as never,
    );
    this.name = options.name ?? 'qonto';

    const pending = new Map<string, TokenSet>();
    const apiOptions = {
      environment: endpoints,
      ...(stagingToken === undefined ? {} : { stagingToken }),
      ...(fetch === undefined ? {} : { fetch }),
    };

    // passport-oauth2 calls this for the code exchange, and passport-oauth2-refresh for grant_type=refresh_token
    // (frameworks.md G2). Callbacks run on a fresh tick so a throw in the app's verify cannot re-enter `catch`.
    const getOAuthAccessToken = (
      code: string,
      params: Record<string, string | undefined>,
      done: TokenCallback,
    ) => {
      const tokens =
        params?.grant_type === 'refresh_token'
          ? client.refresh(code)
          : client.exchangeCode({
              code,
              ...(params?.code_verifier === undefined ? {} : { codeVerifier: params.code_verifier }),
              ...(params?.redirect_uri === undefined ? {} : { redirectUri: params.redirect_uri }),
            });
      tokens.then(
        (set) => {
          if (params?.grant_type !== 'refresh_token') rememberLogin(pending, set);
          setImmediate(done, null, set.accessToken, set.refreshToken, toTokenResponse(set));
        },
        (error: unknown) => setImmediate(done, error),
      );
    };
    Object.defineProperty(this._oauth2, 'getOAuthAccessToken', {
      value: getOAuthAccessToken,
      writable: true,
      configurable: true,
    });

    const internals: QontoInternals = {
      refresh: (refreshToken) => client.refresh(refreshToken),
      profile: async (accessToken) => {
        const login = pending.get(accessToken);
        pending.delete(accessToken);
        const api = new QontoApiClient({ ...apiOptions, tokens: accessToken });
        const idToken = login?.idToken;
        return parseQontoProfile(await fetchQontoProfile(api, idToken === undefined ? {} : { idToken }));
      },
    };
    Object.defineProperty(this, INTERNALS, { value: internals });
  }

  /**
   * Qonto redirected back with `?error=`: `access_denied` (the user declined) fails the authentication, so
   * `failureRedirect` applies; any other error reaches the app as core's `QontoOAuthError`, with its hint.
   */
  override authenticate(
    req: Parameters<OAuth2Strategy['authenticate']>[0],
    options?: QontoAuthenticateOptions,
  ): void {
    const query = req.query as Record<string, string | string[] | undefined> | undefined;
    if (query?.error === undefined) {
      super.authenticate(req, options);
      return;
    }
    let error: unknown;
    try {
      parseAuthorizationCallback(query, { expectedState: undefined });
    } catch (caught) {
      error = caught;
    }
    const self = this as unknown as PassportActions;
    if (isQontoError(error) && (error as { error?: string }).error === 'access_denied') {
      self.fail({ message: error.message }, 401);
    } else {
      self.error(error);
    }
  }

  /**
   * Loads who connected: `GET /v2/membership` and `GET /v2/organization` through core, plus the id_token's `sub`.
   * A scope that was not granted gives a smaller profile; any other failure reaches Passport as core's error.
   */
  override userProfile(
    accessToken: string,
    done: (error?: unknown, profile?: QontoPassportProfile) => void,
  ): void {
    this[INTERNALS].profile(accessToken).then(
      (profile) => setImmediate(done, null, profile),
      (error: unknown) => setImmediate(done, error),
    );
  }

  /** Maps the per-request options (`organizationId`, `registrationId`, `identityType`) onto Qonto's parameters. */
  override authorizationParams(options: QontoAuthenticateOptions | undefined): Record<string, string> {
    const params: Record<string, string> = {};
    if (options?.organizationId) params.organization_id = options.organizationId;
    if (options?.registrationId) params.registration_id = options.registrationId;
    if (options?.identityType) params.identity_type = options.identityType;
    return params;
  }

  /**
   * Trades a refresh token for a new {@link TokenSet} (Qonto rotates the refresh token: store the new one).
   * Throws core's `QontoOAuthError` with `reconnectRequired: true` when the refresh token is no longer valid.
   */
  refresh(refreshToken: string): Promise<TokenSet> {
    return this[INTERNALS].refresh(refreshToken);
  }

  /**
   * Core's errors reach the app unchanged (their message says what happened and the fix), instead of
   * passport-oauth2's "Failed to obtain access token".
   */
  _createOAuthError(message: string, error: unknown): Error {
    if (isQontoError(error) || error instanceof Error) return error;
    return new Error(message);
  }
}

function scopeList(scope: string | readonly string[]): string[] {
  // Qonto separates scopes with spaces; commas are a common slip.
  return typeof scope === 'string' ? scope.split(/[\s,]+/).filter(Boolean) : [...scope];
}

function rememberLogin(pending: Map<string, TokenSet>, tokens: TokenSet): void {
  pending.set(tokens.accessToken, tokens);
  setTimeout(() => pending.delete(tokens.accessToken), PENDING_LOGIN_TTL_MS).unref();
}
