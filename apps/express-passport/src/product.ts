import {
  fromTokenResponse,
  isQontoError,
  type QontoApiClient,
  type QontoConnections,
  type TokenSet,
} from '@qonto-oauth/core';
import {
  QontoStrategy,
  type QontoStrategyOptions,
  type QontoVerifyFunctionWithParams,
} from '@qonto-oauth/passport';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { sendCallbackOutcome } from './callback-outcome.js';
import { checkDemoCredentials, type DemoAccount, demoAccountById } from './demo-accounts.js';
import {
  loginPage,
  organizationName,
  type ProductUser,
  type SyncResult,
  settingsPage,
  transactionsPage,
} from './product-views.js';
import type { TransactionRow } from './views.js';
import type { WebhookSubscriptionStore } from './webhook-subscriptions.js';
import { ensureWebhookSubscription } from './webhooks.js';

declare module 'express-session' {
  interface SessionData {
    /** A one-time message for the next settings page ("Connected …", "Disconnected …"). */
    notice?: string;
  }
}

/** A signed-in demo account, as Passport puts it in `req.user`. */
interface DemoUser extends ProductUser {
  demoAccount: true;
}

function toDemoUser(account: DemoAccount): DemoUser {
  return { id: account.id, displayName: account.displayName, demoAccount: true };
}

/** The signed-in demo account, or `undefined` (nobody, or someone signed in with Qonto itself). */
export function demoUserOf(req: Request): DemoUser | undefined {
  const user = req.user as Partial<DemoUser> | undefined;
  return user?.demoAccount === true ? (user as DemoUser) : undefined;
}

/** What the product part of the app needs from `createApp`. */
export interface ProductOptions {
  /** The app's own Passport instance. */
  authenticator: InstanceType<typeof passport.Passport>;
  /** Core's connections over the app's store: the signed-in demo account's id is the user key. */
  connections: QontoConnections;
  /** `QontoStrategy`'s options for the connect flow: the app's credentials, with the connect callback URL. */
  connectStrategy: QontoStrategyOptions;
  /** Where webhook secrets live; with `webhookUrl` unset no subscription is made. */
  subscriptions: WebhookSubscriptionStore;
  webhookUrl: string | undefined;
  sameOrigin: RequestHandler;
  now: () => number;
}

/** The transactions shown on the sync page: the newest of those synced. */
const LATEST_SHOWN = 20;

/**
 * The sample product: its own login (two demo accounts), Settings with the signed-in account's Qonto
 * organizations (connect through `passport.authorize`, reconnect, disconnect), and a page that syncs one
 * organization's transactions through core's `paginate`.
 */
