/**
 * What the Auth.js provider checks when a sign-in starts, before the browser is sent to Qonto: the credentials and
 * the staging token are there, the staging token goes with the environment, and (once per process) the sandbox
 * accepts it. Without this, a missing staging token shows only after the member went through Qonto's login, SMS
 * code and consent.
 */
import {
  probeStagingToken,
  QontoConfigError,
  type QontoEndpoints,
  QontoStagingGateError,
} from '@qonto-oauth/core';
import type { QontoSettingSources } from './authjs-env.js';

/**
 * Where Auth.js asks for the authorization server's metadata (`{issuer}/.well-known/openid-configuration`, as
 * oauth4webapi's `discoveryRequest` builds it). The provider gives Auth.js no authorization URL, so Auth.js
 * asks for it there, through the provider's `[customFetch]`, at every sign-in start and at no other time: the
 * one provider hook that runs when a sign-in starts.
 */
export function discoveryUrl(issuer: string): string {
  const url = new URL(issuer);
  url.pathname =
    url.pathname === '/'
      ? '/.well-known/openid-configuration'
      : `${url.pathname}/.well-known/openid-configuration`.replace('//', '/');
  return url.href;
}

/** The metadata Auth.js needs to start a sign-in, answered by the provider itself: no request leaves the server. */
export function authorizationServerMetadata(issuer: string, endpoints: QontoEndpoints): Response {
  return Response.json({
    issuer,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  });
}

/** What {@link checkBeforeSignIn} looks at. */
export interface SignInSettings {
  endpoints: QontoEndpoints;
  clientId: string | undefined;
  clientSecret: string | undefined;
  stagingToken: string | undefined;
  sources: QontoSettingSources;
  /** The transport under core's fetch (the user's `[customFetch]`); the global fetch by default. */
  fetch: typeof fetch | undefined;
}

const STOPPED = 'Sign-in stopped before the redirect to Qonto.';
const STAGING_TOKEN_HELP =
  "this app's staging token (Qonto Developer Portal, sandbox mode > your app > Sandbox credentials)";

/**
 * Refuses a sign-in that cannot succeed, before the redirect to Qonto: a missing client id or secret, a sandbox
 * without a staging token, or a staging token with production (no network call for those); then, once per process
 * and staging token, a staging token the sandbox does not accept (one probe of the token endpoint, see
 * core's `probeStagingToken`). Throws core's errors, whose messages name the variables an Auth.js app sets.
 */
export async function checkBeforeSignIn(o: SignInSettings): Promise<void> {
  if (o.clientId === undefined) {
    throw new QontoConfigError(
      `The Qonto provider has no client id: set AUTH_QONTO_ID (or pass Qonto({ clientId })) to the client id of ` +
        `this environment's app (Developer Portal > your app; sandbox and production differ). ${STOPPED}`,
    );
  }
  if (o.clientSecret === undefined) {
    throw new QontoConfigError(
      `The Qonto provider has no client secret: set AUTH_QONTO_SECRET (or pass Qonto({ clientSecret })) to the ` +
        `client secret of this environment's app (Developer Portal > your app). ${STOPPED}`,
    );
  }
  const { requiresStagingToken } = o.endpoints;
  if (requiresStagingToken && o.stagingToken === undefined) {
    throw new QontoConfigError(
      `The Qonto sandbox needs a staging token on every request, and none is set (${o.sources.environment}): set ` +
        `AUTH_QONTO_STAGING_TOKEN to ${STAGING_TOKEN_HELP}, or pass Qonto({ stagingToken }). For production, set ` +
        `AUTH_QONTO_ENV=production instead. ${STOPPED}`,
    );
  }
  if (!requiresStagingToken && o.stagingToken !== undefined) {
    const from = o.sources.stagingToken ?? 'a staging token';
    throw new QontoConfigError(
      `${from} is set, but the environment (${o.sources.environment}) is not Qonto's sandbox, and production ` +
        `refuses the staging token. Remove ${from}, or set AUTH_QONTO_ENV=sandbox if you meant the sandbox. ${STOPPED}`,
    );
  }
  if (o.stagingToken === undefined) return;
  const refused = await probeStagingToken(o.endpoints, o.stagingToken, { fetch: o.fetch });
  if (refused !== undefined) {
    const from = o.sources.stagingToken ?? 'Qonto({ stagingToken })';
    throw new QontoStagingGateError(
      `The Qonto sandbox did not accept the staging token from ${from}: its token endpoint answered with the ` +
        `sign-in gate (HTTP ${refused.status}` +
        `${refused.locationHost === undefined ? '' : ` to ${refused.locationHost}`}) instead of JSON. ` +
        `${howToSetStagingToken(from)} to ${STAGING_TOKEN_HELP} and restart the server (the token is checked once ` +
        `per process). ${STOPPED}`,
      { status: refused.status, locationHost: refused.locationHost },
    );
  }
}

/** Where to put the right staging token, for a token that came from `from`. */
function howToSetStagingToken(from: string): string {
  if (from === 'AUTH_QONTO_STAGING_TOKEN') return 'Set AUTH_QONTO_STAGING_TOKEN';
  if (from === 'QONTO_STAGING_TOKEN')
    return 'Set QONTO_STAGING_TOKEN (or AUTH_QONTO_STAGING_TOKEN, read first)';
  return 'Set what you pass as Qonto({ stagingToken }) (AUTH_QONTO_STAGING_TOKEN, when it comes from the environment)';
}
