import {
  codeChallengeS256,
  fetchQontoProfile,
  type QontoOAuthClient,
  type QontoProfile,
  type QontoTokenRefresher,
  sharedRefresh,
  type TokenSet,
} from '@qonto-oauth/core';
import type { OAuth2Tokens, OAuthProvider } from 'better-auth/oauth2';
import { apiClientFor } from './api-client.js';
import { qontoErrorCode } from './error-codes.js';
import type { ResolvedQontoOptions } from './options.js';
import type { ShortLivedMap } from './short-lived-map.js';
import { stagingGateCallbackUrl, stagingTokenCheck } from './staging-token-check.js';

/** The provider id: `signIn.social({ provider: 'qonto' })`, `/api/auth/callback/qonto`, `account.providerId`. */
export const QONTO_PROVIDER_ID = 'qonto';

/** What one sign-in leaves for the plugin's hook on `/callback/qonto`, by authorization code. */
export type SignInOutcome = { profile: QontoProfile } | { error: unknown };

/** Better Auth's logger, as far as the provider uses it. */
export interface QontoLogger {
  error(message: string, ...args: unknown[]): void;
}

/** What the provider shares with the rest of the plugin. */
export interface QontoProviderDeps {
  config: ResolvedQontoOptions;
  /** Core's client, built without PKCE: Better Auth makes the verifier and keeps it in its own state. */
  client: QontoOAuthClient;
  /** Refreshes through core's `sharedRefresh` (with the app's `coordination`): every refresh of the plugin. */
  refresher: QontoTokenRefresher;
  /** Sign-in outcomes by authorization code, for the callback hook. */
  outcomes: ShortLivedMap<SignInOutcome>;
  /** Profiles fetched during the code exchange, by access token, for `getUserInfo` right after it. */
  profiles: ShortLivedMap<QontoProfile>;
  /** Refresh failures by refresh token, for the hook on `/get-access-token` and `/refresh-token`. */
  refreshFailures: ShortLivedMap<unknown>;
  logger: () => QontoLogger;
}

/**
 * The Qonto provider object Better Auth calls for `signIn.social`, `/callback/qonto`, `getAccessToken` and
 * `refreshToken`. Everything that talks to Qonto goes through core: exact staging-header casing, the gate and
 * credential errors as core's typed errors, `client_secret_post`, and the refresh through `sharedRefresh` (one
 * rotation per refresh token in the process, remembered for Qonto's 60 s grace period).
 */
