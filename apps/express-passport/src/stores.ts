import {
  MemoryConnectionStore,
  MemoryTokenStore,
  type QontoConnectionStore,
  type TokenStore,
} from '@qonto-oauth/core';
import { RedisConnectionStore, RedisTokenStore } from '@qonto-oauth/redis';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { Redis } from 'ioredis';
import {
  MemoryWebhookSubscriptionStore,
  RedisWebhookSubscriptionStore,
  type WebhookSubscriptionStore,
} from './webhook-subscriptions.js';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in connection: the key of its TokenSet in the app's token store (never a token itself). */
    qonto?: { connection: string };
  }
}

/** Where the app keeps sessions and each connection's TokenSet. */
export interface AppStores {
  sessionStore: session.Store;
  /** Holds each connection's TokenSet under a random key the session names; rotated sets are saved here. */
  tokenStore: TokenStore;
  /** The demo accounts' Qonto connections (records and their tokens). */
  connectionStore: QontoConnectionStore;
  /** Webhook subscriptions and their signing secrets. */
  webhookSubscriptions: WebhookSubscriptionStore;
  /** One line for the start-up log (never the Redis URL: it may hold a password). */
  description: string;
  /** Closes the Redis connections, if any. */
  close(): Promise<void>;
}

/** Keys of this app in a Redis it may share with other apps. */
const KEY_PREFIX = 'example-express-passport:';

/** In this process's memory: one instance only, everything lost on restart (`pnpm demo`). */
export function memoryStores(): AppStores {
  return {
    sessionStore: new session.MemoryStore(),
    tokenStore: new MemoryTokenStore(),
    connectionStore: new MemoryConnectionStore(),
    webhookSubscriptions: new MemoryWebhookSubscriptionStore(),
    description: 'Sessions, tokens and connections in memory (set REDIS_URL to share them between instances)',
    close: async () => {},
  };
}

/**
 * In Redis at `url`, shared by every instance of the app: sessions through connect-redis, tokens in a
 * `RedisTokenStore`, so any instance serves a login made on another and they refresh its token once between them;
 * the demo accounts' connections in a `RedisConnectionStore`, and webhook secrets beside them, so any instance
 * verifies a delivery. With `encryptionKey` (`REDIS_ENCRYPTION_KEY`), tokens, connections and webhook secrets are
 * stored encrypted (AES-256-GCM), as `@qonto-oauth/redis` does with its `encryptionKey`.
 */
export function redisStores(url: string, encryptionKey?: string): AppStores {
  const tokenStore = new RedisTokenStore({ url, keyPrefix: KEY_PREFIX, encryptionKey });
  const connectionStore = new RedisConnectionStore({
    url,
    keyPrefix: `${KEY_PREFIX}product:`,
    encryptionKey,
  });
  // The same settings as the token store's own client: a call fails after one reconnection attempt, not queued.
  const client = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
  // Without a listener ioredis prints each reconnection error with its stack; the requests that fail say enough.
  client.on('error', () => {});
  const { hostname, port } = new URL(url);
  return {
    sessionStore: new RedisStore({ client, prefix: `${KEY_PREFIX}session:` }),
    tokenStore,
    connectionStore,
    webhookSubscriptions: new RedisWebhookSubscriptionStore(client, `${KEY_PREFIX}product:`, encryptionKey),
    description: `Sessions, tokens and connections in Redis at ${hostname}:${port || 6379}${
      encryptionKey === undefined ? '' : ', tokens, connections and webhook secrets encrypted'
    }`,
    async close() {
      await Promise.all([tokenStore.close(), connectionStore.close(), client.quit().catch(() => {})]);
    },
  };
}
