import { QontoConfigError, QontoOAuthError, QontoTokenStoreError } from './errors.js';
import { RECONNECT } from './messages.js';
import { isRefreshCoordination, type RefreshCoordination } from './refresh-coordination.js';
import { type QontoTokenRefresher, sharedRefresh, singleFlight } from './shared-refresh.js';
import { MemoryTokenStore, type TokenStore } from './token-store.js';
import { isTokenExpired, type TokenSet } from './tokens.js';

export type { QontoTokenRefresher } from './shared-refresh.js';

/**
 * Coordinated refreshes running in this process, by store and then connection key and refresh token: managers built
 * per request over one shared store take its lock once between them, not once each.
 */
const coordinatedFlights = new WeakMap<RefreshCoordination, Map<string, Promise<TokenSet>>>();

/** The set each failed refresh started from, so `QontoConnections` only gives up on the chain that failed. */
const failedSets = new WeakMap<object, TokenSet>();

/** The token set whose refresh failed with `error`, when a {@link QontoTokenManager} threw it. */
export function tokensOfFailedRefresh(error: unknown): TokenSet | undefined {
  return typeof error === 'object' && error !== null ? failedSets.get(error) : undefined;
}

/** Options of {@link QontoTokenManager}. */
export interface QontoTokenManagerOptions {
  /** The OAuth client that performs the refresh (`QontoOAuthClient`). */
  client: QontoTokenRefresher;
  /**
   * The tokens to start from. Ignored when `store` already holds `key`: the stored set is newer. Optional with a
   * `store` and `key` whose set is already saved; a call then finding none throws `QontoTokenStoreError`
   * (`reconnectRequired`).
   */
  tokens?: TokenSet | undefined;
  /** Where rotated sets are saved (default: a {@link MemoryTokenStore} of this manager's own). */
  store?: TokenStore;
  /** This connection's key in `store` (default `'default'`), e.g. your user or membership id. */
  key?: string;
  /** Refresh this many seconds before the access token expires (default 60), as Qonto recommends. */
  refreshSkewSeconds?: number;
  /** Clock in epoch milliseconds (default `Date.now`); inject one in tests. */
  now?: () => number;
  /** Called with each set this manager rotated to, once it is saved in `store` (e.g. to update your own records). */
  onRotate?: ((tokens: TokenSet) => Promise<void> | void) | undefined;
}

/**
 * Keeps one Qonto connection's access token fresh.
 *
 * Qonto recommends refreshing proactively, before each call, rather than after a 401 (401s count toward
 * throttling), and rotates the refresh token on every use
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint). So the manager:
 * - refreshes `refreshSkewSeconds` before expiry;
 * - runs one refresh at a time per refresh token through {@link sharedRefresh}, shared by every concurrent caller
 *   in the process (other managers and client instances included), and reuses a rotation of the last 60 s for a
 *   caller still holding the replaced refresh token; a failure reaches every waiter and the next call tries again;
 * - saves the rotated set to the store before any caller gets it, so a crash cannot lose the new refresh token,
 *   but never over a set of another chain saved while Qonto answered (a reconnection, another process's rotation):
 *   that newer set stays and is the one returned;
 * - reads the store on every call, so processes sharing a store see each other's rotations, and once the store has
 *   held the set, a set deleted from it (a disconnect, a logout) throws `QontoTokenStoreError` (`reconnectRequired`)
 *   instead of living on in this manager or coming back with its next rotation;
 * - with a store that implements `RefreshCoordination` (`@qonto-oauth/redis`'s `RedisTokenStore`), refreshes once
 *   among every process sharing it: the others wait for the rotated set to be saved and get it.
 *
 * A refresh that fails with `invalid_grant` (refresh token expired, revoked or rotated out) throws a
 * {@link QontoOAuthError} with `reconnectRequired: true`: send the user through the authorization flow again. A
 * failed refresh whose chain was replaced in the store meanwhile (a reconnection) returns the stored set instead.
 *
 * @example
 * const manager = new QontoTokenManager({ client, tokens, store, key: userId });
 * const api = new QontoApiClient({ environment: 'sandbox', stagingToken, tokens: manager });
 */
export class QontoTokenManager {
  readonly #client: QontoTokenRefresher;
  readonly #store: TokenStore;
  readonly #key: string;
  readonly #skewSeconds: number;
  readonly #now: () => number;
  readonly #onRotate: ((tokens: TokenSet) => Promise<void> | void) | undefined;
  #current: TokenSet | undefined;
  /** Whether the store has held this connection's set: once it has, a set missing from it was deleted. */
  #stored = false;
  /** This manager's refresh-and-save per refresh token, so concurrent callers share one `store.set`. */
  readonly #inFlight = new Map<string, Promise<TokenSet>>();

  constructor(o: QontoTokenManagerOptions) {
    const stored = o?.tokens === undefined && o?.store !== undefined && o.key !== undefined;
    if (
      typeof o?.client?.refresh !== 'function' ||
      (!stored && (typeof o.tokens?.accessToken !== 'string' || typeof o.tokens.expiresAt !== 'number'))
    ) {
      throw new QontoConfigError(
        "QontoTokenManager needs { client: a QontoOAuthClient, tokens: exchangeCode()'s TokenSet } (or a `store` and `key` holding it).",
      );
    }
    const skew = o.refreshSkewSeconds ?? 60;
    if (!Number.isFinite(skew) || skew < 0) {
      throw new QontoConfigError('refreshSkewSeconds must be 0 or more seconds (default 60).');
    }
    this.#client = o.client;
    this.#store = o.store ?? new MemoryTokenStore();
    this.#key = o.key ?? 'default';
    this.#skewSeconds = skew;
    this.#now = o.now ?? Date.now;
    this.#onRotate = o.onRotate;
    this.#current = o.tokens;
  }

