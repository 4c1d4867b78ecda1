import {
  probeStagingToken,
  type QontoEnvironment,
  type QontoStagingGateError,
  resolveEndpoints,
} from '@qonto-oauth/core';

/** Whether a sign-in may go on to Qonto: the error to stop it with, or `undefined`. */
export type StagingTokenCheck = () => Promise<QontoStagingGateError | undefined>;

/**
 * The check a sign-in runs before the redirect to Qonto: core's `probeStagingToken` (one token-endpoint request
 * per process and staging token), its refusal naming the plugin's option. `undefined` when the environment
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
  return () =>
    probeStagingToken(endpoints, stagingToken, {
      fetch: o.fetch,
      source: 'qonto({ stagingToken }) (or QONTO_STAGING_TOKEN)',
    });
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
