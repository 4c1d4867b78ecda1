/**
 * <div style={{backgroundColor: "#1d1d1b", display: "flex", justifyContent: "space-between", color: "#fff", padding: 16}}>
 * <span><b>Qonto</b> provider for Auth.js v5 ("Connect with Qonto").</span>
 * </div>
 *
 * For NextAuth v4 import `@qonto-oauth/next-auth` instead.
 *
 * @module @qonto-oauth/next-auth/authjs
 */
import { customFetch } from '@auth/core';
import type { OAuthConfig, OAuthUserConfig } from '@auth/core/providers';
import {
  createQontoFetch,
  type QontoEnvironment,
  type QontoProfile,
  resolveEndpoints,
} from '@qonto-oauth/core';
import { qontoSettings } from './authjs-env.js';
import {
  commonProviderFields,
  exchangeCodeThroughCore,
  fetchProfileThroughCore,
  type QontoProviderOptions,
} from './shared.js';
import {
  authorizationServerMetadata,
  checkBeforeSignIn,
  discoveryUrl,
  type SignInSettings,
} from './sign-in-check.js';

export { qontoEnvFromAuthEnv } from './authjs-env.js';
export * from './common-exports.js';

/** The options of the Auth.js {@link Qonto} provider: Auth.js's own, plus the Qonto ones. */
export type QontoUserConfig = OAuthUserConfig<QontoProfile> & QontoProviderOptions;

/**
 * Add "Connect with Qonto" to an Auth.js v5 app (next-auth 5, `@auth/core` and its framework packages) and call
 * the [Qonto Business API](https://docs.qonto.com/api-reference/business-api) with the member's tokens.
 *
 * ### Setup
 *
 * #### Callback URL
 * Register it in the Qonto Developer Portal (sandbox and production are registered separately):
 * ```
 * https://example.com/api/auth/callback/qonto
 * ```
 *
 * #### Configuration
 * ```ts
 * // auth.ts
 * import NextAuth from "next-auth"
 * import Qonto from "@qonto-oauth/next-auth/authjs"
 *
 * export const { handlers, auth, signIn, signOut } = NextAuth({ providers: [Qonto] })
 * ```
 * With the environment variables `AUTH_QONTO_ID`, `AUTH_QONTO_SECRET`, `AUTH_QONTO_ENV` (`sandbox` or
 * `production`) and, for the sandbox, `AUTH_QONTO_STAGING_TOKEN`. The `QONTO_*` names (`QONTO_CLIENT_ID`,
 * `QONTO_CLIENT_SECRET`, `QONTO_ENV`, `QONTO_STAGING_TOKEN`, `QONTO_SANDBOX_URL`) are read after them; a value
 * passed to `Qonto({ ... })` wins over both. `AUTH_QONTO_SCOPES`/`QONTO_SCOPES` (space-separated) replace the
 * default scopes when `scope` is not given. {@link qontoEnvFromAuthEnv} gives the rest of the app the same
 * settings under the `QONTO_*` names.
 *
 * ### Notes
 *
 * - Requests to Qonto go through `@qonto-oauth/core`, which adds `X-Qonto-Staging-Token` to the sandbox's hosts
 *   only. The provider's `[customFetch]` runs the code exchange through core (so a failure is logged with core's
 *   message: staging gate, credentials of the other environment, expired code) and composes with a
 *   `[customFetch]` you pass in the config (a proxy), which then carries every request to Qonto.
 * - `checks` is `['pkce', 'state']` and the scopes are explicit (Auth.js would otherwise ask for
 *   `openid profile email`, which Qonto refuses). The token request uses `client_secret_post`, the only method
 *   Qonto documents.
 * - `issuer` is the environment's (`https://oauth-sandbox.staging.qonto.co` for the sandbox): Auth.js rejects an
 *   id_token whose `iss` differs. Qonto's production issuer is inferred, not documented: set `issuer` (or
 *   `AUTH_QONTO_ISSUER`) if Qonto's id_tokens say otherwise.
 * - Auth.js v5 calls `userinfo.request` for OAuth 2 providers (it is `type: "oauth"`): the profile comes from
 *   `GET /v2/membership` and `GET /v2/organization` (Qonto has no userinfo endpoint) and the id_token's `sub`;
 *   `profile()` returns `{ id, name, email, image: null }` and the organization's id, slug and legal name.
 * - A sign-in that cannot succeed stops when it starts, before the redirect to Qonto, on Auth.js's error page
 *   (`?error=Configuration`), with a log line naming the variable to fix: no client id or secret, no
 *   `AUTH_QONTO_STAGING_TOKEN` for the sandbox or one for production (no request made), or a staging token the
 *   sandbox refuses (one request to its token endpoint per process and token, remembered until restart).
 * - Access tokens live one hour: refresh them in the `jwt` callback with {@link refreshQontoToken}.
 * - The sandbox login's SMS code is always `123456`, and the browser must be logged in to the sandbox web app
 *   (https://sandbox.staging.qonto.co/devportal) before the authorize page opens.
 *
 * ### Resources
 * - [Qonto OAuth guide](https://docs.qonto.com/get-started/business-api/authentication/oauth)
 * - [Qonto scopes](https://docs.qonto.com/get-started/business-api/authentication/oauth/available-scopes)
 * - [Qonto sandbox](https://docs.qonto.com/get-started/business-api/authentication/oauth/sandbox)
 */