  /** A valid access token, refreshed first when it expires within `refreshSkewSeconds`. */
  async getAccessToken(): Promise<string> {
    return (await this.getTokens()).accessToken;
  }

  /** The current token set, refreshed first when the access token expires within `refreshSkewSeconds`. */
  getTokens(): Promise<TokenSet> {
    return this.#get(false);
  }

  /**
   * Refreshes now, whatever the expiry (e.g. after a 401, or to pick up new scopes). Joins a refresh already in
   * flight for the same refresh token. With `rejectedAccessToken` (the token an API answered 401 to), a stored set
   * that already holds another access token is returned instead: another request, or another process sharing the
   * store, rotated meanwhile, and rotating again would waste its refresh token.
   */
  refreshNow(o: { rejectedAccessToken?: string } = {}): Promise<TokenSet> {
    return this.#get(true, o.rejectedAccessToken);
  }

  /** The stored set, refreshed when it expires soon, or when `force`d unless `rejected` was already rotated out. */
  async #get(force: boolean, rejected?: string): Promise<TokenSet> {
    const stored = await this.#store.get(this.#key);
    if (stored !== undefined) this.#adopt(stored);
    else if (this.#stored) this.#current = undefined;
    const tokens = this.#current;
    if (tokens === undefined) throw this.#noTokens();
    const fresh = !isTokenExpired(tokens, { skewSeconds: this.#skewSeconds, now: this.#now });
    return fresh && (!force || (rejected !== undefined && tokens.accessToken !== rejected))
      ? tokens
      : this.#refresh(tokens);
  }

  async #refresh(tokens: TokenSet): Promise<TokenSet> {
    const refreshToken = tokens.refreshToken;
    if (!refreshToken) {
      const error = new QontoOAuthError(
        `The Qonto access token expired and there is no refresh token: \`offline_access\` was not granted. Fix: ${RECONNECT}, requesting it.`,
        { error: 'invalid_grant', reconnectRequired: true },
      );
      failedSets.set(error, tokens);
      throw error;
    }
    const store = this.#store;
    if (!isRefreshCoordination(store)) {
      return singleFlight(this.#inFlight, refreshToken, () => this.#rotate(tokens));
    }
    const flights = coordinatedFlights.get(store) ?? coordinatedFlights.set(store, new Map()).get(store)!;
    return singleFlight(flights, JSON.stringify([this.#key, refreshToken]), () =>
      store.withRefreshLock({ connection: this.#key }, async () => {
        // Another process may have rotated while this one waited for the lock: its set is the one to use.
        return (await this.#storedOfAnotherChain(refreshToken)) ?? this.#rotate(tokens);
      }),
    );
  }

  async #rotate(tokens: TokenSet): Promise<TokenSet> {
    const refreshToken = tokens.refreshToken as string;
    let rotated: TokenSet;
    try {
      rotated = await sharedRefresh(this.#client, refreshToken, { now: this.#now });
    } catch (error) {
      // Qonto refusing a refresh token whose chain was replaced meanwhile (a reconnection, another process's
      // rotation) is not this connection's failure: the stored set is the one to use.
      const newer = await this.#storedOfAnotherChain(refreshToken).catch(() => undefined);
      if (newer !== undefined) return newer;
      if (typeof error === 'object' && error !== null) failedSets.set(error, tokens);
      throw error;
    }
    // A set of another chain saved while Qonto answered (a reconnection, another process's rotation) is newer than
    // this rotation: it stays, and is the one to use.
    const newer = await this.#storedOfAnotherChain(refreshToken);
    if (newer !== undefined) return newer;
    // Saved before any caller gets it: a rotated refresh token that is lost means the user must reconnect.
    await this.#store.set(this.#key, rotated);
    this.#adopt(rotated);
    await this.#onRotate?.(rotated);
    return rotated;
  }

  /**
   * The stored set, made current, when it is not `refreshToken`'s: rotated or reconnected since it was read. Throws
   * when the store no longer holds a set it held (deleted meanwhile: a disconnect, a logout), rather than let a
   * rotation bring it back.
   */
  async #storedOfAnotherChain(refreshToken: string): Promise<TokenSet | undefined> {
    const latest = await this.#store.get(this.#key);
    if (latest === undefined) {
      if (!this.#stored) return undefined;
      this.#current = undefined;
      throw this.#noTokens();
    }
    if (latest.refreshToken === refreshToken) return undefined;
    this.#adopt(latest);
    return latest;
  }

  #adopt(stored: TokenSet): void {
    this.#current = stored;
    this.#stored = true;
  }

  #noTokens(): QontoTokenStoreError {
    return new QontoTokenStoreError(
      `No tokens are saved for connection ${JSON.stringify(this.#key)}: disconnected, revoked or never completed. Fix: ${RECONNECT}.`,
      { key: this.#key, reconnectRequired: true },
    );
  }
}
