import { QontoApiClient } from './api-client.js';
import {
  type AuthorizationCallbackInput,
  callbackParams,
  callbackWithoutCode,
  parseAuthorizationCallback,
} from './callback.js';
import {
  connectionTokenKey,
  type QontoConnectionRecord,
  type QontoConnectionStore,
  type QontoPendingConnection,
} from './connection-store.js';
import type { QontoEnvironment } from './environments.js';
import {
  isQontoError,
  QontoConfigError,
  type QontoError,
  QontoOAuthError,
  QontoTokenStoreError,
  QontoUnexpectedResponseError,
} from './errors.js';
import { createQontoFetch, type QontoRetryOptions } from './fetch.js';
import { explain, RECONNECT } from './messages.js';
import { type QontoOAuthClient, stagingTokenOf } from './oauth-client.js';
import { isRefreshCoordination } from './refresh-coordination.js';
import { singleFlight } from './shared-refresh.js';
import { QontoTokenManager, type QontoTokenManagerOptions, tokensOfFailedRefresh } from './token-manager.js';
import { QONTO_REFRESH_TOKEN_LIFETIME_MS, type TokenSet } from './tokens.js';
import type { QontoWebhookEvent } from './webhooks.js';

const DAY_MS = 86_400_000;

/**
 * How a connection is doing: `reconnect_soon` when its refresh token expires within `reconnectWarningDays` (ask the
 * user to connect again before syncing stops), `reconnect_required` once it has expired or Qonto refused it.
 */
export type QontoConnectionHealth = 'active' | 'reconnect_soon' | 'reconnect_required' | 'revoked';

/**
 * A connection as `QontoConnections` returns it: the stored record, its health and the date by which the user must
 * reconnect. It never holds a token: safe to render, log or `JSON.stringify`.
 */
export type QontoConnection = QontoConnectionRecord & {
  /** When the refresh token expires: reconnect before. Absent without a refresh token. */
  reconnectBy?: number;
  health: QontoConnectionHealth;
};

/** Options of {@link QontoConnections}. */
export interface QontoConnectionsOptions {
  /** The app's OAuth client (its `redirectUri` and scopes are the defaults of `start`). */
  client: QontoOAuthClient;
  store: QontoConnectionStore;
  /** The Business API's environment (default: the client's). */
  environment?: QontoEnvironment | undefined;
  /** Sandbox only: the staging token of the Business API calls (default: the client's, when `environment` is not given). */
  stagingToken?: string | undefined;
  fetch?: typeof fetch | undefined;
  /** Per-request timeout of Business API calls in ms (default 30,000). */
  timeoutMs?: number | undefined;
  /** Retries of idempotent Business API calls (default 2), or `false`. */
  retry?: QontoRetryOptions | false | undefined;
  /** A connection is `reconnect_soon` this many days before its refresh token expires (default 14). */
  reconnectWarningDays?: number | undefined;
  /** How long a started connection waits for its callback, in ms (default 600,000: 10 minutes). */
  pendingTtlMs?: number | undefined;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
}

/**
 * Qonto organizations linked to your app's own users: a user signed in to your app connects one organization (or
 * several) in your settings page, and your app syncs it in the background for months.
 *
 * - {@link start} and {@link complete}: the OAuth dance (state, PKCE), bound to your user; the connection is keyed by
 *   (your user, Qonto organization), and connecting the same organization again replaces its tokens.
 * - {@link api}: a `QontoApiClient` whose tokens refresh and rotate in the store (once across processes with a
 *   Redis store); a refresh Qonto refuses marks the connection `reconnect_required`.
 * - {@link disconnect}: revokes the consent at Qonto, then forgets the connection.
 * - {@link handleConsentRevocation}: the `v1/consent-revocations` webhook ({@link markRevoked} when you know whom).
 *
 * Connections never carry tokens (they stay in `store.tokens`).
 */
export class QontoConnections {
  readonly #client: QontoOAuthClient;
  readonly #store: QontoConnectionStore;
  readonly #api: Omit<ConstructorParameters<typeof QontoApiClient>[0], 'tokens'>;
  readonly #warningMs: number;
  readonly #pendingTtlMs: number;
  readonly #now: () => number;
  readonly #marking = new Map<string, Promise<QontoConnectionRecord | undefined>>();

