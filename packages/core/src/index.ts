export * from './environments.js';
export * from './errors.js';
export {
  createQontoFetch,
  parseRetryAfterMs,
  type QontoFetchOptions,
  type QontoRetryOptions,
  STAGING_TOKEN_HEADER,
} from './fetch.js';
export { REDACTED, redactSecrets, SecretCollector } from './redact.js';
export * from './tokens.js';
