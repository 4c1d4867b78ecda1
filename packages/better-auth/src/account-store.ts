import type { TokenSet, TokenStore } from '@qonto-oauth/core';
import type { AuthContext } from 'better-auth';
import { decryptOAuthToken, setTokenUtil } from 'better-auth/oauth2';
import { QONTO_PROVIDER_ID } from './provider.js';

/** The columns of Better Auth's `account` row this package reads and writes. */
export interface QontoAccountRow {
  /** Better Auth's id of the row. */
  id: string;
  userId: string;
  providerId: string;
  /** The Qonto membership id. */
  accountId: string;
  accessToken?: string | null;
  refreshToken?: string | null;
  idToken?: string | null;
  accessTokenExpiresAt?: Date | string | null;
  scope?: string | null;
  createdAt?: Date | string;
  qontoOrganizationId?: string | null;
  qontoOrganizationSlug?: string | null;
  qontoOrganizationName?: string | null;
}

/** Better Auth's context (`auth.$context`, `ctx.context` in endpoints and hooks). */
export type QontoAuthContext = AuthContext;

/**
 * Core's {@link TokenStore} over Better Auth's `account` rows of provider `qonto`, keyed by membership id: core's
 * `QontoTokenManager` reads the row on each call and saves each rotated set to it, encrypted when Better Auth's
 * `account.encryptOAuthTokens` is on, so `auth.api.getAccessToken` sees the same tokens.
 */
export class QontoAccountTokenStore implements TokenStore {
  readonly #context: QontoAuthContext;

  constructor(context: QontoAuthContext) {
    this.#context = context;
  }

  async get(membershipId: string): Promise<TokenSet | undefined> {
    const row = await this.#row(membershipId);
    return row === undefined ? undefined : tokenSetOf(row, this.#context);
  }

  async set(membershipId: string, tokens: TokenSet): Promise<void> {
    const row = await this.#row(membershipId);
    if (row === undefined) return;
    await this.#context.internalAdapter.updateAccount(row.id, {
      accessToken: await setTokenUtil(tokens.accessToken, this.#context),
      accessTokenExpiresAt: new Date(tokens.expiresAt),
      ...(tokens.refreshToken === undefined
        ? {}
        : { refreshToken: await setTokenUtil(tokens.refreshToken, this.#context) }),
      ...(tokens.idToken === undefined ? {} : { idToken: tokens.idToken }),
    });
  }

  async delete(membershipId: string): Promise<void> {
    const row = await this.#row(membershipId);
    if (row !== undefined) await this.#context.internalAdapter.deleteAccount(row.id);
  }

  #row(membershipId: string): Promise<QontoAccountRow | undefined> {
    return findQontoAccountRow(this.#context, membershipId);
  }
}

/**
 * The `account` row of a membership. Through the database adapter: Better Auth's internal lookup by provider
 * and account id changed name in 1.7 (`findAccountByProviderId` → `findAccountByKey`).
 */
export async function findQontoAccountRow(
  context: QontoAuthContext,
  membershipId: string,
): Promise<QontoAccountRow | undefined> {
  const row = await context.adapter.findOne<QontoAccountRow>({
    model: 'account',
    where: [
      { field: 'providerId', value: QONTO_PROVIDER_ID },
      { field: 'accountId', value: membershipId },
    ],
  });
  return row ?? undefined;
}

/** A row's tokens as core's {@link TokenSet} (decrypted). */
export async function tokenSetOf(row: QontoAccountRow, context: QontoAuthContext): Promise<TokenSet> {
  const tokens: TokenSet = {
    accessToken: (await decryptOAuthToken(row.accessToken ?? '', context)) ?? '',
    tokenType: 'bearer',
    scopes: row.scope ? row.scope.split(/[\s,]+/).filter(Boolean) : [],
    // A row without an expiry is treated as expired: the manager refreshes it.
    expiresAt: row.accessTokenExpiresAt ? new Date(row.accessTokenExpiresAt).getTime() : 0,
  };
  const refreshToken = row.refreshToken ? await decryptOAuthToken(row.refreshToken, context) : undefined;
  if (refreshToken) tokens.refreshToken = refreshToken;
  if (row.idToken) tokens.idToken = row.idToken;
  return tokens;
}
