import {
  isQontoError,
  type QontoApiClient,
  QontoApiError,
  QontoMissingScopeError,
  QontoOAuthClient,
  QontoOAuthError,
  type QontoProfile,
  QontoTokenManager,
  type QontoTokenRefresher,
} from '@qonto-oauth/core';
import type { BetterAuthPlugin, StandardSchemaV1 } from 'better-auth';
import {
  APIError,
  createAuthEndpoint,
  createAuthMiddleware,
  getSessionFromCtx,
  sessionMiddleware,
} from 'better-auth/api';
import {
  findQontoAccountRow,
  type QontoAccountRow,
  QontoAccountTokenStore,
  type QontoAuthContext,
  tokenSetOf,
} from './account-store.js';
import { apiClientFor } from './api-client.js';
import { qontoErrorCode } from './error-codes.js';
import { type QontoOptions, resolveQontoOptions } from './options.js';
import {
  createQontoProvider,
  QONTO_PROVIDER_ID,
  type QontoLogger,
  report,
  type SignInOutcome,
  sharedRefresher,
} from './provider.js';
import { ShortLivedMap } from './short-lived-map.js';

/** What `getQontoApi` finds on the plugin object (not enumerable: Better Auth copies and logs options). */
export const QONTO_PLUGIN_STATE = Symbol.for('@qonto-oauth/better-auth.state');

/** What `getQontoApi` needs from the plugin: its refresher and a Business API client factory (no secret in sight). */
export interface QontoPluginState {
  refresher: QontoTokenRefresher;
  api(tokens: QontoTokenManager): QontoApiClient;
}

/** A Qonto connection of the signed-in user, as `auth.api.listQontoAccounts` returns it. */
export interface QontoAccount {
  /** Better Auth's id of the `account` row (what `unlinkAccount` and `getAccessToken` take in 1.7). */
  id: string;
  /** The Qonto membership id: Better Auth's `accountId` for provider `qonto`. */
  membershipId: string;
  /** The organization this membership belongs to, when `organization.read` was granted. */
  organization: { id: string; slug?: string; legalName?: string } | null;
  scopes: string[];
}

/** How long a code exchange waits for the callback hook: Better Auth calls it within the same request. */
const OUTCOME_TTL_MS = 60_000;

/**
 * "Connect with Qonto" for Better Auth: a plugin that registers the social provider `qonto`.
 *
 * ```ts
 * export const auth = betterAuth({ database, plugins: [qonto()] });
 * await authClient.signIn.social({ provider: 'qonto', callbackURL: '/dashboard' });
 * ```
 *
 * Not a `genericOAuth` config: Better Auth's own token request lower-cases the `X-Qonto-Staging-Token` header,
 * which Qonto's sandbox refuses, and refreshes without single-flight while Qonto rotates refresh tokens. Here
 * code exchange, profile and refresh go through `@qonto-oauth/core`.
 *
 * - Misconfiguration throws a `QontoConfigError` from `qonto()` itself, so the auth instance is never created.
 * - One Better Auth account per Qonto membership (`accountId` = membership id), linked to the user by email; the
 *   organization is stored on the account row (`qontoOrganizationId`, `qontoOrganizationSlug`,
 *   `qontoOrganizationName`) and listed by `auth.api.listQontoAccounts`.
 * - A failed sign-in lands on `errorCallbackURL?error=qonto_…` ({@link QontoSignInErrorCode}); the cause and fix
 *   are logged through Better Auth's logger.
 * - `auth.api.getAccessToken` refreshes through core's `sharedRefresh`: concurrent calls rotate once.
 * - `auth.api.disconnectQonto({ body: { accountId } })` revokes the consent at Qonto and removes the account.
 */
