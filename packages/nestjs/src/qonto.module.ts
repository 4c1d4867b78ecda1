import { type DynamicModule, Module } from '@nestjs/common';
import { QontoAuthStrategy } from './auth.strategy.js';
import {
  QontoConfigurableModule,
  type QontoModuleAsyncOptions,
  type QontoModuleRootOptions,
} from './module-definition.js';
import { type QontoModuleOptions, type ResolvedQontoOptions, resolveQontoOptions } from './options.js';
import { QontoService } from './qonto.service.js';
import { QontoStoreShutdown } from './store-shutdown.js';
import { QONTO_CONNECTIONS, QONTO_MODULE_OPTIONS, QONTO_OPTIONS } from './tokens.js';

/**
 * "Connect with Qonto" for Nest. `QontoModule.forRoot(options)` or
 * `QontoModule.forRootAsync({ imports, inject, useFactory })` (also `useClass` / `useExisting`, and `isGlobal`).
 * Provides {@link QontoService}, core's `QontoConnections` under `QONTO_CONNECTIONS`, and registers the `qonto`
 * Passport strategy used by `QontoAuthGuard`. The stores given in the options are closed when the app shuts down.
 *
 * Neither method throws: the options are validated when the app boots, and a bad one fails
 * `NestFactory.create()` / `createApplicationContext()` with a `QontoConfigError` naming it.
 */
@Module({
  providers: [
    { provide: QONTO_OPTIONS, useFactory: resolveQontoOptions, inject: [QONTO_MODULE_OPTIONS] },
    {
      provide: QONTO_CONNECTIONS,
      useFactory: (options: ResolvedQontoOptions) => options.connections,
      inject: [QONTO_OPTIONS],
    },
    QontoService,
    QontoAuthStrategy,
    QontoStoreShutdown,
  ],
  exports: [QONTO_OPTIONS, QONTO_CONNECTIONS, QontoService],
})
export class QontoModule extends QontoConfigurableModule {
  /** `QontoModule.forRoot(options)`: see {@link QontoModuleOptions}; `isGlobal: true` to provide it app-wide. */
  static override forRoot(options: QontoModuleRootOptions): DynamicModule {
    // Nest's builder reads the keys of `options`: a missing object must reach validation, not throw here.
    // biome-ignore lint/complexity/noThisInStatic: the builder's forRoot must run with this class as `this`.
    return super.forRoot(
      typeof options === 'object' && options !== null ? options : ({} as QontoModuleRootOptions),
    );
  }

  /**
   * `QontoModule.forRootAsync({ imports, inject, useFactory })`, or `useClass` / `useExisting` (a class
   * implementing `QontoOptionsFactory`); `isGlobal: true` to provide it app-wide. See {@link QontoModuleOptions}.
   */
  static override forRootAsync(options: QontoModuleAsyncOptions): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: the builder's forRootAsync must run with this class as `this`.
    return super.forRootAsync(options);
  }
}

export type { QontoModuleOptions };