export function createQontoProvider(deps: QontoProviderDeps): OAuthProvider<QontoProfile> {
  const { config, client, refresher, outcomes, profiles, refreshFailures } = deps;

  async function profileFor(tokens: { accessToken?: string | undefined; idToken?: string | undefined }) {
    if (tokens.accessToken === undefined) return undefined;
    const remembered = profiles.take(tokens.accessToken);
    if (remembered !== undefined) return remembered;
    return fetchQontoProfile(
      apiClientFor(config, tokens.accessToken),
      // Core checks the id_token's claims against this client before it uses its sub.
      tokens.idToken === undefined ? {} : { idToken: tokens.idToken, clientId: client.clientId },
    );
  }

  const { signUp } = config;
  const checkStagingToken = stagingTokenCheck(config);
  const provider: OAuthProvider<QontoProfile> = {
    id: QONTO_PROVIDER_ID,
    name: 'Qonto',
    // Read by Better Auth's sign-in and callback routes, as for its own providers.
    disableImplicitSignUp: signUp.disableImplicitSignUp,
    options: {
      clientId: client.clientId,
      disableSignUp: signUp.disableSignUp,
      disableImplicitSignUp: signUp.disableImplicitSignUp,
      overrideUserInfoOnSignIn: signUp.overrideUserInfoOnSignIn,
    },
    // One Better Auth account per Qonto membership (user in one organization), never per Qonto user.
    accountSubject: ({ profile }) => profile.id,

    async createAuthorizationURL({ state, codeVerifier, scopes, redirectURI, additionalParams }) {
      // In the sandbox, a staging token it refuses stops the sign-in here, not after the member went through
      // Qonto's login, SMS code and consent: the browser goes to Better Auth's callback with the error instead.
      const refused = await checkStagingToken?.();
      if (refused !== undefined) {
        report(deps, 'Qonto sign-in failed', refused);
        return stagingGateCallbackUrl(redirectURI, state);
      }
      const requested = [...(config.scopes ?? client.scopes), ...(scopes ?? [])];
      const request = await client.createAuthorizationRequest({
        state,
        redirectUri: redirectURI,
        scopes: [...new Set(requested)],
        ...authorizationTarget(additionalParams),
      });
      // Better Auth keeps the PKCE verifier in its own state and hands it back to the code exchange.
      const challenge = await codeChallengeS256(codeVerifier);
      return new URL(`${request.url}&code_challenge=${challenge}&code_challenge_method=S256`);
    },

    async validateAuthorizationCode({ code, codeVerifier, redirectURI }) {
      try {
        const tokens = await client.exchangeCode({
          code,
          redirectUri: redirectURI,
          ...(codeVerifier === undefined ? {} : { codeVerifier }),
        });
        // Fetched now, so that a failure here also lands on a Qonto error code rather than a 500.
        const profile = await profileFor(tokens);
        if (profile !== undefined) {
          profiles.set(tokens.accessToken, profile);
          outcomes.set(code, { profile });
        }
        return toOAuth2Tokens(tokens);
      } catch (error) {
        outcomes.set(code, { error });
        report(deps, 'Qonto sign-in failed', error);
        throw error;
      }
    },

    async getUserInfo(tokens) {
      const profile = await profileFor(tokens);
      if (profile === undefined) return null;
      const email = profile.email ?? null;
      const user = {
        // Better Auth before 1.7 takes the account id from `user.id`; 1.7 from `accountSubject`.
        id: profile.id,
        name: profile.name ?? profile.email ?? '',
        email,
        emailVerified: config.trustEmail && email !== null,
        ...(await signUp.mapProfileToUser?.(profile)),
      };
      return { user: user as unknown as Omit<typeof user, 'id'> & { id?: never }, data: profile };
    },

    async refreshAccessToken(refreshToken) {
      try {
        return toOAuth2Tokens(await refresher.refresh(refreshToken));
      } catch (error) {
        refreshFailures.set(refreshToken, error);
        report(deps, 'Qonto token refresh failed', error);
        throw error;
      }
    },
  };
  return provider;
}

/**
 * One refresh per refresh token through core's `sharedRefresh`, across processes with `coordination`: what both
 * Better Auth's `getAccessToken` and the plugin's own token managers (`getQontoApi`, disconnect) call, so the two
 * paths share one rotation.
 */
export function sharedRefresher(client: QontoOAuthClient, config: ResolvedQontoOptions): QontoTokenRefresher {
  const o =
    config.coordination === undefined
      ? {}
      : { coordination: { store: config.coordination, secret: config.clientSecret } };
  return { refresh: (refreshToken) => sharedRefresh(client, refreshToken, o) };
}

/** Core's token set in Better Auth's shape (saved on the `account` row). */
export function toOAuth2Tokens(tokens: TokenSet): OAuth2Tokens {
  const result: OAuth2Tokens = {
    tokenType: tokens.tokenType,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: new Date(tokens.expiresAt),
    scopes: [...tokens.scopes],
  };
  if (tokens.refreshToken !== undefined) result.refreshToken = tokens.refreshToken;
  if (tokens.idToken !== undefined) result.idToken = tokens.idToken;
  return result;
}

/** Logs the cause and its fix: core's messages carry no secret, so they are logged as they are. */
export function report(deps: Pick<QontoProviderDeps, 'logger'>, what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  deps.logger().error(`${what} (${qontoErrorCode(error)}): ${message}`);
}

/** `signIn.social({ additionalData })` does not reach here; Better Auth 1.7's `additionalParams` does. */
function authorizationTarget(params: Record<string, string> | undefined) {
  const target: { organizationId?: string; registrationId?: string } = {};
  if (params?.organization_id) target.organizationId = params.organization_id;
  if (params?.registration_id) target.registrationId = params.registration_id;
  return target;
}
