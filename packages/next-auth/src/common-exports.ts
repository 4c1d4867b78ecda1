// What both entries export besides their own `Qonto`.
export type { QontoEndpoints, QontoEnvironment, QontoProfile } from '@qonto-oauth/core';
export { type QontoJwtTokens, type RefreshQontoTokenOptions, refreshQontoToken } from './refresh.js';
export type { QontoProviderOptions, QontoUser } from './shared.js';
