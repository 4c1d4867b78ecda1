import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import {
  type CookieJarFetch,
  completeAuthorization,
  createCookieJarFetch,
} from '@qonto-oauth/sandbox/testing';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type QontoOptions, qonto } from '../../src/index.js';

/** Better Auth's log lines, as the app's logger would receive them. */
export type LogLine = { level: string; message: string };

export interface TestApp {
  url: string;
  auth: ReturnType<typeof createAuth>;
  db: Record<string, Record<string, unknown>[]>;
  logs: LogLine[];
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

let clients = 0;

function createAuth(
  url: string,
  plugin: ReturnType<typeof qonto>,
  db: object,
  logs: LogLine[],
  extra: object,
) {
  return betterAuth({
    baseURL: url,
    secret: 'a-test-secret-of-at-least-32-characters!!',
    database: memoryAdapter(db as Record<string, never[]>),
    plugins: [plugin],
    logger: {
      level: 'debug',
      log: (level: string, message: string, ...args: unknown[]) => {
        logs.push({ level, message: [message, ...args.map(String)].join(' ') });
      },
    },
    telemetry: { enabled: false },
    ...extra,
  } as BetterAuthOptions);
}

/**
 * A Better Auth app with `qonto()` on a free loopback port, served by Better Auth's own Node handler, its
 * client registered with the emulator for `/api/auth/callback/qonto`.
 */
export async function startApp(
  sandbox: QontoSandbox,
  o: {
    qonto?: Partial<QontoOptions>;
    auth?: Partial<BetterAuthOptions>;
    clientSecretAtQonto?: string;
    /** Configure `qonto()` with no option but the `QONTO_*` variables naming this client and the emulator. */
    fromEnv?: boolean;
  } = {},
): Promise<TestApp> {
  let handler: ReturnType<typeof toNodeHandler> | undefined;
  const server: Server = createServer((req, res) => void handler?.(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  clients += 1;
  const clientId = `better-auth-test-${clients}`;
  const clientSecret = `better-auth-secret-${clients}-${Math.random().toString(36).slice(2)}`;
  sandbox.addClient({
    clientId,
    clientSecret: o.clientSecretAtQonto ?? clientSecret,
    redirectUris: [`${url}/api/auth/callback/qonto`],
  });
  const db: TestApp['db'] = { user: [], session: [], account: [], verification: [] };
  const logs: LogLine[] = [];
  const plugin = o.fromEnv
    ? qonto({
        env: {
          QONTO_SANDBOX_URL: sandbox.url,
          QONTO_CLIENT_ID: clientId,
          QONTO_CLIENT_SECRET: clientSecret,
          QONTO_STAGING_TOKEN: sandbox.stagingToken,
        },
      })
    : qonto({
        clientId,
        clientSecret,
        environment: sandbox.endpoints,
        stagingToken: sandbox.stagingToken,
        ...o.qonto,
      });
  const auth = createAuth(url, plugin, db, logs, o.auth ?? {});
  handler = toNodeHandler(auth);
  return {
    url,
    auth,
    db,
    logs,
    clientId,
    clientSecret,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A person's browser on the app: its cookies, and the steps of "Connect with Qonto". */
export class Browser {
  readonly fetch: CookieJarFetch = createCookieJarFetch();
  constructor(readonly app: TestApp) {}

  /** `authClient.signIn.social({ provider: 'qonto' })`: the authorize URL to send the browser to. */
  async startSignIn(body: Record<string, unknown> = {}): Promise<string> {
    const response = await this.fetch(`${this.app.url}/api/auth/sign-in/social`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.app.url },
      body: JSON.stringify({
        provider: 'qonto',
        callbackURL: '/dashboard',
        errorCallbackURL: '/oops',
        ...body,
      }),
    });
    if (response.status !== 200)
      throw new Error(`sign-in/social answered ${response.status}: ${await response.text()}`);
    const { url } = (await response.json()) as { url: string };
    return url;
  }

  /** `authClient.linkSocial({ provider: 'qonto', ...body })` for the signed-in user. */
  async startLink(body: Record<string, unknown> = {}): Promise<string> {
    const response = await this.fetch(`${this.app.url}/api/auth/link-social`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.app.url },
      body: JSON.stringify({
        provider: 'qonto',
        callbackURL: '/dashboard',
        errorCallbackURL: '/oops',
        ...body,
      }),
    });
    if (response.status !== 200)
      throw new Error(`link-social answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { url: string }).url;
  }

  /** Qonto's pages (login, SMS, organization, consent), then the app's callback: where the browser lands. */
  async consentAndReturn(
    authorizeUrl: string,
    user: SandboxUser,
    o: { organizationId?: string; deny?: boolean } = {},
  ): Promise<URL> {
    const callback = await completeAuthorization(authorizeUrl, { ...user, ...o });
    const response = await this.fetch(callback);
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status !== 302 || location === null) {
      throw new Error(`the callback answered ${response.status}, not a redirect`);
    }
    return new URL(location, this.app.url);
  }

  async signIn(user: SandboxUser, o: { organizationId?: string } = {}): Promise<URL> {
    return this.consentAndReturn(await this.startSignIn(), user, o);
  }

  /** A JSON call to the app's auth API with this browser's cookies. */
  async call<T>(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> {
    const response = await this.fetch(`${this.app.url}/api/auth${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', origin: this.app.url },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  /** The `Cookie` header of this browser, for server-side `auth.api` calls made "in its request". */
  headers(): Headers {
    const cookie = [...this.fetch.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
    return new Headers({ cookie, origin: this.app.url });
  }
}

/**
 * One emulator per test file, and apps started on it that are closed after each test (its faults reset too).
 * Call at the top of a test file.
 */
export function useEmulator(): {
  readonly sandbox: QontoSandbox;
  app(o?: Parameters<typeof startApp>[1]): Promise<TestApp>;
} {
  let sandbox: QontoSandbox | undefined;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    sandbox = await startQontoSandbox();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    sandbox?.faults.reset();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  const started = () => {
    if (sandbox === undefined) throw new Error('useEmulator(): the emulator starts in beforeAll');
    return sandbox;
  };
  return {
    get sandbox() {
      return started();
    },
    app: async (o) => {
      const app = await startApp(started(), o);
      apps.push(app);
      return app;
    },
  };
}
