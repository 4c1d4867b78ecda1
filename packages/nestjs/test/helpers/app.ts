import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  Headers,
  type INestApplication,
  Inject,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { QontoProfile, TokenSet } from '@qonto-oauth/core';
import {
  QontoAuthGuard,
  QontoModule,
  type QontoModuleOptions,
  QontoService,
  QontoUser,
  toHttpException,
} from '@qonto-oauth/nestjs';
import type { QontoSandbox } from '@qonto-oauth/sandbox';
import { listenOnLoopback } from './http.js';

export const CALLBACK_PATH = '/auth/qonto/callback';
/** The callback of the connect flow (organizations connected to the app's own users). */
export const CONNECT_CALLBACK_PATH = '/connect/qonto/callback';

/** The routes a Nest app adds for Connect with Qonto, plus one API call to show the tokens work. */
@Controller()
export class TestAuthController {
  constructor(@Inject(QontoService) private readonly qonto: QontoService) {}

  @Get('auth/qonto')
  @UseGuards(QontoAuthGuard)
  login(): void {}

  @Get('auth/qonto/callback')
  @UseGuards(QontoAuthGuard)
  callback(@QontoUser() profile: QontoProfile, @QontoUser('tokens') tokens: TokenSet) {
    return { profile, tokens };
  }

  /** One Business API call with the bearer token the client sends, errors mapped to HTTP. */
  @Get('organization')
  async organization(@Headers('authorization') authorization = '') {
    try {
      return await this.qonto.api(authorization.replace(/^Bearer /, '')).getOrganization();
    } catch (error) {
      throw toHttpException(error);
    }
  }
}

/** Nest's HTTP adapters the guard supports. */
export type HttpAdapterName = 'express' | 'fastify';

export interface TestApp {
  app: INestApplication;
  origin: string;
  redirectUri: string;
  close(): Promise<void>;
}

/**
 * Boots a Nest app with QontoModule and {@link TestAuthController} on a loopback port, registered with the emulator
 * as its own client, on Nest's Express adapter or its Fastify one. `overrides` replace the emulator-derived options
 * (e.g. credentials of another environment).
 */
export async function startTestApp(
  sandbox: QontoSandbox,
  overrides: Partial<QontoModuleOptions> = {},
  adapter: HttpAdapterName = 'express',
  /** Controllers instead of {@link TestAuthController}; `connect` also registers the connect callback. */
  o: { controllers?: Type[]; connect?: boolean } = {},
): Promise<TestApp> {
  const http = await listenOnLoopback();
  const redirectUri = `${http.origin}${CALLBACK_PATH}`;
  const connectUri = `${http.origin}${CONNECT_CALLBACK_PATH}`;
  const clientId = `nest-test-${http.origin.split(':').pop()}`;
  const clientSecret = `secret-${clientId}`;
  sandbox.addClient({ clientId, clientSecret, redirectUris: [redirectUri, connectUri] });
  const moduleRef = await Test.createTestingModule({
    imports: [
      QontoModule.forRoot({
        environment: sandbox.endpoints,
        clientId,
        clientSecret,
        redirectUri,
        stagingToken: sandbox.stagingToken,
        ...(o.connect ? { connections: { redirectUri: connectUri } } : {}),
        ...overrides,
      }),
    ],
    controllers: o.controllers ?? [TestAuthController],
  }).compile();
  let app: INestApplication;
  if (adapter === 'fastify') {
    // Fastify serves the loopback server bound above (its serverFactory) instead of creating its own.
    const fastify = new FastifyAdapter({
      serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
        http.server.on('request', handler),
    });
    app = moduleRef.createNestApplication(fastify, { logger: false });
    await app.init();
    await fastify.getInstance().ready();
  } else {
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    http.server.on('request', app.getHttpAdapter().getInstance());
  }
  return {
    app,
    origin: http.origin,
    redirectUri,
    close: async () => {
      await http.close();
      await app.close();
    },
  };
}
