import { QontoTokenStoreError, redactSecrets } from '@qonto-oauth/core';
import type { Cluster, Redis } from 'ioredis';

/** Where the store's Redis is, for error messages: host, port and database, never a password. */
export function describeRedis(client: Redis | Cluster): string {
  if (client.isCluster) {
    // ioredis keeps the nodes it was given on a field its types mark private.
    const startup = (client as unknown as { startupNodes?: unknown }).startupNodes;
    const nodes = Array.isArray(startup) ? startup.map(describeNode) : [];
    return nodes.length > 0 ? `Redis Cluster ${nodes.join(', ')}` : 'Redis Cluster';
  }
  const { host, port, db, path } = (client as Redis).options;
  if (path) return `Redis at ${path}`;
  return `Redis at ${host ?? '127.0.0.1'}:${port ?? 6379}${db ? ` (db ${db})` : ''}`;
}

function describeNode(node: unknown): string {
  if (typeof node === 'number') return `127.0.0.1:${node}`;
  if (typeof node === 'string') {
    try {
      const url = new URL(node.includes('://') ? node : `redis://${node}`);
      return `${url.hostname}:${url.port || 6379}`;
    } catch {
      return 'a node';
    }
  }
  const { host, port } = (node ?? {}) as { host?: string; port?: number };
  return `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/**
 * A failed Redis command as a {@link QontoTokenStoreError} naming Redis and what was being done, with the
 * client's reason scrubbed of `secrets` (a reply error may echo what it received). The client's error is not kept
 * as `cause`: ioredis attaches the command it sent, tokens included.
 */
export function redisFailure(
  error: unknown,
  o: {
    redis: string;
    doing: string;
    key?: string | undefined;
    /** The client's last connection error, which says more than "max retries reached". */
    connectionError?: Error | undefined;
    secrets?: Iterable<string | undefined>;
  },
): QontoTokenStoreError {
  const gaveUp = error instanceof Error && error.name === 'MaxRetriesPerRequestError';
  const reason = gaveUp
    ? `no connection${o.connectionError === undefined ? '' : `: ${reasonOf(o.connectionError)}`}`
    : error instanceof Error
      ? reasonOf(error)
      : 'unknown error';
  return new QontoTokenStoreError(
    `${o.redis} failed while ${o.doing} (${redactSecrets(reason, o.secrets ?? [])}). The tokens stored there ` +
      'are untouched: check that Redis is running and reachable from this process (host, port, password, ' +
      'TLS), then try again.',
    { key: o.key },
  );
}

function reasonOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const message = error.message.length > 200 ? `${error.message.slice(0, 200)}…` : error.message;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
