import { randomBytes } from 'node:crypto';
import {
  fromTokenResponse,
  MemoryConnectionStore,
  MemoryTokenStore,
  QontoApiClient,
  QontoApiError,
  type QontoBankAccount,
  type QontoConnectionStore,
  QontoConnections,
  type QontoEnvConfig,
  QontoOAuthClient,
  QontoTokenManager,
  type TokenSet,
  type TokenStore,
} from '@qonto-oauth/core';
import {
  type QontoPassportProfile,
  QontoStrategy,
  type QontoVerifyFunctionWithParams,
} from '@qonto-oauth/passport';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { sendCallbackOutcome } from './callback-outcome.js';
import { renderError } from './errors.js';
import { demoUserOf, productRoutes } from './product.js';
import { sameOriginOnly } from './same-origin.js';
import './stores.js';
import { type AccountView, accountPage, homePage, type TransactionRow } from './views.js';
import { MemoryWebhookSubscriptionStore, type WebhookSubscriptionStore } from './webhook-subscriptions.js';
import { qontoWebhookRoute } from './webhooks.js';

/** The Qonto side of the app's configuration: `qontoConfigFromEnv`'s shape with this app's callback URL resolved. */
export type AppQontoConfig = QontoEnvConfig & {
  /** This app's callback, e.g. `http://localhost:3001/auth/qonto/callback`. */
  redirectUri: string;
  /**
   * The callback of "Connect a Qonto organization" in Settings (default: `/connect/qonto/callback` at the origin of
   * `redirectUri`); register it too.
   */
  connectRedirectUri?: string | undefined;
};

/** Everything {@link createApp} needs; tests inject the emulator's clock and a session store they can inspect. */
export interface AppConfig {
  qonto: AppQontoConfig;
  /** Signs the session cookie (default: random per start, so restarting signs everybody out). */
  sessionSecret?: string | undefined;
  /** Where sessions live (default: express-session's MemoryStore, one process only). */
  sessionStore?: session.Store | undefined;
  /**
   * Where each connection's TokenSet lives, under a random key its session names (default: a `MemoryTokenStore`,
   * one process only). A `RedisTokenStore` shared by several instances refreshes each connection once among them.
   */
  tokenStore?: TokenStore | undefined;
  /**
   * Where the demo accounts' Qonto connections live (default: core's `MemoryConnectionStore`); a
   * `RedisConnectionStore` shares them between instances.
   */
  connectionStore?: QontoConnectionStore | undefined;
  /** Where webhook subscriptions and their secrets live (default: in memory). */
  webhookSubscriptions?: WebhookSubscriptionStore | undefined;
  /**
   * The URL Qonto delivers webhooks to (default: `/webhooks/qonto` at the origin of `redirectUri`; Qonto's
   * production needs a public https URL), or `false` for no subscription (and no `webhook` scope asked).
   */
  webhookUrl?: string | false | undefined;
  /** How many days before its refresh token expires a connection shows "Reconnect" (default: core's, 14). */
  reconnectWarningDays?: number | undefined;
  /** Clock in epoch ms used to decide when the access token needs a refresh (default `Date.now`). */
  now?: (() => number) | undefined;
  /** A fetch for every Qonto request (a proxy agent); core adds the staging header around it. */
  fetch?: typeof fetch | undefined;
  /**
   * Express's `trust proxy` setting (`true`, a hop count, or addresses such as `loopback`): set it when a proxy in
   * front of the app terminates https, so `req.secure` (and so the session cookie's `Secure`) follows
   * `X-Forwarded-Proto`. Unset, forwarded headers are ignored.
   */
  trustProxy?: boolean | number | string | undefined;
}

/** The session cookie's name: cookies ignore ports, so each sample app on localhost has its own. */
export const SESSION_COOKIE = 'qonto-express-passport.sid';

/** Who is signed in; the tokens live in the token store, never in what Passport serialises. */
interface SignedInMember {
  id: string;
  displayName: string;
  organization?: QontoPassportProfile['organization'];
}

interface VerifiedLogin {
  member: SignedInMember;
  tokens: TokenSet;
}

