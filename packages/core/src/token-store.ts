import type { TokenSet } from './tokens.js';

/**
 * Where a {@link QontoTokenManager} keeps the tokens of each connection between calls and processes.
 *
 * Qonto rotates the refresh token on every refresh and invalidates the previous one 60 s later
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint), so `set` must
 * persist the whole set durably before it resolves: a rotated refresh token that is lost means the user has to
 * connect again. Implement it over your database, Redis or session; {@link MemoryTokenStore} is the in-process one.
 * A store that several processes share can also implement `RefreshCoordination`, so that they refresh a
 * connection once among them (`@qonto-oauth/redis`'s `RedisTokenStore` does).
 */
export interface TokenStore {
  /** The stored set for `key`, or `undefined` when there is none. */
  get(key: string): Promise<TokenSet | undefined>;
  /** Saves `tokens` under `key`, replacing any previous set. Resolve only once the write is durable. */
  set(key: string, tokens: TokenSet): Promise<void>;
  /** Forgets `key` (after a disconnect, or when the user must reconnect). */
  delete(key: string): Promise<void>;
}

/**
 * A {@link TokenStore} in this process's memory: fine for tests, scripts and a single server process; tokens are
 * lost on restart and not shared between processes. Sets are copied in and out, so a caller mutating the object
 * it got back cannot change what is stored.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #sets = new Map<string, TokenSet>();

  async get(key: string): Promise<TokenSet | undefined> {
    const tokens = this.#sets.get(key);
    return tokens && copyTokenSet(tokens);
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    this.#sets.set(key, copyTokenSet(tokens));
  }

  async delete(key: string): Promise<void> {
    this.#sets.delete(key);
  }
}

/** A copy of `tokens` whose changes do not reach the original. */
export function copyTokenSet(tokens: TokenSet): TokenSet {
  return { ...tokens, scopes: [...tokens.scopes] };
}
