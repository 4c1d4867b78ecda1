import {
  DEFAULT_QONTO_SCOPES,
  fetchQontoProfile,
  isQontoError,
  parseAuthorizationCallback,
  QontoApiClient,
  QontoConfigError,
  QontoOAuthClient,
  qontoAuthorizationParams,
  resolveEndpoints,
  type TokenSet,
  toTokenResponse,
} from '@qonto-oauth/core';
import { OAuth2Strategy, type StrategyRequest } from './oauth2-strategy.js';
import type {
  QontoAuthenticateOptions,
  QontoStrategyOptions,
  QontoStrategyOptionsWithRequest,
  QontoTokenParams,
  QontoVerifyFunction,
  QontoVerifyFunctionWithParams,
  QontoVerifyFunctionWithRequest,
  QontoVerifyFunctionWithRequestAndParams,
} from './options.js';
import { parseQontoProfile, type QontoPassportProfile } from './profile.js';
import { type StagingTokenCheck, stagingTokenCheck } from './staging-token-check.js';

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
  /** The sandbox's staging-token check, run before a login leaves for Qonto; none in production. */
  checkStagingToken: StagingTokenCheck | undefined;
}

/** What passport adds to the per-request copy of a strategy (passport-strategy's actions). */
interface PassportActions {
  fail(challenge: { message: string }, status: number): void;
  error(error: unknown): void;
}

