import { readApiResponse } from './api-response.js';
import { type QontoAuthorizationTarget, qontoAuthorizationParams } from './authorization-params.js';
import {
  DEFAULT_QONTO_SCOPES,
  type QontoEndpoints,
  type QontoEnvironment,
  resolveEndpoints,
  revocationUrlOf,
} from './environments.js';
import { QontoConfigError } from './errors.js';
import { createQontoFetch } from './fetch.js';
import { bearerToken } from './header-token.js';
import { requireString } from './messages.js';
import { ORGANIZATION_ID_HEADER, organizationIdOption } from './organization-header.js';
import { codeChallengeS256, createCodeVerifier, createState } from './pkce.js';
import { discardBody } from './response-body.js';
import { parseTokenResponse, readRevocationResponse, type TokenGrant } from './token-response.js';
import type { TokenSet } from './tokens.js';

/** Each client's staging token, for `QontoConnections`' own API client; never a property, so never printed. */
const stagingTokens = new WeakMap<object, string | undefined>();

/** The staging token `client` was built with (none for production). */
export function stagingTokenOf(client: object): string | undefined {
  return stagingTokens.get(client);
}

/** Options of {@link QontoOAuthClient}. */
export interface QontoOAuthClientOptions {
  /** `'sandbox'`, `'production'` or custom endpoints (a local emulator). */
  environment: QontoEnvironment;
  /** The app's client id for this environment (Developer Portal; sandbox and production differ). */
  clientId: string;
  /** The app's client secret for this environment. Sent in the form body only (`client_secret_post`). */
  clientSecret: string;
  /**
   * The callback URL registered for this environment in the Developer Portal. Optional: a client that only
   * refreshes or revokes needs none, and each `createAuthorizationRequest` / `exchangeCode` call may give its own.
   */
  redirectUri?: string | undefined;
  /** Required for the sandbox (Developer Portal > your app > Sandbox credentials), refused elsewhere. */
  stagingToken?: string | undefined;
  /** Scopes asked for by default (default {@link DEFAULT_QONTO_SCOPES}). */
  scopes?: string[] | undefined;
  /** Send PKCE S256 (default true). Qonto does not document PKCE; its server accepts it. */
  pkce?: boolean | undefined;
  /** The fetch to wrap (default `globalThis.fetch`). */
  fetch?: typeof fetch | undefined;
  /** Time allowed for each request (default 30_000 ms). */
  timeoutMs?: number | undefined;
  /** Clock in epoch milliseconds, for `expiresAt` (default `Date.now`). */
  now?: (() => number) | undefined;
}

/**
 * Options of {@link QontoOAuthClient.createAuthorizationRequest}: `organizationId`, `registrationId` and
 * `identityType` as in {@link QontoAuthorizationTarget}.
 */
export interface QontoAuthorizationRequestOptions extends QontoAuthorizationTarget {
  /** Scopes for this request (default: the client's). */
  scopes?: string[];
  /** Your own `state` (default: 256 random bits). */
  state?: string;
  /** Another registered callback URL for this request (required when the client was built without one). */
  redirectUri?: string;
}

/** What to send the user to, and what to keep in their session until the callback. */
export interface QontoAuthorizationRequest {
  /** The authorize URL: open it in the user's browser, never fetch it from the server. */
  url: string;
  /** Compare with the callback's `state` (see `parseAuthorizationCallback`). */
  state: string;
  /** Pass to `exchangeCode`; absent when `pkce: false`. */
  codeVerifier?: string;
}

/**
 * Qonto's OAuth 2.0 authorization-code flow, sandbox and production alike.
 *
 * - {@link createAuthorizationRequest}: the authorize URL with `state` and PKCE
 *   (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/retrieve_authorization).
 * - {@link exchangeCode} and {@link refresh}: `POST /oauth2/token`, form body, `client_secret_post`, the staging
 *   header in the sandbox, never retried (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/create_tokens).
 * - {@link revokeConsent}: `DELETE /v2/oauth2/consents`
 *   (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/revoke-oauth-consents).
 * - {@link revokeToken}: RFC 7009 `POST /oauth2/revoke` (one grant's tokens; the consent stays).
 *
 * Errors: the sandbox gate -> `QontoStagingGateError`; an RFC 6749 error -> `QontoOAuthError` (`hint`,
 * `reconnectRequired`); a 3xx, HTML or malformed answer -> `QontoUnexpectedResponseError`; `QontoTimeoutError`,
 * `QontoNetworkError`. Messages never contain the secret, the staging token, a code, a verifier or a token.
 */
