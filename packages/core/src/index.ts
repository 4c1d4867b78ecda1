/**
 * Qonto OAuth 2.0 and Business API for Node: endpoints, the staging-token fetch, the OAuth client, token rotation and stores, connections of your users' organizations, webhook verification, typed errors.
 *
 * @module @qonto-oauth/core
 */
export {
  QontoApiClient,
  type QontoApiClientOptions,
  type QontoQuery,
} from './api-client.js';
export type {
  QontoAttachment,
  QontoBankAccount,
  QontoCounterpartyDetails,
  QontoLabel,
  QontoMember,
  QontoMembership,
  QontoOrganization,
  QontoStatement,
  QontoTransaction,
  QontoTransactionInclude,
  QontoWebhookSubscription,
} from './api-resources.js';
export { type QontoAuthorizationTarget, qontoAuthorizationParams } from './authorization-params.js';
export { type AuthorizationCallbackInput, parseAuthorizationCallback } from './callback.js';
export {
  type QontoEnvConfig,
  type QontoEnvironmentFromEnv,
  qontoConfigFromEnv,
  qontoEnvironmentFromEnv,
} from './config.js';
export {
  connectionTokenKey,
  MemoryConnectionStore,
  type QontoConnectionRecord,
  type QontoConnectionStatus,
  type QontoConnectionStore,
  type QontoPendingConnection,
} from './connection-store.js';
export {
  type QontoConnection,
  type QontoConnectionHealth,
  QontoConnections,
  type QontoConnectionsOptions,
} from './connections.js';
export {
  DEFAULT_QONTO_SCOPES,
  endpointOrigins,
  isLoopbackHost,
  QONTO_ENVIRONMENTS,
  type QontoEndpoints,
  type QontoEnvironment,
  resolveEndpoints,
  revocationUrlOf,
  sandboxEndpointsAt,
  stagingTokenOrigins,
} from './environments.js';
export * from './errors.js';
export {
  createQontoFetch,
  parseRetryAfterMs,
  type QontoFetchOptions,
  type QontoRetryOptions,
  STAGING_TOKEN_HEADER,
} from './fetch.js';
export {
  ID_TOKEN_CLOCK_SKEW_SECONDS,
  type IdTokenExpectations,
  idTokenIssuer,
  readIdTokenClaims,
} from './id-token.js';
export {
  type QontoAuthorizationRequest,
  type QontoAuthorizationRequestOptions,
  QontoOAuthClient,
  type QontoOAuthClientOptions,
} from './oauth-client.js';
export { codeChallengeS256, createCodeVerifier, createState } from './pkce.js';
export {
  buildQontoProfile,
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
  DEFAULT_MAX_API_RESPONSE_BYTES,
  MAX_TOKEN_RESPONSE_BYTES,
} from './response-body.js';
export {
  type QontoTokenRefresher,
  ROTATION_GRACE_MS,
  sharedRefresh,
} from './shared-refresh.js';
export { type ProbeStagingTokenOptions, probeStagingToken } from './staging-token-probe.js';
export { QontoTokenManager, type QontoTokenManagerOptions } from './token-manager.js';
export { MemoryTokenStore, type TokenStore } from './token-store.js';
export {
  fromTokenResponse,
  isTokenExpired,
  MAX_EXPIRES_IN_SECONDS,
  QONTO_REFRESH_TOKEN_LIFETIME_MS,
  type QontoTokenResponse,
  type TokenSet,
  toTokenResponse,
} from './tokens.js';
export type {
  QontoDateBound,
  QontoTransactionSort,
  QontoTransactionStatus,
  QontoTransactionsQuery,
} from './transactions-query.js';
export {
  isQontoWebhookEvent,
  QONTO_WEBHOOK_SIGNATURE_HEADER,
  type QontoWebhookEvent,
  type QontoWebhookEventData,
  type VerifyQontoWebhookOptions,
  verifyQontoWebhook,
} from './webhooks.js';
