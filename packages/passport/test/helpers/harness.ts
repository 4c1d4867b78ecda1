import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import type { QontoAuthenticateOptions, QontoStrategy } from '../../src/index.js';

/** What the callback route saw: Passport's custom-callback arguments. */
export interface CallbackOutcome {
  error: unknown;
  user: unknown;
  info: unknown;
  status: unknown;
}

/**
 * A minimal Express 5 app around one strategy, on 127.0.0.1 port 0: `/login` starts the flow, `/callback`
 * finishes it and records what Passport handed the custom callback.
 */
export class PassportHarness {
  readonly outcomes: CallbackOutcome[] = [];
  /** Errors `/login` passed to Express (`this.error(...)` on the login leg). */
  readonly loginErrors: unknown[] = [];
  #server: Server | undefined;
  #cookies = '';
  origin = '';
  /** The emulator client the test registered for this app, when it says so. */
  clientID = '';

  /** Starts listening first, so the strategy can be built with this app's absolute callback URL. */
  async listen(): Promise<string> {
    this.#server = createServer();
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return `${this.origin}/callback`;
  }

  mount(strategy: QontoStrategy, authenticateOptions: QontoAuthenticateOptions = {}): void {
    const authenticator = new passport.Passport();
    authenticator.use(strategy);
    const app = express();
    app.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
    app.get(
      '/login',
      authenticator.authenticate(strategy.name ?? 'qonto', { session: false, ...authenticateOptions }),
    );
    app.get('/callback', (req, res, next) => {
      authenticator.authenticate(
        strategy.name ?? 'qonto',
        { session: false },
        (error: unknown, user: unknown, info: unknown, status: unknown) => {
          this.outcomes.push({ error, user, info, status });
          res.status(error ? 500 : user ? 200 : 401).json({ ok: !!user });
        },
      )(req, res, next);
    });
    app.get('/failed', (_req, res) => {
      res.status(401).send('failed');
    });
    app.use(((error, _req, res, _next) => {
      this.loginErrors.push(error);
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
    }) as express.ErrorRequestHandler);
    this.#server!.on('request', app);
  }

  /**
   * An app with its own users (`/sign-in/:id` stands for any login: a form, another strategy) that connects Qonto
   * to the signed-in user with `passport.authorize`: `/connect` starts it (`?organization_id=` locks the
   * organization), `/callback` answers `{ user, account }` as the route saw them, `/me` the session's user.
   */
  mountConnect(strategy: QontoStrategy): void {
    const authenticator = new passport.Passport();
    authenticator.use(strategy);
    authenticator.serializeUser((user: Express.User, done) => done(null, JSON.stringify(user)));
    authenticator.deserializeUser((user: string, done) => done(null, JSON.parse(user)));
    const name = strategy.name ?? 'qonto';
    const app = express();
    app.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
    app.use(authenticator.session());
    app.get('/sign-in/:id', (req, res, next) => {
      req.login({ id: req.params.id }, (error) => (error ? next(error) : res.json({ ok: true })));
    });
    app.get('/me', (req, res) => {
      res.json({ user: req.user ?? null });
    });
    const requireUser: express.RequestHandler = (req, res, next) => {
      if (req.user) next();
      else res.status(401).json({ error: 'sign in first' });
    };
    app.get('/connect', requireUser, (req, res, next) => {
      const organizationId = typeof req.query.organization_id === 'string' ? req.query.organization_id : '';
      authenticator.authorize(name, organizationId ? { organizationId } : {})(req, res, next);
    });
    app.get(
      '/callback',
      requireUser,
      authenticator.authorize(name, { failureRedirect: '/failed' }),
      (req, res) => {
        res.json({ user: req.user, account: (req as { account?: unknown }).account });
      },
    );
    app.get('/failed', (_req, res) => {
      res.status(401).send('failed');
    });
    app.use(((error, _req, res, _next) => {
      this.outcomes.push({ error, user: undefined, info: undefined, status: 500 });
      res.status(500).json({ error: String(error) });
    }) as express.ErrorRequestHandler);
    this.#server!.on('request', app);
  }

  /** A browser hop: GET with this harness's cookie, no redirect following. */
  async get(pathOrUrl: string): Promise<Response> {
    const response = await fetch(new URL(pathOrUrl, this.origin), {
      redirect: 'manual',
      headers: this.#cookies ? { cookie: this.#cookies } : {},
    });
    const set = response.headers.getSetCookie()[0];
    if (set) this.#cookies = set.split(';')[0] ?? '';
    return response;
  }

  /** `/login` (or `path`) → the authorize URL the strategy redirected to. */
  async authorizationUrl(path = '/login'): Promise<string> {
    const response = await this.get(path);
    if (response.status !== 302)
      throw new Error(`/login answered ${response.status}: ${await response.text()}`);
    return response.headers.get('location')!;
  }

  /** Follows the callback URL Qonto redirected to, and returns what Passport handed the app. */
  async callback(callbackUrl: string): Promise<CallbackOutcome> {
    const before = this.outcomes.length;
    const response = await this.get(callbackUrl);
    await response.text();
    const outcome = this.outcomes[before];
    if (!outcome)
      throw new Error(`the callback answered ${response.status} without reaching the app's callback`);
    return outcome;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}
