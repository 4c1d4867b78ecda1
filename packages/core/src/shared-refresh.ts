import { QontoOAuthError } from './errors.js';
import { refreshAcrossProcesses, type SharedRefreshCoordination } from './refresh-coordination.js';
import { copyTokenSet } from './token-store.js';
import type { TokenSet } from './tokens.js';

/**
 * What {@link sharedRefresh} and `QontoTokenManager` need from an OAuth client: `QontoOAuthClient` fits, and so
 * does anything else that trades a refresh token for a rotated {@link TokenSet}.
 */
export interface QontoTokenRefresher {
  refresh(refreshToken: string): Promise<TokenSet>;
}

/**
 * How long a rotation is remembered: Qonto's grace period, during which the replaced refresh token still works
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint). Past it, the old
 * token is dead at Qonto too, so remembering longer would only keep tokens in memory.
 */
export const ROTATION_GRACE_MS = 60_000;

/** Refreshes running now, by {@link refreshKey}. */
const inFlight = new Map<string, Promise<TokenSet>>();

/** Rotations of the last {@link ROTATION_GRACE_MS}, by the key of the refresh token they replaced. */
const recent = new Map<string, { at: number; tokens: TokenSet; timer: ReturnType<typeof setTimeout> }>();

/** A stable id for refreshers that do not say which token endpoint and client they use. */
const refresherIds = new WeakMap<QontoTokenRefresher, number>();
let lastRefresherId = 0;

/**
 * Trades `refreshToken` for a rotated set once per process, however many callers and client instances ask:
 * - concurrent calls for the same token endpoint, client id and refresh token share one request, even from
 *   different `QontoOAuthClient` instances (an app that builds a client or a token manager per HTTP request);
 * - for 60 s after a rotation (Qonto's grace period), a call still carrying the replaced refresh token gets that
 *   rotation's set instead of rotating again (a request that left before the new cookie or row arrived);
 * - a failure reaches every waiter and is not remembered: the next call tries again. `invalid_grant` always comes
 *   out as a `QontoOAuthError` with `reconnectRequired: true`.
 *
 * The set returned always has a `refreshToken` (the old one if a server ever omits the new one). Save it before
 * using it: the replaced token stops working 60 s later. Remembered sets are dropped after 60 s (on a timer that
 * does not keep the process alive), so tokens never stay in this memory longer than Qonto's grace period.
 *
 * `now` (default `Date.now`) is the clock the 60 s are measured with; inject one in tests.
 *
 * With `coordination` (a store implementing `RefreshCoordination`, such as `@qonto-oauth/redis`'s, and a secret
 * every process shares), both guarantees hold across every process sharing that store: one process refreshes, the
 * others wait for its rotation and get it, and the rotation is remembered there for 60 s under a keyed hash of the
 * replaced refresh token (never the token itself).
 *
 * @see https://docs.qonto.com/get-started/business-api/authentication/oauth/refresh-token-endpoint
 */
export function sharedRefresh(
  client: QontoTokenRefresher,
  refreshToken: string,
  o: { now?: (() => number) | undefined; coordination?: SharedRefreshCoordination | undefined } = {},
): Promise<TokenSet> {
  const now = o.now ?? Date.now;
  const key = refreshKey(client, refreshToken);
  const remembered = recent.get(key);
  if (remembered !== undefined) {
    const age = now() - remembered.at;
    if (age >= 0 && age < ROTATION_GRACE_MS) return Promise.resolve(copyTokenSet(remembered.tokens));
    forget(key);
  }
  return singleFlight(inFlight, key, async () => {
    const refresh = async (): Promise<TokenSet> => {
      const rotated = await client.refresh(refreshToken);
      // Qonto always rotates, but keep the old refresh token if a server ever omits the new one.
      return rotated.refreshToken === undefined ? { ...rotated, refreshToken } : rotated;
    };
    let rotated: TokenSet;
    try {
      rotated =
        o.coordination === undefined
          ? await refresh()
          : await refreshAcrossProcesses(
              o.coordination,
              refreshKey(client, refreshToken, true),
              ROTATION_GRACE_MS,
              refresh,
            );
    } catch (error) {
      throw asReconnectRequired(error);
    }
    remember(key, now(), rotated);
    return rotated;
  });
}

/**
 * Runs `task` once per `key` at a time: callers arriving while it runs share its promise, and the entry is
 * forgotten once it settles, whatever the outcome, so a failure is retried by the next call.
 */
export function singleFlight<T>(
  running: Map<string, Promise<T>>,
  key: string,
  task: () => Promise<T>,
): Promise<T> {
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
 * Token endpoint, client id and refresh token: what identifies one rotation at Qonto. A custom refresher is known
 * in this process by an id of its own (shared by the callers of that object only), and `acrossProcesses` by its
 * refresh token alone.
 */
function refreshKey(client: QontoTokenRefresher, refreshToken: string, acrossProcesses = false): string {
  const { endpoints, clientId } = client as { endpoints?: { tokenUrl?: unknown }; clientId?: unknown };
  let app: unknown[] =
    typeof endpoints?.tokenUrl === 'string' && typeof clientId === 'string'
      ? [endpoints.tokenUrl, clientId]
      : [];
  if (app.length === 0 && !acrossProcesses) {
    if (!refresherIds.has(client)) refresherIds.set(client, ++lastRefresherId);
    app = [refresherIds.get(client)];
  }
  return JSON.stringify([...app, refreshToken]);
}

function remember(key: string, at: number, tokens: TokenSet): void {
  forget(key);
  const timer = setTimeout(() => {
    if (recent.get(key)?.timer === timer) recent.delete(key);
  }, ROTATION_GRACE_MS);
  // Node: do not keep a script alive for a remembered rotation. Other runtimes have no unref and need none.
  (timer as { unref?: () => void }).unref?.();
  recent.set(key, { at, tokens: copyTokenSet(tokens), timer });
}

function forget(key: string): void {
  const entry = recent.get(key);
  if (entry === undefined) return;
  clearTimeout(entry.timer);
  recent.delete(key);
}

/** `invalid_grant` on refresh always means the user must reconnect, whichever client reported it. */
function asReconnectRequired(error: unknown): unknown {
  if (!(error instanceof QontoOAuthError) || error.error !== 'invalid_grant' || error.reconnectRequired) {
    return error;
  }
  return new QontoOAuthError(error.message, { ...error, reconnectRequired: true });
}