/** The parts of passport-oauth2's Strategy that its own `authenticate` uses to check a callback's state. */
interface OAuth2Internals {
  _stateStore: {
    verify(req: unknown, state: string | undefined, ...rest: unknown[]): void;
  };
  _callbackURL: string | undefined;
  _oauth2: { _authorizeUrl: string; _accessTokenUrl: string; _clientId: string };
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
    const clientID = requireString(
      options.clientID,
      'clientID',
      "the client id of this environment's app (Developer Portal > your app)",
    );
    const clientSecret = requireString(
      options.clientSecret,
      'clientSecret',
      "the client secret of this environment's app (Developer Portal > your app)",
    );
    const callbackURL = requireString(
      options.callbackURL,
      'callbackURL',
      'the absolute redirect URI registered for this environment in the Developer Portal, e.g. ' +
        'https://app.example/auth/qonto/callback',
    );
    if (!URL.canParse(callbackURL)) {
      throw new QontoConfigError(
        'QontoStrategy needs callbackURL: the absolute redirect URI registered for this environment in the ' +
          'Developer Portal, e.g. https://app.example/auth/qonto/callback.',
      );
    }
    const endpoints = resolveEndpoints(options.environment);
    if (options.state === false && options.store === undefined) {
      throw new QontoConfigError(
        'QontoStrategy: `state: false` without a `store` sends no state, and Qonto requires one (every callback ' +
          'would come back with invalid_state), as does PKCE for keeping its code verifier. Fix: keep `state` on ' +
          '(the default), or give a `store`.',
      );
    }
    const { stagingToken, fetch } = options;
    const scope = scopeList(options.scope ?? DEFAULT_QONTO_SCOPES);
    // Core validates the credentials, the redirect URI and the staging token against the environment.
    const client = new QontoOAuthClient({
      environment: endpoints,
      clientId: clientID,
      clientSecret,
      redirectUri: callbackURL,
      scopes: scope,
      ...(stagingToken === undefined ? {} : { stagingToken }),
      ...(fetch === undefined ? {} : { fetch }),
    });
    super(
      {
        authorizationURL: endpoints.authorizationUrl,
        tokenURL: endpoints.tokenUrl,
        clientID,
        // The secret goes to core only: passport-oauth2 never posts it, and it stays off `_oauth2`.
        clientSecret: '',
        callbackURL,
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
    // `_oauth2` is node-oauth's client, protected in passport-oauth2 (not in OAuth2StrategyBase).
    Object.defineProperty((this as unknown as { _oauth2: object })._oauth2, 'getOAuthAccessToken', {
      value: getOAuthAccessToken,
      writable: true,
      configurable: true,
    });

    const internals: QontoInternals = {
      checkStagingToken: stagingTokenCheck(endpoints, stagingToken, fetch),
      refresh: (refreshToken) => client.refresh(refreshToken),
      profile: async (accessToken) => {
        const login = pending.get(accessToken);
        pending.delete(accessToken);
        const api = new QontoApiClient({ ...apiOptions, tokens: accessToken });
        const idToken = login?.idToken;
        // Its claims are checked against this client (and the environment's issuer) before its sub is used.
        const profileOptions = idToken === undefined ? {} : { idToken, clientId: options.clientID };
        return parseQontoProfile(await fetchQontoProfile(api, profileOptions));
      },
    };
    Object.defineProperty(this, INTERNALS, { value: internals });
  }

  /**
   * Qonto redirected back with `?error=`: its `state` is checked first, through the same state store as a code
   * (so a PKCE store's lookup runs, and the state is used up). A missing or foreign state fails with 403 and the
   * store's own message when it gave one (else core's generic `invalid_state` message), dropping the callback's
   * `error_description`; with a matching state,
   * `access_denied` (the user declined) fails with 401, so `failureRedirect` applies, and any other error reaches
   * the app as core's `QontoOAuthError`, with its hint. Either way `error` and `error_description` are cut short.
   *
   * In the sandbox, the login leg (no `code`, no `error`) first checks the staging token with core's
   * `probeStagingToken` (one token-endpoint request per process and staging token): a token the sandbox refuses
   * fails the request through `error()` with a `QontoStagingGateError`, before the redirect to Qonto.
   */
  override authenticate(req: StrategyRequest, options?: QontoAuthenticateOptions): void {
    const query = req.query as Record<string, string | string[] | undefined> | undefined;
    const self = this as unknown as PassportActions & OAuth2Internals;
    if (query?.error === undefined) {
      const check = this[INTERNALS].checkStagingToken;
      if (check === undefined || isCallback(req)) {
        super.authenticate(req, options);
        return;
      }
      // The login leg, in the sandbox: a staging token the sandbox refuses stops here, before the member goes
      // through Qonto's login, SMS code and consent for a code exchange that cannot work. On a fresh tick, so a
      // throw in the app's handlers cannot re-enter the promise.
      check().then(
        (refused) =>
          setImmediate(() =>
            refused === undefined ? super.authenticate(req, options) : self.error(refused),
          ),
        (error: unknown) => setImmediate(() => self.error(error)),
      );
      return;
    }
    const state = typeof query.state === 'string' ? query.state : undefined;
    const report = (error: unknown, ok: unknown, info?: { message?: unknown }) => {
      if (error) return self.error(error);
      let outcome: unknown;
      try {
        // The store vouched for this state (or refused it): core then checks it against itself, or reports the
        // callback as a forgery.
        parseAuthorizationCallback(query, { expectedState: ok ? state || undefined : undefined });
      } catch (caught) {
        outcome = caught;
      }
      const oauthError = isQontoError(outcome) ? (outcome as { error?: string }).error : undefined;
      // A store that refused the state says why (as on a callback with a code); core's message is the fallback.
      const refusal = !ok && typeof info?.message === 'string' ? info.message : undefined;
      if (oauthError === 'invalid_state') self.fail({ message: refusal ?? (outcome as Error).message }, 403);
      else if (oauthError === 'access_denied') self.fail({ message: (outcome as Error).message }, 401);
      else self.error(outcome);
    };
    const store = self._stateStore;
    const meta = {
      authorizationURL: self._oauth2._authorizeUrl,
      tokenURL: self._oauth2._accessTokenUrl,
      clientID: self._oauth2._clientId,
      callbackURL: self._callbackURL,
    };
    try {
      if (store.verify.length === 4) store.verify(req, state, meta, report);
      else store.verify(req, state, report);
    } catch (error) {
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

  /**
   * Maps the per-request options (`organizationId`, `registrationId`, `identityType`) onto Qonto's parameters,
   * with core's `qontoAuthorizationParams` (empty values left out).
   */
  override authorizationParams(options: QontoAuthenticateOptions | undefined): Record<string, string> {
    return qontoAuthorizationParams(options);
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

/**
 * An option that usually comes from the environment (`process.env.X`, `string | undefined` in TypeScript): refused
 * here when missing, under the name the user wrote, rather than by core under its own (`clientId`).
 */
function requireString(value: unknown, name: string, what: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  const missing = value === undefined || typeof value === 'string';
  const got =
    value === undefined ? 'undefined' : typeof value === 'string' ? 'an empty string' : `a ${typeof value}`;
  throw new QontoConfigError(
    `QontoStrategy needs ${name}: ${what}. It got ${got}` +
      (missing
        ? ': when it comes from an environment variable, that variable is not set in this process.'
        : '.'),
  );
}

/** A callback with a code, as passport-oauth2 tells one (query or body `code`): no staging-token check there. */
function isCallback(req: StrategyRequest): boolean {
  const query = req.query as { code?: unknown } | undefined;
  const body = (req as { body?: { code?: unknown } }).body;
  return Boolean(query?.code) || Boolean(body?.code);
}

function scopeList(scope: string | readonly string[]): string[] {
  // Qonto separates scopes with spaces; commas are a common slip.
  return typeof scope === 'string' ? scope.split(/[\s,]+/).filter(Boolean) : [...scope];
}

function rememberLogin(pending: Map<string, TokenSet>, tokens: TokenSet): void {
  pending.set(tokens.accessToken, tokens);
  setTimeout(() => pending.delete(tokens.accessToken), PENDING_LOGIN_TTL_MS).unref();
}
