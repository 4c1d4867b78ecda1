/**
 * "Connect with Qonto" for NestJS: `QontoModule`, `QontoService`, `QontoAuthGuard`, `@QontoUser()`.
 *
 * @module @qonto-oauth/nestjs
 */
export type {
  QontoConnection,
  QontoConnectionStore,
  QontoConnections,
  QontoProfile,
  TokenSet,
} from '@qonto-oauth/core';
export { QontoAuthGuard } from './auth.guard.js';
export { QontoAuthStrategy } from './auth.strategy.js';
export { toHttpException } from './http-errors.js';
export type {
  QontoModuleAsyncOptions,
  QontoModuleRootOptions,
  QontoOptionsFactory,
} from './module-definition.js';
export type {
  QontoConnectionsModuleOptions,
  QontoModuleOptions,
  ResolvedQontoOptions,
} from './options.js';
export { QontoModule } from './qonto.module.js';
export { type QontoLogin, QontoService } from './qonto.service.js';
export {
  QONTO_STATE_COOKIE_NAME,
  QontoStateCookieStore,
  type QontoStateCookieStoreOptions,
} from './state-cookie-store.js';
export { QONTO_CONNECTIONS, QONTO_MODULE_OPTIONS, QONTO_OPTIONS } from './tokens.js';
export { QontoUser } from './user.decorator.js';
