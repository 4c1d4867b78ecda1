import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { QontoModuleOptions } from './options.js';
import { QONTO_MODULE_OPTIONS } from './tokens.js';

/**
 * The `forRoot` / `forRootAsync` machinery of {@link QontoModule}, built the way `@nestjs/jwt` builds its module.
 * `isGlobal: true` makes `QontoService` injectable everywhere without importing the module again.
 * `forRootAsync` takes `useFactory` + `inject` + `imports`, `useClass` or `useExisting`; a class given to
 * `useClass` / `useExisting` implements `createQontoOptions()`.
 */
export const {
  ConfigurableModuleClass: QontoConfigurableModule,
  OPTIONS_TYPE: QONTO_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: QONTO_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<QontoModuleOptions>({ optionsInjectionToken: QONTO_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createQontoOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Options of `QontoModule.forRoot()`: {@link QontoModuleOptions} plus `isGlobal`. */
export type QontoModuleRootOptions = typeof QONTO_OPTIONS_TYPE;
/** Options of `QontoModule.forRootAsync()`: `imports`, `inject`, `useFactory` | `useClass` | `useExisting`, `isGlobal`. */
export type QontoModuleAsyncOptions = typeof QONTO_ASYNC_OPTIONS_TYPE;

/** What a class given to `forRootAsync({ useClass })` implements. */
export interface QontoOptionsFactory {
  createQontoOptions(): QontoModuleOptions | Promise<QontoModuleOptions>;
}
