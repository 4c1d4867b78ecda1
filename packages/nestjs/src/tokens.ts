/**
 * Injection tokens of `@qonto-oauth/nestjs`. They are `Symbol.for` keys, so the ESM and the CJS builds of this
 * package (and two installed copies) agree on them, and injecting with `@Inject(TOKEN)` works in builds that emit no
 * decorator metadata (esbuild, tsup, swc without `decoratorMetadata`).
 */

/** The options exactly as given to `QontoModule.forRoot()` or returned by `forRootAsync()`'s factory. */
export const QONTO_MODULE_OPTIONS: unique symbol = Symbol.for('@qonto-oauth/nestjs.module-options');

/** The validated options ({@link ResolvedQontoOptions}): inject this to read the endpoints, scopes or client id. */
export const QONTO_OPTIONS: unique symbol = Symbol.for('@qonto-oauth/nestjs.options');

/**
 * Core's `QontoConnections` configured by the module (`connections` option): organizations connected to your app's
 * own users. `constructor(@Inject(QONTO_CONNECTIONS) connections: QontoConnections)`.
 */
export const QONTO_CONNECTIONS: unique symbol = Symbol.for('@qonto-oauth/nestjs.connections');
