import { base64url, hmacKey } from './pkce.js';
import type { TokenSet } from './tokens.js';

/**
 * What a refresh lock guards: one connection's stored set (the `key` of `TokenStore.get`/`set`), or one refresh
 * token of an app that keeps tokens in a session rather than a store, named by a keyed hash of the token.
 */
export type RefreshLockTarget = { connection: string } | { rotation: string };

/**
 * The optional capability a `TokenStore` implements to make refreshes single-flight across every process
 * that shares it (several web instances, a worker, a cron job on one Qonto connection). Qonto rotates the refresh
 * token on every refresh and keeps the replaced one valid for 60 s
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint): processes that
 * refresh the same token each mint a chain of their own, and all but one die a minute later.
 *
 * `QontoTokenManager` and `sharedRefresh` use it when the store has it ({@link isRefreshCoordination}); a store
 * without it keeps in-process single-flight only. `@qonto-oauth/redis` implements it.
 */
export interface RefreshCoordination {
  /**
   * Runs `task` while this process holds the refresh lock of `target` among every process sharing the store, and
   * returns (or throws) what `task` did. While another process holds it, waits, and takes it as soon as it is
   * released (or once its lease runs out, should the holder die). An implementation renews its lease while `task`
   * runs, keeps lease plus request timeout well under Qonto's 60 s grace (so a process taking over from a dead
   * holder still refreshes inside it), and releases only a lock it still owns. When `task` fails while others
   * wait, it may hand them the same failure rather than let each try in turn; a call made after it tries again.
   */
  withRefreshLock<T>(target: RefreshLockTarget, task: () => Promise<T>): Promise<T>;
  /** The set remembered by {@link rememberRotation} for `rotation` within its time to live, if any. */
  recallRotation(rotation: string): Promise<TokenSet | undefined>;
  /** Remembers `tokens` as what replaced the refresh token named `rotation`, for `ttlMs` milliseconds. */
  rememberRotation(rotation: string, tokens: TokenSet, ttlMs: number): Promise<void>;
}

/** True when `store` implements {@link RefreshCoordination}. */
export function isRefreshCoordination(store: unknown): store is RefreshCoordination {
  const candidate = store as Partial<RefreshCoordination> | null | undefined;
  return (
    typeof candidate?.withRefreshLock === 'function' &&
    typeof candidate.recallRotation === 'function' &&
    typeof candidate.rememberRotation === 'function'
  );
}

/** How `sharedRefresh` coordinates a refresh token across processes when no connection key names it. */
export interface SharedRefreshCoordination {
  /** The store that holds the lock and the rotation memory, e.g. a `RedisTokenStore`. */
  store: RefreshCoordination;
  /**
   * The key of the hash that names a refresh token in the store (the token itself never goes there): a secret
   * every process of the app shares, such as the OAuth client secret.
   */
  secret: string;
}

/**
 * Trades a refresh token for a rotated set once among every process sharing `coordination.store`: a rotation of
 * the last `graceMs` is handed out again, else the first process to take the lock refreshes and remembers the
 * result for `graceMs` before releasing it, and the others then find it.
 */
export async function refreshAcrossProcesses(
  coordination: SharedRefreshCoordination,
  identity: string,
  graceMs: number,
  refresh: () => Promise<TokenSet>,
): Promise<TokenSet> {
  const { store } = coordination;
  const rotation = await keyedDigest(coordination.secret, identity);
  const remembered = await store.recallRotation(rotation);
  if (remembered !== undefined) return remembered;
  return store.withRefreshLock({ rotation }, async () => {
    const rotatedMeanwhile = await store.recallRotation(rotation);
    if (rotatedMeanwhile !== undefined) return rotatedMeanwhile;
    const rotated = await refresh();
    await store.rememberRotation(rotation, rotated, graceMs);
    return rotated;
  });
}

/** HMAC-SHA-256 of `data` under `secret`, base64url: a name for a refresh token that does not reveal it. */
async function keyedDigest(secret: string, data: string): Promise<string> {
  const signed = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret, 'sign'),
    new TextEncoder().encode(data),
  );
  return base64url(new Uint8Array(signed));
}
