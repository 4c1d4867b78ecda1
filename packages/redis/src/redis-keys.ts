/**
 * The Redis keys of the store. Every key of one connection (or one refresh token's rotation) carries the same
 * Cluster hash tag, `{…}`, so they live in one hash slot: on a Cluster, the lock and the set it guards are on one
 * node, and a script touching both runs there.
 */

/** The keys of one connection: its token set and its refresh lock. */
export interface ConnectionRedisKeys {
  tokens: string;
  lock: string;
}

export function connectionKeys(prefix: string, key: string): ConnectionRedisKeys {
  const tokens = `${prefix}connection:{${key}}`;
  return { tokens, lock: `${tokens}:lock` };
}

/** The keys of one refresh token's rotation, named by its keyed hash (never the token). */
export function rotationKeys(prefix: string, digest: string): ConnectionRedisKeys {
  const tokens = `${prefix}rotation:{${digest}}`;
  return { tokens, lock: `${tokens}:lock` };
}
