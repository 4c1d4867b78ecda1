import { QontoApiClient, type QontoTokenManager } from '@qonto-oauth/core';
import type { ResolvedQontoOptions } from './options.js';

/** Core's Business API client in the plugin's environment, with a token manager or a bare access token. */
export function apiClientFor(
  config: ResolvedQontoOptions,
  tokens: QontoTokenManager | string,
): QontoApiClient {
  return new QontoApiClient({
    environment: config.environment,
    tokens,
    ...(config.stagingToken === undefined ? {} : { stagingToken: config.stagingToken }),
    ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
  });
}
