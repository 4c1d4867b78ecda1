import { type QontoApiClient, QontoConfigError, QontoTokenManager } from '@qonto-oauth/core';
import { APIError } from 'better-auth/api';
import { QontoAccountTokenStore, type QontoAuthContext, tokenSetOf } from './account-store.js';
import { findAccount, QONTO_PLUGIN_STATE, type QontoPluginState, qontoAccountsOf } from './plugin.js';

/** The part of a Better Auth instance {@link getQontoApi} uses (any `betterAuth({ plugins: [qonto()] })`). */
export interface QontoAuthInstance {
  api: { getSession(o: { headers: Headers }): Promise<{ user: { id: string } } | null> };
  $context: Promise<unknown>;
}

/** Options of {@link getQontoApi}. */
export interface GetQontoApiOptions {
  /** The incoming request's headers (its session cookie). */
  headers: Headers;
  /**
   * Which of the user's Qonto accounts: its Better Auth id or membership id (`auth.api.listQontoAccounts`).
   * Optional when the user has exactly one.
   */
  accountId?: string;
}

/**
 * Core's Business API client for the signed-in user's Qonto account: its tokens come from the `account` row and
 * are refreshed as needed (ahead of expiry, and once after a 401) through core's `sharedRefresh`, the same
 * single-flight `auth.api.getAccessToken` uses, with the rotated set saved back to the row.
 *
 * Throws Better Auth's `APIError`: `UNAUTHORIZED` without a session, `NOT_FOUND` (`QONTO_ACCOUNT_NOT_FOUND`) for
 * an account that is not the user's, `BAD_REQUEST` (`QONTO_ACCOUNT_REQUIRED`) when the user has several and none
 * was named. Calls on the client throw core's errors (`QontoOAuthError` with `reconnectRequired` when the user
 * must connect again).
 *
 * @example
 * const api = await getQontoApi(auth, { headers: await headers() });
 * const organization = await api.getOrganization();
 */
export async function getQontoApi(auth: QontoAuthInstance, o: GetQontoApiOptions): Promise<QontoApiClient> {
  const context = (await auth.$context) as QontoAuthContext;
  const state = pluginState(context);
  const session = await auth.api.getSession({ headers: o.headers });
  if (!session) {
    throw new APIError('UNAUTHORIZED', { message: 'getQontoApi needs a signed-in user: no session here.' });
  }
  const rows = await qontoAccountsOf(context, session.user.id);
  let row = rows[0];
  if (o.accountId !== undefined) row = findAccount(rows, o.accountId);
  else if (rows.length !== 1) {
    throw new APIError('BAD_REQUEST', {
      code: rows.length === 0 ? 'QONTO_ACCOUNT_NOT_FOUND' : 'QONTO_ACCOUNT_REQUIRED',
      message:
        rows.length === 0
          ? 'The signed-in user has no Qonto account: sign in or link with Qonto first.'
          : `The signed-in user has ${rows.length} Qonto accounts: pass accountId (see auth.api.listQontoAccounts).`,
    });
  }
  const manager = new QontoTokenManager({
    client: state.refresher,
    tokens: await tokenSetOf(row!, context),
    store: new QontoAccountTokenStore(context),
    key: row!.accountId,
  });
  return state.api(manager);
}

function pluginState(context: QontoAuthContext): QontoPluginState {
  const plugin = context.options.plugins?.find((p) => p.id === 'qonto') as
    | { [QONTO_PLUGIN_STATE]?: QontoPluginState }
    | undefined;
  const state = plugin?.[QONTO_PLUGIN_STATE];
  if (state === undefined) {
    throw new QontoConfigError(
      'getQontoApi: this Better Auth instance has no qonto() plugin. Add it: betterAuth({ plugins: [qonto()] }).',
    );
  }
  return state;
}
