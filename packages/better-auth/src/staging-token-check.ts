import {
  probeStagingToken,
  type QontoEnvironment,
  QontoStagingGateError,
  resolveEndpoints,
} from '@qonto-oauth/core';

/** Whether a sign-in may go on to Qonto: the error to stop it with, or `undefined`. */
export type StagingTokenCheck = () => Promise<QontoStagingGateError | undefined>;

/**
 * The check a sign-in runs before the redirect to Qonto: core's `probeStagingToken` (one token-endpoint request
 * per process and staging token), its refusal reworded for a Better Auth app. `undefined` when the environment
 * takes no staging token (production): nothing to check, no request.
 */
export function stagingTokenCheck(o: {
  environment: QontoEnvironment;
  stagingToken?: string | undefined;
  fetch: typeof fetch | undefined;
}): StagingTokenCheck | undefined {
  const endpoints = resolveEndpoints(o.environment);
  const { stagingToken } = o;
  if (!endpoints.requiresStagingToken || stagingToken === undefined) return undefined;
  return async () => {
    const refused = await probeStagingToken(endpoints, stagingToken, { fetch: o.fetch });
    if (refused === undefined) return undefined;
    const answer = `HTTP ${refused.status}${refused.locationHost === undefined ? '' : ` to ${refused.locationHost}`}`;
    return new QontoStagingGateError(
      `The Qonto sandbox did not accept the X-Qonto-Staging-Token from qonto({ stagingToken }) (or ` +
        `QONTO_STAGING_TOKEN): its token endpoint answered with the sign-in gate (${answer}) instead of JSON. Set ` +
        `stagingToken (QONTO_STAGING_TOKEN) to this app's staging token (Qonto Developer Portal, sandbox mode > ` +
        `your app > Sandbox credentials) and restart the server (the token is checked once per process). ` +
        `Sign-in stopped before the redirect to Qonto.`,
      { status: refused.status, locationHost: refused.locationHost },
    );
  };
}

/**
 * Where a sign-in the check refused goes instead of Qonto: Better Auth's own callback with
 * `error=qonto_staging_gate` and the sign-in's `state`, as Qonto would send an OAuth error back. Better Auth checks
 * the state and lands the browser on the sign-in's `errorCallbackURL?error=qonto_staging_gate`, the page a gate
 * at the code exchange leads to.
 */
export function stagingGateCallbackUrl(redirectURI: string, state: string): URL {
  const url = new URL(redirectURI);
  url.searchParams.set('error', 'qonto_staging_gate');
  url.searchParams.set('state', state);
  return url;
}