export function productRoutes(o: ProductOptions): Router {
  const { authenticator, connections, sameOrigin } = o;

  authenticator.use(
    new LocalStrategy((username, password, done) => {
      const account = checkDemoCredentials(username, password);
      done(null, account === undefined ? false : toDemoUser(account));
    }),
  );
  // Registered before the Qonto sign-in's own (de)serializer: each passes what is not a demo account along.
  authenticator.serializeUser((user, done) => {
    const demo = (user as Partial<DemoUser>).demoAccount === true ? (user as DemoUser) : undefined;
    if (demo) done(null, { demoAccount: demo.id });
    else done('pass');
  });
  authenticator.deserializeUser((stored: { demoAccount?: unknown }, done) => {
    if (stored?.demoAccount === undefined) return done('pass');
    const account = demoAccountById(stored.demoAccount);
    done(null, account === undefined ? false : toDemoUser(account));
  });
  // Used with `authorize`, not `authenticate`: the connection goes to `req.account`, and the demo account stays
  // signed in. No profile: `connections.save` reads the membership and the organization itself.
  const keepTokens: QontoVerifyFunctionWithParams = (_accessToken, _refreshToken, params, _profile, done) =>
    done(null, { tokens: fromTokenResponse(params, o.now) });
  authenticator.use(
    'qonto-connect',
    new QontoStrategy(
      { ...o.connectStrategy, sessionKey: 'qonto-connect', skipUserProfile: true },
      keepTokens,
    ),
  );

  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  /** The signed-in demo account, else a redirect to the login page. */
  const signedIn = (req: Request, res: Response): DemoUser | undefined => {
    const user = demoUserOf(req);
    if (!user) res.redirect(303, '/login');
    return user;
  };

  /** Tells the next settings page `notice`, then goes there. */
  const backToSettings = (req: Request, res: Response, notice: string) => {
    req.session.notice = notice;
    res.redirect(303, '/settings');
  };

  router.get('/login', (req, res) => {
    if (demoUserOf(req)) return res.redirect('/settings');
    res.type('html').send(loginPage());
  });

  router.post('/login', sameOrigin, form, (req, res, next) => {
    authenticator.authenticate('local', (error: unknown, user: DemoUser | false) => {
      if (error) return next(error);
      if (!user) {
        const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, 100) : '';
        res
          .status(401)
          .type('html')
          .send(loginPage({ error: 'That username and password do not open a demo account.', username }));
        return;
      }
      req.logIn(user, (loginError) => (loginError ? next(loginError) : res.redirect(303, '/settings')));
    })(req, res, next);
  });

  router.post('/logout', sameOrigin, (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect(303, '/')));
  });

  router.get('/settings', async (req, res) => {
    const user = signedIn(req, res);
    if (!user) return;
    const notice = req.session.notice;
    delete req.session.notice;
    const list = await connections.list(user.id);
    res.type('html').send(settingsPage({ user, connections: list, notice }));
  });

  router.get('/settings/qonto/connect', (req, res, next) => {
    if (!signedIn(req, res)) return;
    const organizationId = typeof req.query.organization === 'string' ? req.query.organization : undefined;
    // Reconnecting names the organization, so Qonto skips its picker.
    authenticator.authorize('qonto-connect', organizationId ? { organizationId } : {})(req, res, next);
  });

  router.get('/connect/qonto/callback', (req, res, next) => {
    const user = signedIn(req, res);
    if (!user) return;
    const finish = (
      error: unknown,
      account: { tokens: TokenSet } | false,
      _info: unknown,
      status?: number,
    ) => {
      if (error) {
        if (!sendCallbackOutcome(res, { error, query: req.query, flow: 'connection' })) next(error);
        return;
      }
      if (!account) {
        sendCallbackOutcome(res, { failureStatus: status, query: req.query, flow: 'connection' });
        return;
      }
      saveConnection(user, account.tokens).then((notice) => backToSettings(req, res, notice), next);
    };
    authenticator.authorize('qonto-connect', finish)(req, res, next);
  });

  /** Saves the connection (a reconnection replaces its tokens), then subscribes its organization's webhooks. */
  async function saveConnection(user: DemoUser, tokens: TokenSet): Promise<string> {
    const connection = await connections.save(user.id, tokens);
    const connected = `Connected ${organizationName(connection)}.`;
    if (o.webhookUrl === undefined) return connected;
    try {
      await ensureWebhookSubscription({
        api: connections.api(user.id, connection.organizationId),
        store: o.subscriptions,
        callbackUrl: o.webhookUrl,
        organizationId: connection.organizationId,
      });
      return connected;
    } catch (error) {
      const reason = isQontoError(error) ? error.message : 'see the server log';
      if (!isQontoError(error)) console.error(error);
      return (
        `${connected} Its webhook subscription failed (${reason}), so a revocation in Qonto shows here only when ` +
        'a sync fails.'
      );
    }
  }

  router.post('/settings/qonto/disconnect', sameOrigin, form, async (req, res) => {
    const user = signedIn(req, res);
    if (!user) return;
    const organizationId = typeof req.body?.organization === 'string' ? req.body.organization : '';
    const connection = await connections.get(user.id, organizationId);
    if (!connection) return backToSettings(req, res, 'That organization is not connected.');
    const { revoked, error } = await connections.disconnect(user.id, organizationId);
    const name = organizationName(connection);
    backToSettings(
      req,
      res,
      revoked
        ? `Disconnected ${name}: the consent was revoked at Qonto.`
        : `Disconnected ${name} here. Qonto did not confirm the revocation${
            error ? ` (${error.message})` : ''
          }: you can also remove the app in Qonto's connected apps.`,
    );
  });

  router.get('/organizations/:organizationId/transactions', async (req, res) => {
    const user = signedIn(req, res);
    if (!user) return;
    const { organizationId } = req.params as { organizationId: string };
    const connection = await connections.get(user.id, organizationId);
    if (!connection) return backToSettings(req, res, 'That organization is not connected.');
    if (connection.health === 'revoked' || connection.health === 'reconnect_required') {
      return backToSettings(req, res, `Reconnect ${organizationName(connection)} to sync its transactions.`);
    }
    try {
      const sync = await syncTransactions(connections.api(user.id, organizationId), o.now);
      res.type('html').send(transactionsPage({ user, connection, sync }));
    } catch (error) {
      // `api()` marked the connection when Qonto refused its refresh token (revoked, expired).
      if (isQontoError(error) && (error as { reconnectRequired?: boolean }).reconnectRequired) {
        return backToSettings(
          req,
          res,
          `Qonto no longer accepts the connection to ${organizationName(connection)}: reconnect it.`,
        );
      }
      throw error;
    }
  });

  return router;
}

/**
 * Reads every transaction of the organization's main account, page after page through `paginate` (100 a page,
 * Qonto's maximum), as a product's background sync does, and sums them up.
 */
export async function syncTransactions(api: QontoApiClient, now: () => number): Promise<SyncResult> {
  const organization = await api.getOrganization();
  const accounts = organization.bank_accounts ?? [];
  const account = accounts.find((a) => a.main) ?? accounts[0];
  const result: SyncResult = {
    accountName: account?.name ?? 'no account',
    count: 0,
    credits: 0,
    debits: 0,
    currency: account?.currency ?? 'EUR',
    latest: [],
    syncedAt: now(),
  };
  if (!account?.id) return result;
  let credits = 0;
  let debits = 0;
  const transactions = api.paginate<TransactionRow>('/v2/transactions', {
    itemsKey: 'transactions',
    query: { bank_account_id: account.id },
  });
  for await (const t of transactions) {
    result.count += 1;
    const cents = t.amount_cents ?? Math.round((t.amount ?? 0) * 100);
    if (t.side === 'debit') debits += cents;
    else credits += cents;
    if (result.latest.length < LATEST_SHOWN) result.latest.push(t);
  }
  return { ...result, credits: credits / 100, debits: debits / 100 };
}