  constructor(o: QontoConnectionsOptions) {
    if (typeof o?.client?.exchangeCode !== 'function' || typeof o.store?.takePending !== 'function') {
      throw new QontoConfigError(
        'QontoConnections needs { client: a QontoOAuthClient, store: e.g. new MemoryConnectionStore() }.',
      );
    }
    this.#client = o.client;
    this.#store = o.store;
    this.#api = {
      environment: o.environment ?? o.client.endpoints,
      stagingToken: o.stagingToken ?? (o.environment === undefined ? stagingTokenOf(o.client) : undefined),
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
    };
    createQontoFetch(this.#api); // checks the options now (a sandbox needs its staging token), not at first call
    this.#warningMs = positive(o.reconnectWarningDays ?? 14, 'reconnectWarningDays') * DAY_MS;
    this.#pendingTtlMs = positive(o.pendingTtlMs ?? 600_000, 'pendingTtlMs');
    this.#now = o.now ?? Date.now;
  }

  /**
   * Starts connecting an organization for `userKey`: returns the authorize URL to send the user's browser to, and
   * keeps the state, PKCE verifier and user in the store until the callback (`pendingTtlMs`).
   */
  async start(
    userKey: string,
    o: { organizationId?: string; scopes?: string[]; redirectUri?: string } = {},
  ): Promise<{ url: string; state: string }> {
    requireId(userKey, 'userKey');
    const request = await this.#client.createAuthorizationRequest(o);
    const pending: QontoPendingConnection = defined({
      userKey,
      redirectUri: o.redirectUri ?? (this.#client.redirectUri as string),
      createdAt: this.#now(),
      codeVerifier: request.codeVerifier,
      organizationId: o.organizationId,
    });
    await this.#store.putPending(request.state, pending, this.#pendingTtlMs);
    return { url: request.url, state: request.state };
  }

  /**
   * Completes a connection from the callback Qonto redirected `userKey`'s browser to: the state must be one
   * {@link start} issued to this same user, used once, within `pendingTtlMs` (else `QontoOAuthError`
   * `invalid_state`); then the code is exchanged and the connection saved as in {@link save}.
   */
  async complete(userKey: string, callback: AuthorizationCallbackInput): Promise<QontoConnection> {
    requireId(userKey, 'userKey');
    const params = callbackParams(callback);
    // Not a redirect from Qonto (no code, no error): the started connection is kept for the real one.
    if (!params.get('code') && !params.get('error')) throw callbackWithoutCode();
    const state = params.get('state');
    const pending = state ? await this.#store.takePending(state) : undefined;
    if (pending?.userKey !== userKey) {
      throw new QontoOAuthError(
        explain(
          'The Qonto callback was refused: no connection was started with its state for this user',
          'a forged, reused or expired (pendingTtlMs) callback, or another user signed in',
          'start again',
        ),
        { error: 'invalid_state' },
      );
    }
    const { code } = parseAuthorizationCallback(params, { expectedState: state as string });
    const tokens = await this.#client.exchangeCode({
      code,
      codeVerifier: pending.codeVerifier,
      redirectUri: pending.redirectUri,
    });
    return this.save(userKey, tokens);
  }

  /**
   * Saves the tokens of an OAuth dance run elsewhere (passport.authorize, Auth.js, Better Auth) as `userKey`'s
   * connection: reads the membership and organization (scopes `membership.read`, `organization.read`), then
   * creates the connection, or replaces the tokens and status of the existing one (keeping `connectedAt`).
   */
  async save(userKey: string, tokens: TokenSet): Promise<QontoConnection> {
    requireId(userKey, 'userKey');
    if (typeof tokens?.accessToken !== 'string') {
      throw new QontoConfigError('save needs a TokenSet (from exchangeCode or fromTokenResponse).');
    }
    const api = new QontoApiClient({ ...this.#api, tokens: tokens.accessToken });
    const [membership, organization] = await Promise.all([api.getMembership(), api.getOrganization()]);
    if (typeof organization.id !== 'string' || typeof membership.id !== 'string') {
      throw new QontoUnexpectedResponseError(
        'Qonto answered GET /v2/organization or /v2/membership without an id: check the environment points at Qonto.',
      );
    }
    const now = this.#now();
    const existing = await this.#store.get(userKey, organization.id);
    const saved =
      tokens.refreshToken && tokens.refreshTokenExpiresAt === undefined
        ? { ...tokens, refreshTokenExpiresAt: now + QONTO_REFRESH_TOKEN_LIFETIME_MS }
        : tokens;
    const record: QontoConnectionRecord = defined({
      userKey,
      organizationId: organization.id,
      organization: defined({
        id: organization.id,
        slug: organization.slug,
        legalName: organization.legal_name,
      }),
      membership: defined({
        id: membership.id,
        role: membership.role,
        firstName: membership.first_name,
        lastName: membership.last_name,
        email: membership.email,
      }),
      status: 'active',
      connectedAt: existing?.connectedAt ?? now,
      updatedAt: now,
      refreshTokenExpiresAt: saved.refreshTokenExpiresAt,
    });
    // Tokens first: a record is never saved without the tokens it stands for. Under the refresh lock when the store
    // has one: a rotation of the old chain finishing meanwhile then sees these and keeps them.
    const key = connectionTokenKey(userKey, organization.id);
    await this.#locked(key, () => this.#store.tokens.set(key, saved));
    await this.#store.put(record);
    return this.#view(record);
  }

  /** The user's connections, oldest first. */
  async list(userKey: string): Promise<QontoConnection[]> {
    const records = await this.#store.list(requireId(userKey, 'userKey'));
    return records.sort((a, b) => a.connectedAt - b.connectedAt).map((r) => this.#view(r));
  }

  async get(userKey: string, organizationId: string): Promise<QontoConnection | undefined> {
    tokenKey(userKey, organizationId);
    const record = await this.#store.get(userKey, organizationId);
    return record && this.#view(record);
  }

  /**
   * A Business API client for one connection. Its tokens refresh before expiry and rotate in the store, once among
   * every process sharing it when the store coordinates refreshes (`RedisConnectionStore`). When Qonto refuses the
   * refresh (`invalid_grant`: expired, revoked) or the tokens are gone, the connection is marked
   * `reconnect_required`, its tokens deleted, and the error (`reconnectRequired: true`) thrown.
   */
  api(userKey: string, organizationId: string): QontoApiClient {
    const tokens = this.#tokens(
      tokenKey(userKey, organizationId),
      (error) => this.#failed(userKey, organizationId, error),
      (rotated) => this.#rotated(userKey, organizationId, rotated),
    );
    return new QontoApiClient({ ...this.#api, tokens });
  }

  /**
   * Disconnects an organization: revokes the consent at Qonto (`DELETE /v2/oauth2/consents`, after a refresh if the
   * access token expired), then deletes the connection and its tokens. A revocation that fails (Qonto down, tokens
   * already dead) is returned as `error` and the connection is deleted all the same: the user asked to disconnect,
   * and the app no longer holds a way in. `revoked` is true when Qonto confirmed, or a webhook already said so.
   * Qonto revokes the member's consent as a whole: once it confirmed, the app's other connections to the
   * organization made as the same member are marked `revoked` too (as {@link markRevoked} does).
   */
  async disconnect(
    userKey: string,
    organizationId: string,
  ): Promise<{ revoked: boolean; error?: QontoError }> {
    const key = tokenKey(userKey, organizationId);
    const record = await this.#store.get(userKey, organizationId);
    let result: { revoked: boolean; error?: QontoError } = { revoked: record?.status === 'revoked' };
    if (record !== undefined && !result.revoked) {
      try {
        const manager = this.#tokens(key, async (error) => error);
        await this.#client.revokeConsent(await manager.getAccessToken());
        result = { revoked: true };
      } catch (error) {
        if (!isQontoError(error)) throw error;
        result = { revoked: false, error };
      }
      // Qonto revoked the member's consent, not one connection's: the app's other users who connected this
      // organization as the same member lost theirs too.
      if (result.revoked) await this.markRevoked(organizationId, { membershipId: record.membership.id });
    }
    // The record goes first: a refresh that saves its rotation after this finds no record and deletes the tokens.
    await this.#store.delete(userKey, organizationId);
    await this.#store.tokens.delete(key);
    return result;
  }

  /**
   * Marks connections to `organizationId` revoked and deletes their tokens, keeping the records so the app can
   * tell the user, without asking Qonto: for when you know whose consent ended; narrow it with `userKey` or
   * `membershipId`, since without them it marks every user's connection to the organization. A
   * `v1/consent-revocations` webhook does not say whose consent ended: pass it to {@link handleConsentRevocation}.
   * Returns the connections marked.
   */
  async markRevoked(
    organizationId: string,
    o: { userKey?: string; membershipId?: string; reason?: string } = {},
  ): Promise<QontoConnection[]> {
    requireId(organizationId, 'organizationId');
    const records =
      o.userKey === undefined
        ? await this.#store.listByOrganization(organizationId)
        : [await this.#store.get(o.userKey, organizationId)];
    const marked: QontoConnection[] = [];
    for (const record of records) {
      if (record === undefined || (o.membershipId !== undefined && record.membership.id !== o.membershipId))
        continue;
      const revoked: QontoConnectionRecord =
        record.status === 'revoked'
          ? record
          : {
              ...record,
              status: 'revoked',
              statusReason: o.reason ?? 'consent_revoked',
              updatedAt: this.#now(),
            };
      // The record first: a refresh that saves its rotation after this finds it revoked and deletes the tokens.
      await this.#store.put(revoked);
      await this.#store.tokens.delete(connectionTokenKey(record.userKey, organizationId));
      marked.push(this.#view(revoked));
    }
    return marked;
  }

  /**
   * Applies a verified `v1/consent-revocations` webhook event (from `verifyQontoWebhook`): finds which connections
   * it ended. The event names the organization and the app (`data.client_id`), but Qonto does not document whose
   * membership its `membership_id` is, so each `active` connection to that organization is checked with one
   * Business API call (`GET /v2/membership`): those Qonto now refuses (`invalid_grant`) are marked `revoked`
   * (`consent_revoked`) and their tokens deleted; the others, another member's consent, stay active. An event of
   * another type or another app's `client_id` changes nothing. A connection whose check fails otherwise (Qonto
   * unreachable) is left as it is and returned in `unchecked`: its next sync finds out.
   */
  async handleConsentRevocation(event: QontoWebhookEvent): Promise<{
    revoked: QontoConnection[];
    unchecked: { connection: QontoConnection; error: QontoError }[];
  }> {
    const result = {
      revoked: [] as QontoConnection[],
      unchecked: [] as { connection: QontoConnection; error: QontoError }[],
    };
    const data = event?.data as { client_id?: unknown } | undefined;
    if (event?.type !== 'v1/consent-revocations' || data?.client_id !== this.#client.clientId) return result;
    const organizationId = requireId(event.organization_id, 'organizationId');
    for (const record of await this.#store.listByOrganization(organizationId)) {
      if (record.status !== 'active') continue; // already marked: nothing left to check with
      try {
        await this.api(record.userKey, organizationId).getMembership();
      } catch (error) {
        if (!isQontoError(error)) throw error;
        if (error instanceof QontoOAuthError && error.reconnectRequired) {
          result.revoked.push(...(await this.markRevoked(organizationId, { userKey: record.userKey })));
        } else {
          result.unchecked.push({ connection: this.#view(record), error });
        }
      }
    }
    return result;
  }

  /** The connection's health now, judged with `reconnectWarningDays`. */
  health(c: QontoConnectionRecord): QontoConnectionHealth {
    if (c.status !== 'active') return c.status;
    const left = (c.refreshTokenExpiresAt ?? Infinity) - this.#now();
    return left <= 0 ? 'reconnect_required' : left <= this.#warningMs ? 'reconnect_soon' : 'active';
  }

  #view(record: QontoConnectionRecord): QontoConnection {
    const reconnectBy = record.refreshTokenExpiresAt;
    return { ...record, health: this.health(record), ...(reconnectBy !== undefined && { reconnectBy }) };
  }

  /** The token manager of one connection, its failures passed through `failed` before its caller gets them. */
  #tokens(
    key: string,
    failed: (error: unknown) => Promise<unknown>,
    onRotate?: QontoTokenManagerOptions['onRotate'],
  ): QontoTokenManager {
    return new ConnectionTokenManager(
      { client: this.#client, store: this.#store.tokens, key, now: this.#now, onRotate },
      failed,
    );
  }

  /**
   * After a rotation was saved: the record's refresh-token horizon follows it. A connection revoked, marked or
   * deleted while the refresh was in flight does not get its tokens back: the rotated set is deleted again.
   */
  async #rotated(userKey: string, organizationId: string, rotated: TokenSet): Promise<void> {
    const kept = await this.#update(userKey, organizationId, (r) =>
      r.status === 'active' ? { ...r, refreshTokenExpiresAt: rotated.refreshTokenExpiresAt } : undefined,
    );
    if (!kept) await this.#store.tokens.delete(connectionTokenKey(userKey, organizationId));
  }

  /**
   * Runs `task` under the connection's refresh lock when the token store coordinates refreshes across processes,
   * so it cannot interleave with a refresh's check-then-save. A waiter may be handed the failure of the refresh it
   * waited on (`RefreshCoordination` allows it); that failure is not this task's, so it takes the lock again. A
   * failure of the lock itself (the store unreachable, a holder stuck) is thrown as is.
   */
  async #locked(key: string, task: () => Promise<void>): Promise<void> {
    const tokens = this.#store.tokens;
    if (!isRefreshCoordination(tokens)) return task();
    for (let attempt = 1; ; attempt++) {
      let ran = false;
      try {
        return await tokens.withRefreshLock({ connection: key }, () => {
          ran = true;
          return task();
        });
      } catch (error) {
        const lockFailed = error instanceof QontoTokenStoreError && !error.reconnectRequired;
        if (ran || lockFailed || attempt >= 3) throw error;
      }
    }
  }

  /** Saves `change` of the stored record; false when there is no record or `change` leaves it as it is. */
  async #update(
    userKey: string,
    organizationId: string,
    change: (record: QontoConnectionRecord) => QontoConnectionRecord | undefined,
  ): Promise<boolean> {
    const record = await this.#store.get(userKey, organizationId);
    const changed = record && change(record);
    if (changed === undefined) return false;
    await this.#store.put({ ...changed, updatedAt: this.#now() });
    return true;
  }

  /**
   * What the caller of a failed `api()` call gets: a `reconnectRequired` failure first marks the connection (once
   * however many callers failed together); a connection already marked says so instead of "no tokens".
   */
  async #failed(userKey: string, organizationId: string, error: unknown): Promise<unknown> {
    if (!isQontoError(error) || (error as { reconnectRequired?: unknown }).reconnectRequired !== true)
      return error;
    const key = connectionTokenKey(userKey, organizationId);
    const failed = tokensOfFailedRefresh(error);
    let record: QontoConnectionRecord | undefined;
    try {
      record = await singleFlight(this.#marking, key, async () => {
        const statusReason = error instanceof QontoOAuthError ? error.error : 'tokens_missing';
        await this.#locked(key, async () => {
          // A reconnection saved since the call failed is not what failed: it stays, and so does the connection.
          const stored = await this.#store.tokens.get(key).catch(() => undefined);
          if (stored !== undefined && stored.accessToken !== failed?.accessToken) return;
          await this.#update(userKey, organizationId, (r) =>
            r.status === 'active' ? { ...r, status: 'reconnect_required', statusReason } : undefined,
          );
          await this.#store.tokens.delete(key);
        });
        return this.#store.get(userKey, organizationId);
      });
    } catch {
      return error; // The store failed too: the original error still says to reconnect.
    }
    return error instanceof QontoTokenStoreError && record !== undefined && record.status !== 'active'
      ? new QontoTokenStoreError(
          `The Qonto connection of user ${JSON.stringify(userKey)} to organization ${JSON.stringify(organizationId)} ` +
            `is ${record.status} (${record.statusReason}). Fix: ${RECONNECT}.`,
          { key, reconnectRequired: true },
        )
      : error;
  }
}

/** A token manager whose failures go through the connections before its caller gets them. */
class ConnectionTokenManager extends QontoTokenManager {
  readonly #failed: (error: unknown) => Promise<unknown>;

  constructor(o: QontoTokenManagerOptions, failed: (error: unknown) => Promise<unknown>) {
    super(o);
    this.#failed = failed;
  }

  override async getTokens(): Promise<TokenSet> {
    try {
      return await super.getTokens();
    } catch (error) {
      throw await this.#failed(error);
    }
  }

  override async refreshNow(o?: { rejectedAccessToken?: string }): Promise<TokenSet> {
    try {
      return await super.refreshNow(o);
    } catch (error) {
      throw await this.#failed(error);
    }
  }
}

/** The connection's key in the token store, once both ids are checked. */
function tokenKey(userKey: string, organizationId: string): string {
  return connectionTokenKey(requireId(userKey, 'userKey'), requireId(organizationId, 'organizationId'));
}

function requireId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new QontoConfigError(`${name} must be a non-empty string.`);
  }
  return value;
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new QontoConfigError(`${name} must be a number above 0.`);
  return value;
}

/** `o` without its undefined or empty fields, so records stay small and JSON round-trips them unchanged. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}
