// What both entries export besides their own `Qonto`.

export type { QontoEndpoints, QontoEnvironment, QontoProfile } from '@qonto-oauth/core';
export { tokenSetFromAccount } from './account-tokens.js';
export {
  type QontoJwtTokens,
  REFRESH_TOKEN_ERROR,
  REFRESH_TRANSIENT_ERROR,
  type RefreshQontoTokenOptions,
  refreshQontoToken,
} from './refresh.js';
export type { QontoProviderOptions, QontoUser } from './shared.js';
