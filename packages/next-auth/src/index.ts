/**
 * <div style={{backgroundColor: "#1d1d1b", display: "flex", justifyContent: "space-between", color: "#fff", padding: 16}}>
 * <span><b>Qonto</b> provider for NextAuth v4 ("Connect with Qonto").</span>
 * </div>
 *
 * For Auth.js v5 (next-auth 5, `@auth/core`) import `@qonto-oauth/next-auth/authjs` instead.
 *
 * @module @qonto-oauth/next-auth
 */
import { type QontoProfile, resolveEndpoints } from '@qonto-oauth/core';
import type { OAuthConfig, OAuthUserConfig } from 'next-auth/providers/oauth';
import {
  commonProviderFields,
  exchangeCodeThroughCore,
  fetchProfileThroughCore,
  type QontoProviderOptions,
} from './shared.js';

export * from './common-exports.js';

/** The options of the NextAuth v4 {@link Qonto} provider: NextAuth's own, plus the Qonto ones. */
export type QontoUserConfig = OAuthUserConfig<QontoProfile> &
  QontoProviderOptions & {
    /** `'production'`, `'sandbox'`, or explicit endpoints. Required: the two environments have different credentials. */
    environment: NonNullable<QontoProviderOptions['environment']>;
  };

/**
 * Add "Connect with Qonto" to a NextAuth v4 app and call the
 * [Qonto Business API](https://docs.qonto.com/api-reference/business-api) with the member's tokens.
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
 * // app/api/auth/[...nextauth]/route.ts
 * import NextAuth from "next-auth"
 * import Qonto from "@qonto-oauth/next-auth"
 *
 * const handler = NextAuth({
 *   providers: [
 *     Qonto({
 *       clientId: process.env.QONTO_CLIENT_ID!,
 *       clientSecret: process.env.QONTO_CLIENT_SECRET!,
 *       environment: "sandbox",
 *       stagingToken: process.env.QONTO_STAGING_TOKEN,
 *     }),
 *   ],
 * })
 * export { handler as GET, handler as POST }
 * ```
 *
 * ### Notes
 *
 * - Every request to Qonto (token exchange, `GET /v2/membership`, `GET /v2/organization`) goes through
 *   `@qonto-oauth/core`, which adds `X-Qonto-Staging-Token` to the sandbox's hosts only. Nothing is set
 *   process-wide: the provider does not use `httpOptions`, which openid-client applies to every provider.
 * - `checks` is `['pkce', 'state']`. Because the provider brings its own `token.request`, NextAuth v4 no longer
 *   compares the callback's `state` with the cookie's; the provider does, and refuses the callback (no token
 *   request) when they differ or one is missing. Qonto requires `state`
 *   (https://docs.qonto.com/get-started/business-api/authentication/oauth/login-endpoint).
 * - The profile comes from `GET /v2/membership` and `GET /v2/organization` (Qonto has no userinfo endpoint);
 *   `profile()` returns `{ id, name, email, image: null }` and the organization's id, slug and legal name.
 * - Access tokens live one hour: refresh them in the `jwt` callback with {@link refreshQontoToken}.
 * - The sandbox login's SMS code is always `123456`, and the browser must be logged in to the sandbox web app
 *   (https://sandbox.staging.qonto.co/devportal) before the authorize page opens.
 *
 * ### Resources
 * - [Qonto OAuth guide](https://docs.qonto.com/get-started/business-api/authentication/oauth)
 * - [Qonto scopes](https://docs.qonto.com/get-started/business-api/authentication/oauth/available-scopes)
 * - [Qonto sandbox](https://docs.qonto.com/get-started/business-api/authentication/oauth/sandbox)
 */
export function Qonto(config: QontoUserConfig): OAuthConfig<QontoProfile> {
  const { environment, stagingToken } = config;
  const endpoints = resolveEndpoints(environment);
  return {
    ...commonProviderFields(config, endpoints),
    // Explicit endpoints: no discovery, whose headers only httpOptions (process-wide) could set.
    issuer: endpoints.issuer,
    token: {
      url: endpoints.tokenUrl,
      async request({ provider, params, checks }) {
        // next-auth v4 skips openid-client's state comparison when token.request is set: compare here.
        if (typeof params.state !== 'string' || params.state === '' || params.state !== checks.state) {
          throw new Error(
            'Qonto callback refused: its `state` does not match the one this browser was given (forged or ' +
              'replayed callback, or the sign-in was started in another tab). Start the sign-in again.',
          );
        }
        if (typeof params.code !== 'string' || params.code === '') {
          throw new Error(
            'Qonto callback refused: it carries no authorization `code`. Start the sign-in again.',
          );
        }
        const tokens = await exchangeCodeThroughCore({
          environment,
          stagingToken,
          clientId: provider.clientId ?? '',
          clientSecret: provider.clientSecret ?? '',
          redirectUri: provider.callbackUrl,
          code: params.code,
          scope: config.scope,
          codeVerifier: 'code_verifier' in checks ? checks.code_verifier : undefined,
        });
        return { tokens };
      },
    },
    userinfo: {
      url: `${endpoints.apiBaseUrl}/v2/membership`,
      request: ({ provider, tokens }) =>
        fetchProfileThroughCore({
          environment,
          stagingToken,
          clientId: provider.clientId,
          accessToken: tokens.access_token,
          idToken: tokens.id_token,
        }),
    },
    idToken: false,
  };
}

export default Qonto;
