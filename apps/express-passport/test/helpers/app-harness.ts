import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryConnectionStore, MemoryTokenStore, type TokenSet, type TokenStore } from '@qonto-oauth/core';
import type { QontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import session from 'express-session';
import { type AppConfig, type AppQontoConfig, createApp } from '../../src/app.js';
import type { DemoAccount } from '../../src/demo-accounts.js';
import { MemoryWebhookSubscriptionStore } from '../../src/webhook-subscriptions.js';
import { TestBrowser } from './browser.js';

/** What the app keeps for one browser: Passport's user (in the session) and the tokens its session names. */
export interface StoredSession {
  passport?: { user?: { id: string; displayName: string } };
  qonto?: { tokens: TokenSet | undefined };
}

/** An HTTP server on 127.0.0.1, port 0, with nothing mounted yet. */
export async function listenOnLoopback(): Promise<{ server: Server; origin: string }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Stops `server` at once, open connections included. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Every session in `store`, with the tokens each one's connection key names in `tokenStore`. */
export function storedSessions(store: session.Store, tokenStore: TokenStore): Promise<StoredSession[]> {
  return new Promise<Record<string, unknown>[]>((resolve, reject) =>
    store.all?.((error, all) =>
      error ? reject(error) : resolve(Object.values(all ?? {}) as unknown as Record<string, unknown>[]),
    ),
  ).then((all) =>
    Promise.all(
      all.map(async ({ qonto, ...rest }) => {
        const key = (qonto as { connection?: string } | undefined)?.connection;
        return {
          ...rest,
          ...(key === undefined ? {} : { qonto: { tokens: await tokenStore.get(key) } }),
        } as StoredSession;
      }),
    ),
  );
}

/** The example app on 127.0.0.1 port 0, registered with the emulator as a client of its own. */
export interface RunningApp {
  origin: string;
  browser: TestBrowser;
  /** Every session in the app's store (the test's window on "no half-login"). */
  sessions(): Promise<StoredSession[]>;
  /** The demo accounts' connections and their tokens, as the app keeps them. */
  connectionStore: MemoryConnectionStore;
  /** The webhook subscriptions the app made, with their secrets. */
  webhookSubscriptions: MemoryWebhookSubscriptionStore;
  /** The app's client at the emulator. */
  clientId: string;
  close(): Promise<void>;
}

let clients = 0;

/**
 * Starts the app against `sandbox`; `qonto` overrides the config the app gets (wrong secret, no staging token…),
 * `app` the rest of it (`trustProxy`).
 */
export async function startApp(
  sandbox: QontoSandbox,
  qonto: Partial<AppQontoConfig> = {},
  app: Pick<AppConfig, 'trustProxy' | 'reconnectWarningDays'> = {},
): Promise<RunningApp> {
  const { server, origin } = await listenOnLoopback();
  const redirectUri = `${origin}/auth/qonto/callback`;
  const clientId = `express-passport-test-${++clients}`;
  const clientSecret = `secret-${clients}`;
  sandbox.addClient({
    clientId,
    clientSecret,
    redirectUris: [redirectUri, `${origin}/connect/qonto/callback`],
  });
  const store = new session.MemoryStore();
  const tokenStore = new MemoryTokenStore();
  const connectionStore = new MemoryConnectionStore();
  const webhookSubscriptions = new MemoryWebhookSubscriptionStore();
  try {
    const handler = createApp({
      qonto: {
        environment: sandbox.endpoints,
        clientId,
        clientSecret,
        redirectUri,
        stagingToken: sandbox.stagingToken,
        scopes: ['offline_access', 'openid', 'membership.read', 'organization.read'],
        ...qonto,
      },
      sessionSecret: 'test-session-secret',
      sessionStore: store,
      tokenStore,
      connectionStore,
      webhookSubscriptions,
      now: sandbox.clock.now,
      ...app,
    });
    server.on('request', handler);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    origin,
    browser: new TestBrowser(),
    sessions: () => storedSessions(store, tokenStore),
    connectionStore,
    webhookSubscriptions,
    clientId,
    close: () => closeServer(server),
  };
}

/** A user of the emulator's seed with a single organization (no organization picker). */
export function singleOrganizationUser(sandbox: QontoSandbox): QontoSandbox['users'][number] {
  const user = sandbox.users.find((u) => u.organizations.length === 1);
  if (!user) throw new Error('the emulator seed has no user with one organization');
  return user;
}

/** Clicks "Connect with Qonto", goes through the emulator's pages, and returns the callback URL (not yet opened). */
export async function consentAt(
  app: Pick<RunningApp, 'origin' | 'browser'>,
  user: QontoSandbox['users'][number],
  o: { deny?: boolean } = {},
): Promise<string> {
  const start = await app.browser.fetch(`${app.origin}/auth/qonto`);
  if (start.status !== 302) throw new Error(`/auth/qonto answered ${start.status}`);
  return completeAuthorization(start.headers.get('location')!, {
    email: user.email,
    password: user.password,
    ...(o.deny ? { deny: true } : {}),
  });
}

/** The whole sign-in: consent, then the callback and the page it ends on. */
export async function signIn(
  app: Pick<RunningApp, 'origin' | 'browser'>,
  user: QontoSandbox['users'][number],
) {
  return app.browser.follow(await consentAt(app, user));
}

/** Signs `account` in to the product with its own login form (POST /login from the app's page); redirects not followed. */
export function signInToProduct(
  app: Pick<RunningApp, 'origin' | 'browser'>,
  account: DemoAccount,
  o: { origin?: string } = {},
): Promise<Response> {
  return app.browser.fetch(`${app.origin}/login`, {
    method: 'POST',
    headers: { Origin: o.origin ?? app.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: account.username, password: account.password }),
  });
}

/**
 * Settings' "Connect a Qonto organization" (or, with `reconnect`, the row's "Reconnect") through the emulator's
 * pages as `member`, picking `organizationId`, allowing (or, with `deny`, denying); returns the authorize URL the app sent the browser to and the page
 * the callback ends on.
 */
export async function connectOrganization(
  app: Pick<RunningApp, 'origin' | 'browser'>,
  member: QontoSandbox['users'][number],
  organizationId: string,
  o: { reconnect?: boolean; deny?: boolean } = {},
): Promise<{ authorize: URL; page: { url: string; status: number; body: string } }> {
  const path = `/settings/qonto/connect${o.reconnect ? `?organization=${organizationId}` : ''}`;
  const start = await app.browser.fetch(`${app.origin}${path}`);
  if (start.status !== 302) throw new Error(`${path} answered ${start.status}`);
  const authorize = new URL(start.headers.get('location') ?? '');
  const callback = await completeAuthorization(authorize.href, {
    email: member.email,
    password: member.password,
    organizationId,
    ...(o.deny ? { deny: true } : {}),
  });
  return { authorize, page: await app.browser.follow(callback) };
}