export function qonto(options: QontoOptions = {}) {
  const config = resolveQontoOptions(options);
  // Built now: a sandbox without staging token, a staging token with production, a missing secret or a bad
  // scope throw here, when the auth instance is created, not after someone consents.
  const client = new QontoOAuthClient({
    environment: config.environment,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    stagingToken: config.stagingToken,
    scopes: config.scopes,
    fetch: config.fetch,
    pkce: false,
  });
  let logger: QontoLogger = console;
  const outcomes = new ShortLivedMap<SignInOutcome>(OUTCOME_TTL_MS);
  const refresher = sharedRefresher(client, config);
  const deps = {
    config,
    client,
    refresher,
    outcomes,
    profiles: new ShortLivedMap<QontoProfile>(OUTCOME_TTL_MS),
    refreshFailures: new ShortLivedMap<unknown>(OUTCOME_TTL_MS),
    logger: () => logger,
  };
  const provider = createQontoProvider(deps);

  const plugin = {
    id: 'qonto',
    init(ctx) {
      logger = ctx.logger;
      const others = ctx.socialProviders.filter((p) => p.id !== QONTO_PROVIDER_ID);
      if (others.length !== ctx.socialProviders.length) {
        ctx.logger.warn(
          'qonto() replaces the other provider with id "qonto" (genericOAuth or socialProviders).',
        );
      }
      return { context: { socialProviders: [provider, ...others] } };
    },
    schema: {
      account: {
        fields: {
          qontoOrganizationId: { type: 'string', required: false, input: false },
          qontoOrganizationSlug: { type: 'string', required: false, input: false },
          qontoOrganizationName: { type: 'string', required: false, input: false },
        },
      },
    },
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path === '/callback/:id' && ctx.params?.id === QONTO_PROVIDER_ID,
          handler: createAuthMiddleware(async (ctx) => {
            const code = typeof ctx.query?.code === 'string' ? ctx.query.code : undefined;
            const outcome = code === undefined ? undefined : outcomes.take(code);
            if (outcome === undefined) return;
            const location = locationOf(ctx.context.returned);
            if ('error' in outcome) {
              // Better Auth reports every code-exchange failure as `invalid_code`: name the Qonto cause instead.
              const rewritten = location?.replace(
                /([?&]error=)invalid_code(?=&|#|$)/,
                `$1${qontoErrorCode(outcome.error)}`,
              );
              if (rewritten !== undefined && rewritten !== location) throw ctx.redirect(rewritten);
              return;
            }
            if (location !== undefined && /[?&]error=/.test(location)) return;
            await saveOrganization(ctx.context, outcome.profile);
          }),
        },
        {
          matcher: (ctx) => ctx.path === '/get-access-token' || ctx.path === '/refresh-token',
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned as
              | { body?: { code?: unknown; message?: unknown } }
              | undefined;
            const code = returned?.body?.code;
            if (code !== 'FAILED_TO_GET_ACCESS_TOKEN' && code !== 'FAILED_TO_REFRESH_ACCESS_TOKEN') return;
            const session = ctx.context.session ?? (await getSessionFromCtx(ctx).catch(() => null));
            const error = await refreshFailureOf(ctx.context, deps.refreshFailures, ctx.body, session);
            if (error === undefined) return;
            // Better Auth's own code stays; the Qonto cause rides along for the app to act on.
            throw new APIError('BAD_REQUEST', {
              code,
              message: `${String(returned?.body?.message ?? 'Failed')}: ${qontoErrorCode(error)}`,
              qontoError: qontoErrorCode(error),
              reconnectRequired: error instanceof QontoOAuthError && error.reconnectRequired,
            });
          }),
        },
      ],
    },
    endpoints: {
      listQontoAccounts: createAuthEndpoint(
        '/qonto/accounts',
        { method: 'GET', use: [sessionMiddleware] },
        async (ctx) => {
          const rows = await qontoAccountsOf(ctx.context, ctx.context.session.user.id);
          return ctx.json(rows.map(toQontoAccount));
        },
      ),
      disconnectQonto: createAuthEndpoint(
        '/qonto/disconnect',
        { method: 'POST', body: disconnectBody, use: [sessionMiddleware] },
        async (ctx) => {
          const rows = await qontoAccountsOf(ctx.context, ctx.context.session.user.id);
          const row = findAccount(rows, ctx.body.accountId);
          const revoked = await revokeConsent(ctx.context, client, refresher, row, deps);
          await ctx.context.internalAdapter.deleteAccount(row.id);
          // The Better Auth session stays: signing out is the app's choice (`auth.api.signOut`).
          return ctx.json({ status: true, revoked });
        },
      ),
    },
  } satisfies BetterAuthPlugin;
  Object.defineProperty(plugin, QONTO_PLUGIN_STATE, {
    value: {
      refresher,
      api: (tokens) => apiClientFor(config, tokens),
    } satisfies QontoPluginState,
    enumerable: false,
  });
  return plugin;
}

const disconnectBody: StandardSchemaV1<{ accountId: string }> = {
  '~standard': {
    version: 1,
    vendor: '@qonto-oauth/better-auth',
    validate(value) {
      const accountId = (value as { accountId?: unknown } | null)?.accountId;
      if (typeof accountId === 'string' && accountId !== '') return { value: { accountId } };
      return {
        issues: [
          {
            message:
              'accountId is missing: the id (or membership id) of one of the listQontoAccounts entries.',
            path: ['accountId'],
          },
        ],
      };
    },
  },
};

/** The signed-in user's Qonto accounts, oldest first. */
export async function qontoAccountsOf(context: QontoAuthContext, userId: string): Promise<QontoAccountRow[]> {
  const rows = (await context.internalAdapter.findAccounts(userId)) as QontoAccountRow[];
  return rows.filter((row) => row.providerId === QONTO_PROVIDER_ID);
}

