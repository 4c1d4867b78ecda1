import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryTokenStore, QontoApiClient, QontoOAuthClient, type TokenSet } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { AppQontoConfig } from '../../src/config.js';
import { createApp } from '../../src/create-app.js';
import { Browser } from './browser.js';

/** The app's login store, with the keys it holds: the tests' window on what the server keeps. */
export class InspectableLoginStore extends MemoryTokenStore {
  readonly keys = new Set<string>();
  override async set(key: string, tokens: TokenSet): Promise<void> {
    this.keys.add(key);
    await super.set(key, tokens);
  }
  override async delete(key: string): Promise<void> {
    this.keys.delete(key);
    await super.delete(key);
  }
  /** The one login's tokens (fails the test when there is not exactly one). */
  async only(): Promise<TokenSet> {
    if (this.keys.size !== 1) throw new Error(`expected one login, found ${this.keys.size}`);
    const [key] = this.keys;
    return (await this.get(key!))!;
  }
}

export interface RunningApp {
  origin: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  browser: Browser;
  store: InspectableLoginStore;
  close(): Promise<void>;
}

let clients = 0;

/** The app on 127.0.0.1 port 0, registered with `sandbox` as a client of its own; `qonto` overrides its config. */
export async function startApp(
  sandbox: QontoSandbox,
  qonto: Partial<AppQontoConfig> = {},
): Promise<RunningApp> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${origin}/auth/qonto/callback`;
  const clientId = `example-nest-test-${++clients}`;
  const clientSecret = `example-nest-secret-${clients}-${Math.random().toString(36).slice(2)}`;
  sandbox.addClient({ clientId, clientSecret, redirectUris: [redirectUri] });
  const store = new InspectableLoginStore();
  const app = await createApp(
    {
      qonto: {
        environment: sandbox.endpoints,
        clientId,
        clientSecret,
        redirectUri,
        stagingToken: sandbox.stagingToken,
        scopes: ['offline_access', 'openid', 'membership.read', 'organization.read'],
        ...qonto,
      },
      port: 0,
      sessionSecret: 'test-session-secret',
      loginStore: store,
      notes: [],
    },
    { logger: false },
  );
  await app.init();
  server.on('request', app.getHttpAdapter().getInstance());
  return {
    origin,
    clientId,
    clientSecret,
    redirectUri,
    browser: new Browser(),
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    },
  };
}

/** A seed user with a single organization (no organization picker on Qonto's side). */
export function singleOrganizationUser(sandbox: QontoSandbox): QontoSandbox['users'][number] {
  const user = sandbox.users.find((u) => u.organizations.length === 1);
  if (!user) throw new Error('the emulator seed has no user with one organization');
  return user;
}

/** Clicks "Connect with Qonto" and goes through Qonto's pages; returns the callback URL, not yet opened. */
export async function consent(
  app: RunningApp,
  user: QontoSandbox['users'][number],
  o: { deny?: boolean } = {},
) {
  const start = await app.browser.request(`${app.origin}/auth/qonto`);
  if (start.status !== 302) throw new Error(`/auth/qonto answered ${start.status}`);
  return completeAuthorization(start.headers.get('location')!, {
    email: user.email,
    password: user.password,
    ...(o.deny ? { deny: true } : {}),
  });
}

/** The whole sign-in: consent, then the callback and the page it ends on. */
export async function signIn(app: RunningApp, user: QontoSandbox['users'][number]) {
  return app.browser.open(await consent(app, user));
}

/**
 * One emulator for the test file and one app per test, closed after it: `const { sandbox, start } = withEmulator()`,
 * then `const app = await start()` in a test.
 */
export function withEmulator(): {
  sandbox(): QontoSandbox;
  start(qonto?: Partial<AppQontoConfig>): Promise<RunningApp>;
} {
  let sandbox: QontoSandbox | undefined;
  let app: RunningApp | undefined;
  beforeAll(async () => {
    sandbox = await startQontoSandbox();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => sandbox?.close());
  const current = () => {
    if (!sandbox) throw new Error('withEmulator(): the emulator starts in beforeAll');
    return sandbox;
  };
  return {
    sandbox: current,
    start: async (qonto) => {
      app = await startApp(current(), qonto);
      return app;
    },
  };
}

/** Qonto's API as any client would call it, with a bare access token. */
export function apiWith(sandbox: QontoSandbox, accessToken: string): QontoApiClient {
  return new QontoApiClient({
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    tokens: accessToken,
  });
}

/** An OAuth client with the app's own credentials: what the app itself can do at Qonto. */
export function oauthClientOf(sandbox: QontoSandbox, app: RunningApp): QontoOAuthClient {
  return new QontoOAuthClient({
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUri,
  });
}
