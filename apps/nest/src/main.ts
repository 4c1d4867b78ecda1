import 'reflect-metadata';
import { type DynamicModule, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { APP_CONFIG, AppModule } from './app.module.js';
import type { AppConfig } from './config.js';

const logger = new Logger('example-nest');

let appModule: DynamicModule;
try {
  appModule = await AppModule.fromEnv();
} catch (error) {
  // A bad QONTO_* variable or PORT: the message names it and the fix; no stack needed.
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
// Anything failing from here on is a bug: Nest's ExceptionHandler prints it once, with its stack, and exits.
const app = await NestFactory.create<NestExpressApplication>(appModule, { logger: ['log', 'warn', 'error'] });
const config = app.get(ConfigService).getOrThrow<AppConfig>(APP_CONFIG);
for (const note of config.notes) logger.log(note);
await app.listen(config.port);
const address = app.getHttpServer().address();
const port = typeof address === 'object' && address ? address.port : config.port;
logger.log(`example-nest on http://localhost:${port}`);

async function stop(): Promise<void> {
  await app.close();
  await Promise.all([config.emulator?.close(), config.loginStore?.close?.()]);
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
