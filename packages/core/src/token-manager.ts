import { QontoConfigError, QontoOAuthError } from './errors.js';
import { MemoryTokenStore, type TokenStore } from './token-store.js';
import { isTokenExpired, type TokenSet } from './tokens.js';

/**
 * What {@link QontoTokenManager} needs from an OAuth client: `QontoOAuthClient` fits, and so does anything else
 * that trades a refresh token for a rotated {@link TokenSet}.
 */
export interface QontoTokenRefresher {
  refresh(refreshToken: string): Promise<TokenSet>;
}

/** Options of {@link QontoTokenManager}. */
export interface QontoTokenManagerOptions {
  /** The OAuth client that performs the refresh (`QontoOAuthClient`). */
  client: QontoTokenRefresher;
  /** The tokens to start from. Ignored when `store` already holds `key`: the stored set is newer. */
  tokens: TokenSet;
  /** Where rotated sets are saved (default: a {@link MemoryTokenStore} of this manager's own). */
  store?: TokenStore;
  /** This connection's key in `store` (default `'default'`), e.g. your user or membership id. */
  key?: string;
  /** Refresh this many seconds before the access token expires (default 60), as Qonto recommends. */
  refreshSkewSeconds?: number;
  /** Clock in epoch milliseconds (default `Date.now`); inject one in tests. */
  now?: () => number;
}

/**
 * Keeps one Qonto connection's access token fresh.
 *
 * Qonto recommends refreshing proactively, before each call, rather than after a 401 (401s count toward
 * throttling), and rotates the refresh token on every use
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint). So the manager:
 * - refreshes `refreshSkewSeconds` before expiry;
 * - runs one refresh at a time per refresh token, shared by every concurrent caller; a failure reaches every
 *   waiter and the next call tries again;
 * - saves the rotated set to the store before any caller gets it, so a crash cannot lose the new refresh token;
 * - reads the store on every call, so processes sharing a store see each other's rotations.
 *
 * A refresh that fails with `invalid_grant` (refresh token expired, revoked or rotated out) throws a
 * {@link QontoOAuthError} with `reconnectRequired: true`: send the user through the authorization flow again.
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
  #current: TokenSet;
  /** The last rotation, so a caller holding the previous set gets its result instead of rotating again. */
  #lastRotation: { from: string; to: TokenSet } | undefined;
  readonly #inFlight = new Map<string, Promise<TokenSet>>();

  constructor(o: QontoTokenManagerOptions) {
    if (typeof o?.client?.refresh !== 'function') {
      throw new QontoConfigError(
        'QontoTokenManager needs `client`: a QontoOAuthClient (anything with refresh()).',
      );
    }
    if (typeof o.tokens?.accessToken !== 'string' || typeof o.tokens.expiresAt !== 'number') {
      throw new QontoConfigError(
        'QontoTokenManager needs `tokens`: the TokenSet returned by exchangeCode() (accessToken and expiresAt).',
      );
    }
    const skew = o.refreshSkewSeconds ?? 60;
    if (!Number.isFinite(skew) || skew < 0) {
      throw new QontoConfigError('refreshSkewSeconds must be a number of seconds, 0 or more (default 60).');
    }
    this.#client = o.client;
    this.#store = o.store ?? new MemoryTokenStore();
    this.#key = o.key ?? 'default';
    this.#skewSeconds = skew;
    this.#now = o.now ?? Date.now;
    this.#current = o.tokens;
  }

  /** A valid access token, refreshed first when it expires within `refreshSkewSeconds`. */
  async getAccessToken(): Promise<string> {
    return (await this.getTokens()).accessToken;
  }

  /** The current token set, refreshed first when the access token expires within `refreshSkewSeconds`. */
  async getTokens(): Promise<TokenSet> {
    const tokens = await this.#load();
    if (!isTokenExpired(tokens, { skewSeconds: this.#skewSeconds, now: this.#now })) return tokens;
    return this.#refresh(tokens);
  }

  /**
   * Refreshes now, whatever the expiry (e.g. after a 401, or to pick up new scopes). Joins a refresh already in
   * flight for the same refresh token.
   */
  async refreshNow(): Promise<TokenSet> {
    return this.#refresh(await this.#load());
  }

  async #load(): Promise<TokenSet> {
    const stored = await this.#store.get(this.#key);
    if (stored !== undefined) this.#current = stored;
    return this.#current;
  }

  #refresh(tokens: TokenSet): Promise<TokenSet> {
    const refreshToken = tokens.refreshToken;
    if (refreshToken === undefined || refreshToken === '') {
      return Promise.reject(
        new QontoOAuthError(
          'The Qonto access token has expired and there is no refresh token to renew it. Request the ' +
            '`offline_access` scope to get one; until then the user must connect with Qonto again.',
          { error: 'invalid_grant', reconnectRequired: true },
        ),
      );
    }
    // A caller that read the set just before a rotation landed gets that rotation's result, not a second one.
    const last = this.#lastRotation;
    if (last?.from === refreshToken && last.to.refreshToken !== refreshToken) {
      if (!isTokenExpired(last.to, { skewSeconds: this.#skewSeconds, now: this.#now })) {
        return Promise.resolve(last.to);
      }
      return this.#refresh(last.to);
    }
    return singleFlight(this.#inFlight, refreshToken, async () => {
      let rotated = await refreshOnce(this.#client, refreshToken);
      // Qonto always rotates, but keep the old refresh token if a server ever omits the new one.
      if (rotated.refreshToken === undefined) rotated = { ...rotated, refreshToken };
      await this.#store.set(this.#key, rotated);
      this.#current = rotated;
      this.#lastRotation = { from: refreshToken, to: rotated };
      return rotated;
    });
  }
}

/**
 * Runs `task` once per `key` at a time: callers arriving while it runs share its promise, and the entry is
 * forgotten once it settles, whatever the outcome, so a failure is retried by the next call.
 */
function singleFlight<T>(running: Map<string, Promise<T>>, key: string, task: () => Promise<T>): Promise<T> {
  const existing = running.get(key);
  if (existing !== undefined) return existing;
  const promise = task();
  running.set(key, promise);
  const forget = () => {
    if (running.get(key) === promise) running.delete(key);
  };
  promise.then(forget, forget);
  return promise;
}

/**
 * Refreshes in flight per OAuth client and refresh token, shared by every manager using that client: an app that
 * builds a manager per HTTP request still sends one refresh for concurrent requests of the same user.
 */
const refreshesInFlight = new WeakMap<QontoTokenRefresher, Map<string, Promise<TokenSet>>>();

function refreshOnce(client: QontoTokenRefresher, refreshToken: string): Promise<TokenSet> {
  let running = refreshesInFlight.get(client);
  if (running === undefined) {
    running = new Map();
    refreshesInFlight.set(client, running);
  }
  return singleFlight(running, refreshToken, async () => {
    try {
      return await client.refresh(refreshToken);
    } catch (error) {
      throw asReconnectRequired(error);
    }
  });
}

/** `invalid_grant` on refresh always means the user must reconnect, whichever client reported it. */
function asReconnectRequired(error: unknown): unknown {
  if (!(error instanceof QontoOAuthError) || error.error !== 'invalid_grant' || error.reconnectRequired) {
    return error;
  }
  return new QontoOAuthError(error.message, {
    error: error.error,
    errorDescription: error.errorDescription,
    hint: error.hint,
    reconnectRequired: true,
    status: error.status,
  });
}