/** One of `rows` by Better Auth id or membership id; a 404 naming what to pass otherwise. */
export function findAccount(rows: QontoAccountRow[], accountId: string): QontoAccountRow {
  const row = rows.find((r) => r.id === accountId || r.accountId === accountId);
  if (row !== undefined) return row;
  throw new APIError('NOT_FOUND', {
    code: 'QONTO_ACCOUNT_NOT_FOUND',
    message:
      `No Qonto account ${JSON.stringify(accountId.slice(0, 80))} belongs to the signed-in user. Pass the id or ` +
      `membershipId of one of auth.api.listQontoAccounts() (${rows.length} here).`,
  });
}

/** A row as the app sees it. */
export function toQontoAccount(row: QontoAccountRow): QontoAccount {
  let organization: QontoAccount['organization'] = null;
  if (row.qontoOrganizationId) {
    organization = { id: row.qontoOrganizationId };
    if (row.qontoOrganizationSlug) organization.slug = row.qontoOrganizationSlug;
    if (row.qontoOrganizationName) organization.legalName = row.qontoOrganizationName;
  }
  return {
    id: row.id,
    membershipId: row.accountId,
    organization,
    scopes: row.scope ? row.scope.split(/[\s,]+/).filter(Boolean) : [],
  };
}

/**
 * Revokes the consent at Qonto with a valid access token (refreshed first when needed); false when it cannot be,
 * ever: the account's token lacks `organization.read`, the scope Qonto requires there (logged, the account is
 * removed all the same; the member can revoke it in Qonto). A consent Qonto already forgot (a 401, or a refresh
 * token it refuses) counts as revoked; any other failure keeps the account and throws a 502 the app can retry.
 */
async function revokeConsent(
  context: QontoAuthContext,
  client: QontoOAuthClient,
  refresher: QontoTokenRefresher,
  row: QontoAccountRow,
  deps: { logger: () => QontoLogger },
): Promise<boolean> {
  try {
    const manager = new QontoTokenManager({
      client: refresher,
      tokens: await tokenSetOf(row, context),
      store: new QontoAccountTokenStore(context),
      key: row.accountId,
    });
    await client.revokeConsent(await manager.getAccessToken());
    return true;
  } catch (error) {
    const alreadyGone =
      (error instanceof QontoApiError && error.status === 401) ||
      (error instanceof QontoOAuthError && error.reconnectRequired);
    if (alreadyGone) return true;
    if (error instanceof QontoMissingScopeError) {
      report(
        deps,
        'Qonto disconnect could not revoke the consent; the account was removed all the same',
        error,
      );
      return false;
    }
    report(deps, 'Qonto disconnect failed, the account was kept', error);
    if (!isQontoError(error)) throw error;
    throw new APIError('BAD_GATEWAY', {
      code: 'QONTO_DISCONNECT_FAILED',
      message: `Qonto could not revoke the consent (${qontoErrorCode(error)}); nothing was removed. Try again.`,
    });
  }
}

/**
 * The Qonto failure behind a failed `getAccessToken` / `refreshToken` call, found through the refresh token of the
 * account the call selected: `{ accountId }` (the row id, Better Auth 1.7) or `{ providerId, accountId }` (the
 * membership id, 1.6), of the session's user or the `userId` a server call named.
 */
async function refreshFailureOf(
  context: QontoAuthContext,
  failures: ShortLivedMap<unknown>,
  body: unknown,
  session: { user: { id: string } } | null | undefined,
): Promise<unknown> {
  const selection = (body ?? {}) as { accountId?: unknown; providerId?: unknown; userId?: unknown };
  const userId = session?.user.id ?? selection.userId;
  if (typeof userId !== 'string' || typeof selection.accountId !== 'string') return undefined;
  if (selection.providerId !== undefined && selection.providerId !== QONTO_PROVIDER_ID) return undefined;
  const rows = await qontoAccountsOf(context, userId);
  const row = rows.find((r) => r.id === selection.accountId || r.accountId === selection.accountId);
  if (!row?.refreshToken) return undefined;
  const { refreshToken } = await tokenSetOf(row, context);
  return refreshToken === undefined ? undefined : failures.take(refreshToken);
}

/** Stores the membership's organization on its account row, so the app has it without calling Qonto. */
async function saveOrganization(context: QontoAuthContext, profile: QontoProfile): Promise<void> {
  if (profile.organization === undefined) return;
  const row = await findQontoAccountRow(context, profile.id);
  if (row === undefined) return;
  const organization: Partial<QontoAccountRow> = {
    qontoOrganizationId: profile.organization.id,
    qontoOrganizationSlug: profile.organization.slug ?? null,
    qontoOrganizationName: profile.organization.legalName ?? null,
  };
  await context.internalAdapter.updateAccount(row.id, organization as Record<string, never>);
}

/** The `Location` of a redirect the endpoint returned (an `APIError` with status FOUND), if any. */
function locationOf(returned: unknown): string | undefined {
  const headers = (returned as { headers?: unknown } | null)?.headers;
  if (headers instanceof Headers) return headers.get('location') ?? undefined;
  if (typeof headers === 'object' && headers !== null) {
    const record = headers as Record<string, unknown>;
    const value = record.Location ?? record.location;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