export function Qonto(config: QontoUserConfig = {}): OAuthConfig<QontoProfile> {
  const settings = qontoSettings(config);
  const { clientId, clientSecret, stagingToken, environment, scope } = settings;
  const endpoints = resolveEndpoints(environment);
  // Custom endpoints without an issuer: the token endpoint's origin, as an Ory Hydra server would name itself.
  const issuer = settings.issuer ?? endpoints.issuer ?? new URL(endpoints.tokenUrl).origin;
  const userFetch = config[customFetch];
  const qontoFetch = qontoCustomFetch({
    environment,
    stagingToken,
    scope,
    issuer,
    userFetch,
    signIn: { ...settings, endpoints, fetch: userFetch },
  });
  const common = commonProviderFields({ ...config, scope }, endpoints);
  const provider: OAuthConfig<QontoProfile> = {
    ...common,
    issuer,
    // No authorization URL: Auth.js then asks `[customFetch]` for the issuer's metadata when (and only when) a
    // sign-in starts, which is where the provider refuses a sign-in that cannot succeed (checkBeforeSignIn) and
    // answers the metadata itself. The params still reach the authorize URL.
    authorization: { params: common.authorization.params },
    token: endpoints.tokenUrl,
    userinfo: {
      url: `${endpoints.apiBaseUrl}/v2/membership`,
      request: ({
        provider,
        tokens,
      }: {
        provider: { clientId?: string };
        tokens: { access_token?: string; id_token?: string };
      }) =>
        fetchProfileThroughCore({
          environment,
          stagingToken,
          clientId: provider.clientId,
          accessToken: tokens.access_token,
          idToken: tokens.id_token,
          fetch: userFetch,
        }),
    },
    [customFetch]: qontoFetch,
  };
  if (clientId !== undefined) provider.clientId = clientId;
  if (clientSecret !== undefined) provider.clientSecret = clientSecret;
  return provider;
}

/**
 * The provider's `[customFetch]`. Auth.js ignores a user's `[customFetch]` when the provider defines one, so the
 * user's (`userFetch`) is the transport underneath. A sign-in start (Auth.js asking for the issuer's metadata) is
 * checked and answered here; the authorization-code exchange runs through core; anything else (Auth.js makes no
 * other request with these endpoints) gets core's staging-header fetch.
 */
function qontoCustomFetch(o: {
  environment: QontoEnvironment;
  stagingToken: string | undefined;
  scope: string | string[] | undefined;
  issuer: string;
  userFetch: typeof fetch | undefined;
  signIn: SignInSettings;
}): typeof fetch {
  const tokenUrl = new URL(o.signIn.endpoints.tokenUrl).href;
  const metadataUrl = discoveryUrl(o.issuer);
  let headerFetch: typeof fetch | undefined;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === metadataUrl) {
      await checkBeforeSignIn(o.signIn);
      return authorizationServerMetadata(o.issuer, o.signIn.endpoints);
    }
    const body = init?.body instanceof URLSearchParams ? init.body : undefined;
    if (url === tokenUrl && body?.get('grant_type') === 'authorization_code') {
      const tokens = await exchangeCodeThroughCore({
        environment: o.environment,
        stagingToken: o.stagingToken,
        // What Auth.js resolved (config, then AUTH_QONTO_ID/SECRET) and posts with client_secret_post.
        clientId: body.get('client_id') ?? '',
        clientSecret: body.get('client_secret') ?? '',
        redirectUri: body.get('redirect_uri') ?? '',
        code: body.get('code') ?? '',
        scope: o.scope,
        codeVerifier: body.get('code_verifier') ?? undefined,
        fetch: o.userFetch,
      });
      return Response.json(tokens);
    }
    // Created on first use: a missing staging token is then reported in the sign-in's error log, not at import.
    headerFetch ??= createQontoFetch({
      environment: o.environment,
      stagingToken: o.stagingToken,
      fetch: o.userFetch,
    });
    return headerFetch(input, init);
  };
}

export default Qonto;
