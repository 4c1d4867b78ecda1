import { Inject, Injectable } from '@nestjs/common';
import {
  type AuthorizationCallbackInput,
  fetchQontoProfile,
  parseAuthorizationCallback,
  QontoApiClient,
  type QontoAuthorizationRequest,
  type QontoAuthorizationRequestOptions,
  QontoConfigError,
  type QontoOAuthClient,
  type QontoProfile,
  QontoTokenManager,
  type TokenSet,
  type TokenStore,
} from '@qonto-oauth/core';
import type { ResolvedQontoOptions } from './options.js';
import { QONTO_OPTIONS } from './tokens.js';

/** Who connected and their tokens: what `handleCallback` returns and what `QontoAuthGuard` puts on `req.user`. */
export interface QontoLogin {
  /** Core's profile: membership, organization and id_token `sub`, as far as the granted scopes allow. */
  profile: QontoProfile;
  /** Plain data: store it (the refresh token rotates on every refresh, keep the newest). */
  tokens: TokenSet;
}

/**
 * Qonto OAuth and the Business API for a Nest app, configured once by `QontoModule`. Works without an HTTP adapter
 * (in `NestFactory.createApplicationContext()`, a worker, a CLI): it only talks to Qonto. Errors are core's typed
 * errors; in a controller, `toHttpException(error)` turns them into the right HTTP status.
 *
 * @see https://docs.qonto.com/get-started/business-api/authentication/oauth/login-endpoint
 */
@Injectable()
export class QontoService {
  readonly #options: ResolvedQontoOptions;
  readonly #client: QontoOAuthClient;

  constructor(@Inject(QONTO_OPTIONS) options: ResolvedQontoOptions) {
    this.#options = options;
    this.#client = options.client;
  }

  /**
   * A fresh authorization URL to redirect the browser to, with its `state` and PKCE `codeVerifier`: keep both
   * (a session, a sealed cookie) for {@link handleCallback}. Never fetch the URL from the server: Qonto binds the
   * flow to the user's browser.
   */
  createAuthorizationRequest(o: QontoAuthorizationRequestOptions = {}): Promise<QontoAuthorizationRequest> {
    return this.#client.createAuthorizationRequest(o);
  }

  /**
   * Completes a login from the callback's query (`req.query`, `URLSearchParams` or the callback URL): checks
   * `state` against the one you kept, exchanges the code, and loads the profile.
   * Throws core's errors: `QontoOAuthError` `access_denied` when the user declined, `invalid_state` for a missing or
   * different state, the token endpoint's errors otherwise.
   */
  async handleCallback(
    query: AuthorizationCallbackInput,
    expected: { state: string; codeVerifier?: string | undefined },
  ): Promise<QontoLogin> {
    const { code } = parseAuthorizationCallback(query, { expectedState: expected.state });
    const tokens = await this.#client.exchangeCode({
      code,
      ...(expected.codeVerifier === undefined ? {} : { codeVerifier: expected.codeVerifier }),
    });
    const profile = await fetchQontoProfile(
      this.api(tokens.accessToken),
      tokens.idToken === undefined ? {} : { idToken: tokens.idToken, clientId: this.#client.clientId },
    );
    return { profile, tokens };
  }

  /**
   * Trades a refresh token for a new {@link TokenSet}, nothing more: no store is read or written and no lock is
   * taken, so two callers holding the same refresh token spend it twice. Qonto rotates the refresh token: store the
   * new one. Throws `QontoOAuthError` with `reconnectRequired` when it is no longer valid. For a connection kept in
   * a store, use `tokenManager({ key }).refreshNow()`.
   */
  refresh(refreshToken: string): Promise<TokenSet> {
    return this.#client.refresh(refreshToken);
  }

  /**
   * Revokes the app's consent (`DELETE /v2/oauth2/consents`): every token of this connection stops working.
   * @see https://docs.qonto.com/api-reference/business-api/authentication/oauth2/revoke-oauth-consents
   */
  revokeConsent(accessToken: string): Promise<void> {
    return this.#client.revokeConsent(accessToken);
  }

  /**
   * The token manager of one connection: `getAccessToken()` and `getTokens()` refresh when the access token is due,
   * `refreshNow()` refreshes at once. It reads and saves the connection's tokens in `store` under `key` (the
   * module's `store` unless you pass one), so with a `RedisTokenStore` (`@qonto-oauth/redis`) a refresh happens once
   * among all the app's processes and the others get its result. `tokens` is the set to start from when the store
   * has none for `key` yet. With no store at all, the manager keeps `tokens` (then required) to itself.
   */
  tokenManager(o: { key?: string; tokens?: TokenSet; store?: TokenStore }): QontoTokenManager {
    const store = o?.store ?? this.#options.store;
    if (store !== undefined && o?.key === undefined) {
      throw new QontoConfigError(
        "QontoService needs the connection's key (your organization or user id) when a store keeps the tokens: " +
          'pass { key }, or every connection would share the key "default".',
      );
    }
    return new QontoTokenManager({
      client: this.#client,
      ...(o?.tokens === undefined ? {} : { tokens: o.tokens }),
      ...(store === undefined ? {} : { store }),
      ...(o?.key === undefined ? {} : { key: o.key }),
    });
  }

  /**
   * A Business API client for one connection. Given a {@link TokenSet}, it refreshes the access token through
   * {@link tokenManager} (same `store` and `key`) before it expires. Given an access token, it uses it as is.
   */
  api(tokens: TokenSet | string, o: { store?: TokenStore; key?: string } = {}): QontoApiClient {
    const { endpoints, stagingToken, fetch } = this.#options;
    return new QontoApiClient({
      environment: endpoints,
      tokens: typeof tokens === 'string' ? tokens : this.tokenManager({ ...o, tokens }),
      ...(stagingToken === undefined ? {} : { stagingToken }),
      ...(fetch === undefined ? {} : { fetch }),
    });
  }
}