/**
 * The Express 5 app: home with "Connect with Qonto", the Passport flow, the account page, refresh and disconnect.
 * Does not listen: `server.ts` does, tests mount it on port 0.
 */
export function createApp(config: AppConfig): Express {
  const now = config.now ?? Date.now;
  const { qonto } = config;
  const tokenStore = config.tokenStore ?? new MemoryTokenStore();
  const shared = {
    environment: qonto.environment,
    ...(qonto.stagingToken === undefined ? {} : { stagingToken: qonto.stagingToken }),
    ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
  };
  const oauth = new QontoOAuthClient({
    ...shared,
    clientId: qonto.clientId,
    clientSecret: qonto.clientSecret,
    redirectUri: qonto.redirectUri,
    now,
    scopes: qonto.scopes,
  });

  // A Passport instance of its own, so two apps in one process (tests) never share strategies.
  const authenticator = new passport.Passport();
  const verify: QontoVerifyFunctionWithParams = (_accessToken, _refreshToken, params, profile, done) => {
    const member: SignedInMember = { id: profile.id, displayName: profile.displayName };
    if (profile.organization) member.organization = profile.organization;
    done(null, {
      member,
      // `params` carries both tokens: core's inverse of the strategy's toTokenResponse.
      tokens: fromTokenResponse(params, now),
    } satisfies VerifiedLogin);
  };
  authenticator.use(
    new QontoStrategy(
      {
        ...shared,
        clientID: qonto.clientId,
        clientSecret: qonto.clientSecret,
        callbackURL: qonto.redirectUri,
        scope: qonto.scopes,
      },
      verify,
    ),
  );

  const appOrigin = new URL(qonto.redirectUri).origin;
  const webhookUrl =
    config.webhookUrl === false ? undefined : (config.webhookUrl ?? `${appOrigin}/webhooks/qonto`);
  const connectionStore = config.connectionStore ?? new MemoryConnectionStore();
  const webhookSubscriptions = config.webhookSubscriptions ?? new MemoryWebhookSubscriptionStore();
  const connections = new QontoConnections({
    client: oauth,
    store: connectionStore,
    ...shared,
    now,
    ...(config.reconnectWarningDays === undefined
      ? {}
      : { reconnectWarningDays: config.reconnectWarningDays }),
  });
  // The product's routes register their strategies and (de)serializer first: the demo accounts.
  const product = productRoutes({
    authenticator,
    connections,
    connectStrategy: {
      ...shared,
      clientID: qonto.clientId,
      clientSecret: qonto.clientSecret,
      callbackURL: qonto.connectRedirectUri ?? `${appOrigin}/connect/qonto/callback`,
      // Subscribing to the organization's webhooks needs `webhook` on its token.
      scope: webhookUrl === undefined ? qonto.scopes : [...new Set([...qonto.scopes, 'webhook'])],
    },
    subscriptions: webhookSubscriptions,
    webhookUrl,
    sameOrigin: sameOriginOnly(appOrigin),
    now,
  });
  authenticator.serializeUser((member, done) => done(null, member));
  authenticator.deserializeUser((member: SignedInMember, done) => done(null, member));

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // The app's own origin comes from its configuration (the callback URL), never from a request's Host header.
  const sameOrigin = sameOriginOnly(appOrigin);
  // Before the session: Qonto's deliveries carry no cookie, and the signature covers the raw body.
  app.post(
    '/webhooks/qonto',
    ...qontoWebhookRoute({
      subscriptions: webhookSubscriptions,
      connections,
      now,
    }),
  );
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret ?? randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      // `auto`: Secure whenever the request came over https, as `req.secure` says (behind a proxy: `trustProxy`).
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' },
      ...(config.sessionStore === undefined ? {} : { store: config.sessionStore }),
    }),
  );
  app.use(authenticator.session());
  app.use(product);

  const environmentLabel =
    typeof qonto.environment === 'string' ? qonto.environment : `custom (${qonto.environment.apiBaseUrl})`;

  /** The signed-in connection: its key, a token manager over the token store, and the API client on top of it. */
  async function connection(
    req: Request,
  ): Promise<{ key: string; manager: QontoTokenManager; api: QontoApiClient } | undefined> {
    const key = req.session.qonto?.connection;
    if (!req.user || key === undefined) return undefined;
    const tokens = await tokenStore.get(key);
    if (!tokens) return undefined;
    const manager = new QontoTokenManager({ client: oauth, tokens, store: tokenStore, key, now });
    return { key, manager, api: new QontoApiClient({ ...shared, tokens: manager }) };
  }

  app.get('/', async (req, res) => {
    if (demoUserOf(req)) return res.redirect('/settings');
    if (await connection(req)) return res.redirect('/account');
    const notice =
      req.query.disconnected === '1' ? 'Disconnected: the consent was revoked at Qonto.' : undefined;
    res.type('html').send(homePage({ notice, environmentLabel }));
  });

  app.get('/auth/qonto', authenticator.authenticate('qonto'));

  app.get('/auth/qonto/callback', (req, res, next) => {
    const finish = (error: unknown, login: VerifiedLogin | false, _info: unknown, failureStatus?: number) => {
      if (error) {
        if (!sendCallbackOutcome(res, { error, query: req.query })) next(error);
        return;
      }
      if (!login) return void sendCallbackOutcome(res, { failureStatus, query: req.query });
      req.logIn(login.member, (loginError) => {
        if (loginError) return next(loginError);
        // After logIn: Passport regenerates the session there, and the connection belongs to the new one.
        const key = randomBytes(32).toString('base64url');
        tokenStore.set(key, login.tokens).then(() => {
          req.session.qonto = { connection: key };
          res.redirect('/account');
        }, next);
      });
    };
    authenticator.authenticate('qonto', finish)(req, res, next);
  });

  app.get('/account', async (req, res) => {
    const signedIn = await connection(req);
    if (!signedIn) return res.redirect('/');
    const { api, manager } = signedIn;
    const [member, organization] = await Promise.all([api.getMembership(), api.getOrganization()]);
    const accounts = organization.bank_accounts ?? [];
    const mainAccount = accounts.find((a) => a.main) ?? accounts[0];
    const view: AccountView = {
      member,
      organization,
      mainAccount,
      transactions: await latestTransactions(api, mainAccount),
      expiresAt: (await manager.getTokens()).expiresAt,
    };
    res.type('html').send(accountPage(view));
  });

  app.post('/refresh', sameOrigin, async (req, res) => {
    const signedIn = await connection(req);
    if (!signedIn) return res.redirect(303, '/');
    await signedIn.manager.refreshNow();
    res.redirect(303, '/account');
  });

  app.post('/disconnect', sameOrigin, async (req, res, next) => {
    const signedIn = await connection(req);
    if (!signedIn) return res.redirect(303, '/');
    await oauth.revokeConsent(await signedIn.manager.getAccessToken());
    await tokenStore.delete(signedIn.key);
    req.logout((logoutError) => {
      if (logoutError) return next(logoutError);
      req.session.destroy((destroyError) => {
        if (destroyError) return next(destroyError);
        res.clearCookie(SESSION_COOKIE);
        res.redirect(303, '/?disconnected=1');
      });
    });
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, html } = renderError(error);
    res.status(status).type('html').send(html);
  });

  return app;
}

/** The 10 latest transactions of the main account, or a note when this Qonto server has no transactions endpoint. */
async function latestTransactions(
  api: QontoApiClient,
  account: QontoBankAccount | undefined,
): Promise<AccountView['transactions']> {
  if (!account) return { unavailable: 'No bank account, so no transactions.' };
  const query = account.id ? { bank_account_id: account.id } : { iban: account.iban ?? '' };
  try {
    const page = await api.get<{ transactions?: TransactionRow[] }>('/v2/transactions', {
      ...query,
      per_page: 10,
      includes: ['labels', 'attachments'],
    });
    return { rows: (page.transactions ?? []).slice(0, 10) };
  } catch (error) {
    if (error instanceof QontoApiError && error.status === 404) {
      return {
        unavailable:
          'Transactions unavailable: this Qonto server answered 404 to GET /v2/transactions (the local emulator ' +
          'does not serve it yet).',
      };
    }
    throw error;
  }
}
