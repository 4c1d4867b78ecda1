import { probeStagingToken, type QontoEndpoints, type QontoStagingGateError } from '@qonto-oauth/core';

/** Whether a login may go on to Qonto: the error to fail it with, or `undefined`. */
export type StagingTokenCheck = () => Promise<QontoStagingGateError | undefined>;

/**
 * The check a login runs before the redirect to Qonto: core's `probeStagingToken` (one token-endpoint request per
 * process and staging token), its refusal naming the strategy's option. `undefined` when the environment takes no
 * staging token (production): nothing to check, no request.
 */
export function stagingTokenCheck(
  endpoints: QontoEndpoints,
  stagingToken: string | undefined,
  transport: typeof fetch | undefined,
): StagingTokenCheck | undefined {
  if (!endpoints.requiresStagingToken || stagingToken === undefined) return undefined;
  return () =>
    probeStagingToken(endpoints, stagingToken, {
      fetch: transport,
      source: "QontoStrategy's stagingToken option (often QONTO_STAGING_TOKEN)",
    });
}
