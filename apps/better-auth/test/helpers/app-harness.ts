import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { QontoSandbox, SandboxUser } from '@qonto-oauth/sandbox';
import {
  type CookieJarFetch,
  completeAuthorization,
  createCookieJarFetch,
} from '@qonto-oauth/sandbox/testing';
import Database from 'libsql';
import { type App, createApp } from '../../src/app.js';
import { COOKIE_PREFIX } from '../../src/auth.js';

/** The app on 127.0.0.1 (port 0), on its own SQLite file, registered with the emulator as a client of its own. */
export interface RunningApp {
  origin: string;
  app: App;
  databaseFile: string;
  clientSecret: string;
  /** Rows of a table of the app's SQLite file, read through a connection of the test's own. */
  rows<T = Record<string, unknown>>(table: string): T[];
  /** Stops the server and closes the database (the file stays until {@link RunningApp.remove}). */
  stop(): Promise<void>;
  remove(): void;
}

let clients = 0;

/**
 * Starts the app against `sandbox` on `databaseFile` (default: a new file in a temporary folder). `secret` stays
 * the same across a restart, as `BETTER_AUTH_SECRET` does; `stagingToken` replaces the emulator's.
 */
export async function startApp(
  sandbox: QontoSandbox,
  o: { databaseFile?: string; secret?: string; stagingToken?: string } = {},
): Promise<RunningApp> {
  const folder =
    o.databaseFile === undefined ? mkdtempSync(join(tmpdir(), 'example-better-auth-')) : undefined;
  const databaseFile = o.databaseFile ?? join(folder as string, 'app.db');
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: (request) => handler(request), port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(info.port),
    );
  });
  const origin = `http://127.0.0.1:${port}`;
  const clientId = `example-better-auth-test-${++clients}`;
  const clientSecret = `secret-${clients}-${Math.random().toString(36).slice(2)}`;
  sandbox.addClient({ clientId, clientSecret, redirectUris: [`${origin}/api/auth/callback/qonto`] });
  const app = await createApp({
    baseURL: origin,
    secret: o.secret ?? 'a-test-secret-of-at-least-32-characters!!',
    databaseFile,
    qonto: {
      clientId,
      clientSecret,
      environment: sandbox.endpoints,
      stagingToken: o.stagingToken ?? sandbox.stagingToken,
    },
  });
  function handler(request: Request) {
    return app.fetch(request);
  }
  return {
    origin,
    app,
    databaseFile,
    clientSecret,
    rows<T>(table: string): T[] {
      const db = new Database(databaseFile, { readonly: true });
      try {
        return db.prepare(`select * from "${table}"`).all() as T[];
      } finally {
        db.close();
      }
    },
    async stop() {
      (server as Server | undefined)?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      app.close();
    },
    remove() {
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A browser on the app: a cookie jar, redirects not followed, forms posted with the app's own `Origin`. */
export class TestBrowser {
  readonly fetch: CookieJarFetch = createCookieJarFetch();
  /** The app's origin; a test that restarts the app elsewhere points the same browser (cookies) at it. */
  constructor(public origin: string) {}

  /** Submits a form of the app's pages (`fields` URL-encoded), from `from` (default: the app's own origin). */
  post(path: string, fields: Record<string, string> = {}, from = this.origin): Promise<Response> {
    return this.fetch(`${this.origin}${path}`, {
      method: 'POST',
      headers: { origin: from, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  }

  /** GETs `path` (or a URL) and follows redirects within the app: the page it ends on. */
  async open(pathOrUrl: string): Promise<{ url: URL; status: number; body: string }> {
    let url = new URL(pathOrUrl, this.origin);
    let response = await this.fetch(url.href);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location') ?? '', url);
      response = await this.fetch(url.href);
    }
    return { url, status: response.status, body: await response.text() };
  }

  /**
   * Presses "Connect with Qonto" (`/connect`) or "Connect another organization" (`/connect-another`), goes through
   * the emulator's pages as `user`, and returns the page the app's callback ends on.
   */
  async connect(
    user: SandboxUser,
    o: { organizationId?: string; deny?: boolean; via?: '/connect' | '/connect-another' } = {},
  ) {
    const start = await this.post(o.via ?? '/connect');
    const location = start.headers.get('location');
    if (start.status !== 303 || location === null) {
      throw new Error(`${o.via ?? '/connect'} answered ${start.status}: ${await start.text()}`);
    }
    const callback = await completeAuthorization(location, {
      email: user.email,
      password: user.password,
      ...(o.organizationId === undefined ? {} : { organizationId: o.organizationId }),
      ...(o.deny ? { deny: true } : {}),
    });
    return this.open(callback);
  }

  /** Whether Better Auth's session cookie is in the jar. */
  signedIn(): boolean {
    return this.fetch.cookies.has(`${COOKIE_PREFIX}.session_token`);
  }
}
