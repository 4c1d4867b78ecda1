/**
 * `@qonto-oauth/sandbox`: a local emulator of Qonto's sandbox (OAuth server, staging gate, Business API subset) for
 * tests and demos. See the package README for the catalogue of emulated behaviours.
 *
 * @module @qonto-oauth/sandbox
 */
export { DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URI } from './clients.js';
export { type StartDemoSandboxOptions, startDemoSandbox } from './demo-server.js';
export { PortInUseError } from './listen.js';
export { QONTO_RATE_LIMITS } from './rate-limit.js';
export { DOCUMENTED_SCOPES, QONTO_SCOPES, SCOPES_REFUSED_BY_DEFAULT } from './scopes.js';
export { DEFAULT_SEED } from './seed/index.js';
export { TRANSACTIONS_PER_MAIN_ACCOUNT } from './seed/transactions.js';
export { startQontoSandbox } from './server.js';
export { ONELOGIN_URL, STAGING_HEADER } from './staging-gate.js';
export type {
  GateMode,
  QontoSandbox,
  QontoSandboxOptions,
  SandboxClient,
  SandboxClock,
  SandboxDemoApp,
  SandboxFailNextOptions,
  SandboxFaults,
  SandboxRateLimit,
  SandboxRequest,
  SandboxThrottleOptions,
  SandboxUser,
  StagingTokenUse,
} from './types.js';
export { DEFAULT_WEBHOOK_RETRY_DELAYS_MS } from './webhooks/deliveries.js';
export { QONTO_WEBHOOK_TYPES } from './webhooks/subscriptions.js';
export type {
  SandboxEmitWebhookOptions,
  SandboxRevokeConsentOptions,
  SandboxWebhookAttempt,
  SandboxWebhookDelivery,
} from './webhooks/types.js';
