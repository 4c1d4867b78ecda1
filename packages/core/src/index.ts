export {
  QontoApiClient,
  type QontoApiClientOptions,
  type QontoQuery,
} from './api-client.js';
export type {
  QontoAttachment,
  QontoBankAccount,
  QontoLabel,
  QontoMembership,
  QontoOrganization,
  QontoTransaction,
  QontoTransactionInclude,
} from './api-resources.js';
export { type QontoAuthorizationTarget, qontoAuthorizationParams } from './authorization-params.js';
export { type AuthorizationCallbackInput, parseAuthorizationCallback } from './callback.js';
export {
  type QontoEnvConfig,
  type QontoEnvironmentFromEnv,
  qontoConfigFromEnv,
  qontoEnvironmentFromEnv,
} from './config.js';
export * from './environments.js';
export * from './errors.js';
export {
  createQontoFetch,
  parseRetryAfterMs,
  type QontoFetchOptions,
  type QontoRetryOptions,
  STAGING_TOKEN_HEADER,
} from './fetch.js';
export {
  type QontoAuthorizationRequest,
  type QontoAuthorizationRequestOptions,
  QontoOAuthClient,
  type QontoOAuthClientOptions,
} from './oauth-client.js';
export { codeChallengeS256, createCodeVerifier, createState } from './pkce.js';
export {
  buildQontoProfile,
  decodeIdTokenClaims,
  fetchQontoProfile,
  type QontoProfile,
  type QontoProfileSources,
} from './profile.js';
export { REDACTED, redactSecrets, SecretCollector } from './redact.js';
export {
  isRefreshCoordination,
  type RefreshCoordination,
  type RefreshLockTarget,
  type SharedRefreshCoordination,
} from './refresh-coordination.js';
export {
  type QontoTokenRefresher,
  ROTATION_GRACE_MS,
  sharedRefresh,
} from './shared-refresh.js';
export { QontoTokenManager, type QontoTokenManagerOptions } from './token-manager.js';
export { MemoryTokenStore, type TokenStore } from './token-store.js';
export * from './tokens.js';