export class QontoOAuthClient {
  /** The resolved endpoints of the environment. */
  readonly endpoints: QontoEndpoints;
  readonly clientId: string;
  /** The default callback URL, when one was given at construction. */
  readonly redirectUri: string | undefined;
  /** Scopes asked for by default. */
  readonly scopes: readonly string[];
  // Private fields: never enumerable, so util.inspect(client) and JSON.stringify(client) cannot show them.
  readonly #clientSecret: string;
  readonly #stagingToken: string | undefined;
  readonly #pkce: boolean;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;

  constructor(o: QontoOAuthClientOptions) {
    if (o === null || typeof o !== 'object') {
      throw new QontoConfigError(
        'QontoOAuthClient needs options: { environment, clientId, clientSecret, redirectUri? }.',
      );
    }
    this.endpoints = resolveEndpoints(o.environment);
    this.clientId = requireString(o.clientId, 'clientId');
    this.#clientSecret = requireString(o.clientSecret, 'clientSecret');
    this.redirectUri = o.redirectUri === undefined ? undefined : requireUrl(o.redirectUri, 'redirectUri');
    this.scopes = Object.freeze(checkScopes(o.scopes ?? [...DEFAULT_QONTO_SCOPES]));
    this.#stagingToken = o.stagingToken === '' ? undefined : o.stagingToken;
    stagingTokens.set(this, this.#stagingToken);
    this.#pkce = o.pkce ?? true;
    this.#now = o.now ?? Date.now;
    this.#fetch = createQontoFetch({
      environment: this.endpoints,
      stagingToken: this.#stagingToken,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
    });
  }

  /**
   * The authorize URL (`client_id`, `redirect_uri`, `response_type=code`, space-separated `scope`, `state`,
   * `code_challenge` + `S256`, and `organization_id` / `registration_id` / `identity_type` when given), with the
   * `state` and `codeVerifier` to keep in the user's session. In the sandbox, the user's browser must first be
   * logged in to the sandbox web app (https://sandbox.staging.qonto.co/devportal); the SMS code is `123456`.
   */
  async createAuthorizationRequest(
    o: QontoAuthorizationRequestOptions = {},
  ): Promise<QontoAuthorizationRequest> {
    const state = o.state === undefined ? createState() : requireString(o.state, 'state');
    const params = new URLSearchParams({
      client_id: this.clientId,
      redirect_uri: this.#redirectUriFor(o.redirectUri, 'createAuthorizationRequest'),
      response_type: 'code',
      scope: checkScopes(o.scopes ?? [...this.scopes]).join(' '),
      state,
    });
    let codeVerifier: string | undefined;
    if (this.#pkce) {
      codeVerifier = createCodeVerifier();
      params.set('code_challenge', await codeChallengeS256(codeVerifier));
      params.set('code_challenge_method', 'S256');
    }
    for (const [name, value] of Object.entries(qontoAuthorizationParams(o))) params.set(name, value);
    const url = new URL(this.endpoints.authorizationUrl);
    // %20 rather than '+' between scopes: the form both decode to a space, %20 reads as one in every tool.
    url.search = params.toString().replace(/\+/g, '%20');
    return codeVerifier === undefined ? { url: url.href, state } : { url: url.href, state, codeVerifier };
  }

  /** Exchanges the callback's `code` (valid 10 minutes, single use) for tokens. */
  async exchangeCode(o: { code: string; codeVerifier?: string; redirectUri?: string }): Promise<TokenSet> {
    const code = requireString(o?.code, 'code');
    const form: Record<string, string> = {
      code,
      redirect_uri: this.#redirectUriFor(o.redirectUri, 'exchangeCode'),
    };
    if (o.codeVerifier !== undefined) form.code_verifier = requireString(o.codeVerifier, 'codeVerifier');
    return this.#tokenRequest('authorization_code', form, [code, form.code_verifier]);
  }

  /**
   * Trades a refresh token for a new set. Qonto rotates the refresh token on every use: store the new one
   * (the old one stays valid 60 s). `invalid_grant` -> `QontoOAuthError` with `reconnectRequired: true`.
   */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const token = requireString(refreshToken, 'refreshToken');
    return this.#tokenRequest('refresh_token', { refresh_token: token }, [token]);
  }

  /**
   * Revokes the user's consent (disconnect): `DELETE {api}/v2/oauth2/consents` with the access token. Any 2xx is
   * success. Needs `organization.read`. With a token of the user OAuth flow, pass the `organizationId` whose consent
   * ends (sent as `X-Qonto-Organization-Id`, which that flow requires on every call).
   */
  async revokeConsent(accessToken: string, o: { organizationId?: string | undefined } = {}): Promise<void> {
    const token = bearerToken(requireString(accessToken, 'accessToken'), 'accessToken');
    const organizationId = organizationIdOption(o?.organizationId);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (organizationId !== undefined) headers[ORGANIZATION_ID_HEADER] = organizationId;
    const response = await this.#fetch(`${this.endpoints.apiBaseUrl}/v2/oauth2/consents`, {
      method: 'DELETE',
      headers,
    });
    // Any 2xx is success, whatever its body; anything else reads like every other Business API error.
    if (response.ok) await discardBody(response);
    else await readApiResponse(response, 'DELETE /v2/oauth2/consents', this.#secrets(token));
  }

  /**
   * Revokes one token and every token of its grant (RFC 7009, `POST /oauth2/revoke` on the OAuth server, form body
   * with `client_secret_post` and the staging header in the sandbox): "sign out" of this app on this device. The
   * user's consent stays: to disconnect the app, use {@link revokeConsent}. Qonto's docs do not list this endpoint;
   * its OAuth server (Ory Hydra) serves it and real clients use it. A token that is unknown, expired or already
   * revoked is a success, as RFC 7009 says. Refused -> `QontoOAuthError` (`unauthorized_client`: another client's
   * token). Never retried.
   */
  async revokeToken(
    token: string,
    o: { tokenTypeHint?: 'access_token' | 'refresh_token' } = {},
  ): Promise<void> {
    const value = requireString(token, 'token');
    const form: Record<string, string> = { token: value };
    if (o?.tokenTypeHint !== undefined) form.token_type_hint = o.tokenTypeHint;
    await readRevocationResponse(
      await this.#post(revocationUrlOf(this.endpoints), form),
      this.#secrets(value),
    );
  }

  /** The request's own registered callback URL, else the client's; Qonto requires one on both requests. */
  #redirectUriFor(redirectUri: string | undefined, call: string): string {
    if (redirectUri !== undefined) return requireUrl(redirectUri, 'redirectUri');
    if (this.redirectUri !== undefined) return this.redirectUri;
    throw new QontoConfigError(
      `redirectUri is missing: Qonto requires the callback URL registered in the Developer Portal. Pass it to ` +
        `new QontoOAuthClient({ redirectUri }) or ${call}({ redirectUri }).`,
    );
  }

  #secrets(...more: (string | undefined)[]): string[] {
    return [this.#clientSecret, this.#stagingToken, ...more].filter((s): s is string => !!s);
  }

  /** A form POST to the OAuth server, authenticated as Qonto documents: `client_secret_post`, never Basic. */
  #post(url: string, form: Record<string, string>): Promise<Response> {
    return this.#fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        ...form,
        client_id: this.clientId,
        client_secret: this.#clientSecret,
      }).toString(),
    });
  }

  async #tokenRequest(
    grant: TokenGrant,
    form: Record<string, string>,
    sent: (string | undefined)[],
  ): Promise<TokenSet> {
    return parseTokenResponse(await this.#post(this.endpoints.tokenUrl, { grant_type: grant, ...form }), {
      grant,
      secrets: this.#secrets(...sent),
      now: this.#now(),
      requestedScopes: [...this.scopes],
    });
  }
}

function requireUrl(value: unknown, name: string): string {
  if (!URL.canParse(requireString(value, name))) {
    throw new QontoConfigError(`${name} must be an absolute URL, e.g. https://app.example/callback.`);
  }
  return value as string;
}

/** An RFC 6749 section 3.3 scope token: printable ASCII except space, `"` and `\`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function checkScopes(scopes: string[]): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new QontoConfigError(
      'scopes must be a non-empty array, e.g. ["offline_access", "organization.read"].',
    );
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new QontoConfigError(
        `Invalid scope ${JSON.stringify(String(scope))}: one scope per array item, without spaces.`,
      );
    }
  }
  return scopes;
}
