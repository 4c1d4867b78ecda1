import { inspect } from 'node:util';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { isQontoError, sandboxEndpointsAt } from '@qonto-oauth/core';
import {
  QONTO_CONNECTIONS,
  QONTO_OPTIONS,
  QontoModule,
  type QontoModuleOptions,
  type QontoOptionsFactory,
  QontoService,
  type ResolvedQontoOptions,
} from '@qonto-oauth/nestjs';
import { describe, expect, it } from 'vitest';

// No request is made while booting: any loopback URL will do.
const endpoints = sandboxEndpointsAt('http://127.0.0.1:9');
const SECRET = 'client-secret-that-must-not-leak';
const STAGING = 'staging-token-that-must-not-leak';
const valid: QontoModuleOptions = {
  environment: endpoints,
  clientId: 'client-id',
  clientSecret: SECRET,
  redirectUri: 'http://localhost:3002/auth/qonto/callback',
  stagingToken: STAGING,
};

/** Stands in for @nestjs/config's ConfigService: `get(key)` over an env-like record. */
@Injectable()
class EnvConfig {
  readonly values: Record<string, string> = {
    QONTO_CLIENT_ID: 'client-id',
    QONTO_CLIENT_SECRET: SECRET,
    QONTO_REDIRECT_URI: 'http://localhost:3002/auth/qonto/callback',
    QONTO_STAGING_TOKEN: STAGING,
  };
  get(key: string): string | undefined {
    return this.values[key];
  }
}

@Module({ providers: [EnvConfig], exports: [EnvConfig] })
class EnvConfigModule {}

function fromConfig(config: EnvConfig): QontoModuleOptions {
  return {
    environment: endpoints,
    clientId: config.get('QONTO_CLIENT_ID')!,
    clientSecret: config.get('QONTO_CLIENT_SECRET')!,
    redirectUri: config.get('QONTO_REDIRECT_URI')!,
    stagingToken: config.get('QONTO_STAGING_TOKEN')!,
  };
}

@Injectable()
class QontoOptionsFromConfig implements QontoOptionsFactory {
  constructor(@Inject(EnvConfig) private readonly config: EnvConfig) {}
  createQontoOptions(): QontoModuleOptions {
    return fromConfig(this.config);
  }
}

/** A feature module that does not import QontoModule: it sees QontoService only when QontoModule is global. */
@Injectable()
class UsesQonto {
  constructor(@Inject(QontoService) readonly qonto: QontoService) {}
}
@Module({ providers: [UsesQonto] })
class FeatureModule {}

