export { parseQontoProfile, type QontoPassportProfile } from './profile.js';
export {
  type QontoAuthenticateOptions,
  type QontoStateStore,
  type QontoStateStoreMeta,
  QontoStrategy,
  type QontoStrategyOptions,
  type QontoStrategyOptionsWithRequest,
  type QontoTokenParams,
  type QontoVerifyCallback,
  type QontoVerifyFunction,
  type QontoVerifyFunctionWithParams,
  type QontoVerifyFunctionWithRequest,
  type QontoVerifyFunctionWithRequestAndParams,
} from './strategy.js';
