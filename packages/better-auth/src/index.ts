/**
 * The `qonto` provider plugin for Better Auth.
 *
 * @module @qonto-oauth/better-auth
 */
export type { QontoAccountRow } from './account-store.js';
export { type QontoSignInErrorCode, qontoErrorCode } from './error-codes.js';
export type { QontoOptions } from './options.js';
export { type QontoAccount, qonto } from './plugin.js';
export { QONTO_PROVIDER_ID } from './provider.js';
export { type GetQontoApiOptions, getQontoApi, type QontoAuthInstance } from './qonto-api.js';
