import { probeStagingToken, type QontoEndpoints, QontoStagingGateError } from '@qonto-oauth/core';

/** Whether a login may go on to Qonto: the error to fail it with, or `undefined`. */
export type StagingTokenCheck = () => Promise<QontoStagingGateError | undefined>;

/**
 * The check a login runs before the redirect to Qonto: core's `probeStagingToken` (one token-endpoint request per
 * process and staging token), its refusal reworded for a Passport app. `undefined` when the environment takes no
 * staging token (production): nothing to check, no request.
 */
export function stagingTokenCheck(
  endpoints: QontoEndpoints,
  stagingToken: string | undefined,
  transport: typeof fetch | undefined,
): StagingTokenCheck | undefined {
  if (!endpoints.requiresStagingToken || stagingToken === undefined) return undefined;
  return async () => {
    const refused = await probeStagingToken(endpoints, stagingToken, { fetch: transport });
    if (refused === undefined) return undefined;
    const answer = `HTTP ${refused.status}${refused.locationHost === undefined ? '' : ` to ${refused.locationHost}`}`;
    return new QontoStagingGateError(
      `The Qonto sandbox did not accept the X-Qonto-Staging-Token from QontoStrategy's stagingToken option ` +
        `(often QONTO_STAGING_TOKEN): its token endpoint answered with the sign-in gate (${answer}) instead of ` +
        `JSON. Set stagingToken (QONTO_STAGING_TOKEN) to this app's staging token (Qonto Developer Portal, sandbox ` +
        `mode > your app > Sandbox credentials) and restart the server (the token is checked once per process). ` +
        `Sign-in stopped before the redirect to Qonto.`,
      { status: refused.status, locationHost: refused.locationHost },
    );
  };
}
