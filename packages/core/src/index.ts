export * from './environments.js';
export * from './errors.js';
export * from './tokens.js';
