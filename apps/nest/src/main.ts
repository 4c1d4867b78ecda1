import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { APP_CONFIG, AppModule } from './app.module.js';
import type { AppConfig } from './config.js';

const logger = new Logger('example-nest');

let app: NestExpressApplication;
try {
  app = await NestFactory.create<NestExpressApplication>(AppModule.fromEnv(), {
    logger: ['log', 'warn', 'error'],
    abortOnError: false,
  });
} catch (error) {
  // A bad QONTO_* variable or option: core's message names it and the fix; no stack needed.
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
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
