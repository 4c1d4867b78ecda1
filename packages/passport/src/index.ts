/**
 * `QontoStrategy`: "Connect with Qonto" for Passport, on passport-oauth2.
 *
 * @module @qonto-oauth/passport
 */
export type {
  QontoAuthenticateOptions,
  QontoStateStore,
  QontoStateStoreMeta,
  QontoStrategyOptions,
  QontoStrategyOptionsWithRequest,
  QontoTokenParams,
  QontoVerifyCallback,
  QontoVerifyFunction,
  QontoVerifyFunctionWithParams,
  QontoVerifyFunctionWithRequest,
  QontoVerifyFunctionWithRequestAndParams,
} from './options.js';
export { parseQontoProfile, type QontoPassportProfile } from './profile.js';
export { QontoStrategy } from './strategy.js';