async function bootError(options: unknown): Promise<unknown> {
  const compiled = Test.createTestingModule({
    imports: [QontoModule.forRoot(options as QontoModuleOptions)],
  }).compile();
  return compiled.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('QontoModule', () => {
  it('forRoot provides QontoService and the validated options', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [QontoModule.forRoot(valid)] }).compile();
    expect(moduleRef.get(QontoService)).toBeInstanceOf(QontoService);
    const options = moduleRef.get<ResolvedQontoOptions>(QONTO_OPTIONS);
    expect(options.scopes).toEqual(['offline_access', 'openid', 'membership.read', 'organization.read']);
    expect(options.endpoints.tokenUrl).toBe('http://127.0.0.1:9/oauth2/token');
    await moduleRef.close();
  });

  it('forRoot with isGlobal makes QontoService injectable in modules that do not import it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [QontoModule.forRoot({ ...valid, isGlobal: true }), FeatureModule],
    }).compile();
    expect(moduleRef.get(UsesQonto).qonto).toBeInstanceOf(QontoService);
    await moduleRef.close();
  });

  it('without isGlobal, a module that does not import QontoModule cannot inject QontoService', async () => {
    const compiled = Test.createTestingModule({
      imports: [QontoModule.forRoot(valid), FeatureModule],
    }).compile();
    await expect(compiled).rejects.toThrow(/QontoService/);
  });

  it('forRootAsync reads the options from a config provider (useFactory + inject), global', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        QontoModule.forRootAsync({
          isGlobal: true,
          imports: [EnvConfigModule],
          inject: [EnvConfig],
          useFactory: (config: EnvConfig) => fromConfig(config),
        }),
        FeatureModule,
      ],
    }).compile();
    expect(moduleRef.get(UsesQonto).qonto).toBeInstanceOf(QontoService);
    expect(moduleRef.get<ResolvedQontoOptions>(QONTO_OPTIONS).clientId).toBe('client-id');
    await moduleRef.close();
  });

  it('forRootAsync accepts an options factory class (useClass)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [QontoModule.forRootAsync({ imports: [EnvConfigModule], useClass: QontoOptionsFromConfig })],
    }).compile();
    expect(moduleRef.get(QontoService)).toBeInstanceOf(QontoService);
    await moduleRef.close();
  });

  it('boots in an application context with no HTTP adapter', async () => {
    @Module({ imports: [QontoModule.forRoot(valid)] })
    class WorkerModule {}
    const context = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    const qonto = context.get(QontoService);
    const request = await qonto.createAuthorizationRequest({ organizationId: 'org-1' });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(endpoints.authorizationUrl);
    expect(url.searchParams.get('state')).toBe(request.state);
    expect(url.searchParams.get('organization_id')).toBe('org-1');
    expect(url.searchParams.get('redirect_uri')).toBe(valid.redirectUri);
    await context.close();
  });

  it('forRoot and forRootAsync never throw when called, even with bad options', () => {
    expect(() => QontoModule.forRoot({} as QontoModuleOptions)).not.toThrow();
    expect(() => QontoModule.forRoot(undefined as unknown as QontoModuleOptions)).not.toThrow();
    expect(() => QontoModule.forRootAsync({ useFactory: () => ({}) as QontoModuleOptions })).not.toThrow();
  });

  // Each message names the option (core's checks, prefixed with the module's name) and says how to fix it.
  const badOptions: [string, Record<string, unknown>, RegExp][] = [
    ['environment', { environment: undefined }, /environment is missing/],
    [
      'environment',
      { environment: 'staging' },
      /environment must be 'sandbox', 'production' or custom endpoints/,
    ],
    ['clientId', { clientId: undefined }, /clientId is missing/],
    ['clientSecret', { clientSecret: '' }, /clientSecret is missing/],
    ['redirectUri', { redirectUri: undefined }, /redirectUri is missing/],
    ['redirectUri', { redirectUri: '/auth/qonto/callback' }, /redirectUri must be an absolute URL/],
    ['stagingToken', { stagingToken: undefined }, /needs a staging token.*pass stagingToken/],
    ['stagingToken', { stagingToken: 'two words' }, /stagingToken is malformed/],
    ['stagingToken', { environment: 'production' }, /staging token was given.*remove stagingToken/],
    ['scopes', { scopes: [] }, /scopes must be a non-empty array/],
    ['scopes', { scopes: ['organization.read payment.write'] }, /Invalid scope .*one scope per array item/],
    ['stateSecret', { stateSecret: 'short' }, /stateSecret must be a string of at least 32 characters/],
    ['store', { store: { get: () => undefined } }, /store must be a TokenStore \(get, set and delete\)/],
    [
      'connections.store',
      { connections: { store: { get: () => undefined, tokens: {} } } },
      /connections.store must be a QontoConnectionStore.*has no list, put, delete, putPending, takePending/,
    ],
    [
      'connections.redirectUri',
      { connections: { redirectUri: 'connect/callback' } },
      /connections: redirectUri must be an absolute URL/,
    ],
    [
      'connections.reconnectWarningDays',
      { connections: { reconnectWarningDays: -1 } },
      /connections: .*reconnectWarningDays/,
    ],
  ];

  it.each(badOptions)('a bad %s fails the boot naming it', async (_name, change, message) => {
    const error = await bootError({ ...valid, ...change });
    expect(isQontoError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^QontoModule options: /);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(STAGING);
  });

  it('a bad option from forRootAsync fails NestFactory.createApplicationContext naming it', async () => {
    @Module({
      imports: [QontoModule.forRootAsync({ useFactory: async () => ({ ...valid, clientId: '' }) })],
    })
    class BadModule {}
    const boot = NestFactory.createApplicationContext(BadModule, { logger: false, abortOnError: false });
    await expect(boot).rejects.toThrow(/QontoModule options: clientId is missing/);
  });

  it('missing options altogether fail the boot, not the forRoot call', async () => {
    expect(((await bootError(undefined)) as Error).message).toMatch(
      /QontoModule options: environment is missing/,
    );
    const compiled = Test.createTestingModule({
      imports: [QontoModule.forRootAsync({ useFactory: () => undefined as unknown as QontoModuleOptions })],
    }).compile();
    await expect(compiled).rejects.toThrow(/QontoModule options: none were given/);
  });

  it('keeps secrets out of logs: the options and the service print without them', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [QontoModule.forRoot(valid)] }).compile();
    const printed = [
      inspect(moduleRef.get(QONTO_OPTIONS), { depth: 5, showHidden: false }),
      JSON.stringify(moduleRef.get(QONTO_OPTIONS)),
      inspect(moduleRef.get(QontoService), { depth: 5 }),
      inspect(moduleRef.get(QONTO_CONNECTIONS), { depth: 5 }),
    ].join('\n');
    expect(printed).toContain('client-id');
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(STAGING);
    await moduleRef.close();
  });
});
