import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config.js';

/**
 * The example app for a given {@link AppConfig}, not listening yet: `await app.listen(port)`, or `await app.init()`
 * and mount `app.getHttpAdapter().getInstance()` on a server of your own (tests do, on port 0).
 */
export function createApp(
  config: AppConfig,
  o: { logger?: false | LogLevel[] } = {},
): Promise<NestExpressApplication> {
  return NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    logger: o.logger ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
}
