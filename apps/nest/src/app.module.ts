import { randomBytes } from 'node:crypto';
import { type DynamicModule, Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { MemoryTokenStore } from '@qonto-oauth/core';
import { QontoModule } from '@qonto-oauth/nestjs';
import cookieParser from 'cookie-parser';
import { AccountController } from './account.controller.js';
import { type AppConfig, appConfigFromEnv } from './config.js';
import { HtmlErrorFilter } from './html-error.filter.js';
import { LOGIN_STORE, LoginSessions } from './login-sessions.js';
import { QontoAuthController } from './qonto-auth.controller.js';

/** `ConfigService.getOrThrow<AppConfig>(APP_CONFIG)`: the whole {@link AppConfig}. */
export const APP_CONFIG = 'app';

const appConfigOf = (config: ConfigService): AppConfig => config.getOrThrow<AppConfig>(APP_CONFIG);

/**
 * The example app: `ConfigModule` holds the {@link AppConfig} (key `app`), `QontoModule.forRootAsync` reads its Qonto
 * part through `ConfigService`, logins live server-side behind a signed cookie, and every error renders as HTML.
 * `AppModule.fromEnv()` for `main.ts`; `AppModule.forConfig(config)` for tests and embedding.
 */
@Module({})
export class AppModule implements NestModule {
  constructor(@Inject(ConfigService) private readonly config: ConfigService) {}

  /**
   * Reads the environment (and a `.env` file, whose variables do not replace the environment's; see
   * `appConfigFromEnv`) before Nest builds anything. It rejects with core's `QontoConfigError` naming the variable
   * and the fix: read inside Nest's injector, the error was also printed by Nest's ExceptionHandler, with a stack.
   */
  static async fromEnv(): Promise<DynamicModule> {
    await ConfigModule.forRoot(); // loads `.env` into process.env
    return AppModule.forConfig(await appConfigFromEnv(process.env));
  }

  /** The app for a given config (tests: the emulator's endpoints, a client of their own, port 0). */
  static forConfig(config: AppConfig): DynamicModule {
    return appModule(
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        ignoreEnvVars: true,
        load: [registerAs(APP_CONFIG, () => config)],
      }),
    );
  }

  configure(consumer: MiddlewareConsumer): void {
    // Signs the login cookie; a random secret signs everybody out on restart, as the in-memory logins vanish anyway.
    const secret = appConfigOf(this.config).sessionSecret ?? randomBytes(32).toString('hex');
    consumer.apply(cookieParser(secret)).forRoutes(AccountController, QontoAuthController);
  }
}

/** The module around a ConfigModule that provides the {@link AppConfig} under `app`. */
function appModule(configModule: Promise<DynamicModule>): DynamicModule {
  return {
    module: AppModule,
    imports: [
      configModule,
      QontoModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (config: ConfigService) => appConfigOf(config).qonto,
      }),
    ],
    controllers: [QontoAuthController, AccountController],
    providers: [
      {
        provide: LOGIN_STORE,
        inject: [ConfigService],
        useFactory: (config: ConfigService) => appConfigOf(config).loginStore ?? new MemoryTokenStore(),
      },
      LoginSessions,
      { provide: APP_FILTER, useClass: HtmlErrorFilter },
    ],
  };
}
