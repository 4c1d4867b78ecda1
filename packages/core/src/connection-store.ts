import { MemoryTokenStore, type TokenStore } from './token-store.js';

/** Where a connection stands: usable, waiting for the user to connect again, or its consent revoked at Qonto. */
export type QontoConnectionStatus = 'active' | 'reconnect_required' | 'revoked';

/**
 * One Qonto organization linked to one user of your app, as a {@link QontoConnectionStore} keeps it: plain JSON
 * data, never a token (tokens live in the store's `tokens`, under {@link connectionTokenKey}).
 */
export interface QontoConnectionRecord {
  /** Your app's own user id: opaque to Qonto and to this library. */
  userKey: string;
  /** The Qonto organization's id. */
  organizationId: string;
  organization: { id: string; slug?: string; legalName?: string };
  /** The Qonto membership (one person in that organization) who gave the consent. */
  membership: { id: string; role?: string; firstName?: string; lastName?: string; email?: string };
  status: QontoConnectionStatus;
  /** Why the status is not `active`: a short code such as `invalid_grant` or `consent_revoked`. */
  statusReason?: string;
  /** When the organization was first connected, in epoch milliseconds (kept across reconnections). */
  connectedAt: number;
  /** When the record last changed, in epoch milliseconds. */
  updatedAt: number;
  /** When the refresh token expires (`TokenSet.refreshTokenExpiresAt`), kept here so listing needs no token read. */
  refreshTokenExpiresAt?: number;
}

/** A connection started by `QontoConnections.start`, kept until its callback (single use, with a time to live). */
export interface QontoPendingConnection {
  userKey: string;
  /** The PKCE verifier: a secret, never shown. */
  codeVerifier?: string;
  redirectUri: string;
  organizationId?: string;
  createdAt: number;
}

/**
 * Where `QontoConnections` keeps connections: records by (user, organization), their tokens in `tokens`, and the
 * connections started but not completed yet. {@link MemoryConnectionStore} is the in-process one; implement it
 * over your database, or use `RedisConnectionStore` from `@qonto-oauth/redis` for several processes. Every
 * method resolves once its write is durable.
 */
export interface QontoConnectionStore {
  /**
   * Token sets by {@link connectionTokenKey}. A store that implements `RefreshCoordination` refreshes each
   * connection once among every process sharing it.
   */
  readonly tokens: TokenStore;
  get(userKey: string, organizationId: string): Promise<QontoConnectionRecord | undefined>;
  /** The user's connections, in any order. */
  list(userKey: string): Promise<QontoConnectionRecord[]>;
  /** Every user's connection to the organization (webhooks name the organization, not your user). */
  listByOrganization(organizationId: string): Promise<QontoConnectionRecord[]>;
  /** Saves the record, replacing the one of the same (userKey, organizationId). */
  put(record: QontoConnectionRecord): Promise<void>;
  delete(userKey: string, organizationId: string): Promise<void>;
  /** Keeps a started connection under its `state` for `ttlMs`. */
  putPending(state: string, pending: QontoPendingConnection, ttlMs: number): Promise<void>;
  /** The started connection of `state`, removed in the same step: a second call gets `undefined`. */
  takePending(state: string): Promise<QontoPendingConnection | undefined>;
}

/**
 * The key of a connection's tokens in `QontoConnectionStore.tokens`: both ids percent-encoded, joined by `:`, so
 * no two connections share one and the key holds no `{`, `}` or `:` of its own.
 */
export function connectionTokenKey(userKey: string, organizationId: string): string {
  return `${encodeURIComponent(userKey)}:${encodeURIComponent(organizationId)}`;
}

/**
 * A {@link QontoConnectionStore} in this process's memory: for tests, scripts and a single server process.
 * Everything is lost on restart and not shared between processes. Records are copied in and out.
 */
export class MemoryConnectionStore implements QontoConnectionStore {
  readonly tokens: TokenStore;
  readonly #records = new Map<string, QontoConnectionRecord>();
  readonly #pending = new Map<string, { pending: QontoPendingConnection; until: number }>();
  readonly #now: () => number;

  /** `tokens` defaults to a new `MemoryTokenStore`; `now` (default `Date.now`) times pending connections out. */
  constructor(o: { tokens?: TokenStore; now?: () => number } = {}) {
    this.tokens = o.tokens ?? new MemoryTokenStore();
    this.#now = o.now ?? Date.now;
  }

  async get(userKey: string, organizationId: string): Promise<QontoConnectionRecord | undefined> {
    return structuredClone(this.#records.get(connectionTokenKey(userKey, organizationId)));
  }

  async list(userKey: string): Promise<QontoConnectionRecord[]> {
    return this.#where((r) => r.userKey === userKey);
  }

  async listByOrganization(organizationId: string): Promise<QontoConnectionRecord[]> {
    return this.#where((r) => r.organizationId === organizationId);
  }

  async put(record: QontoConnectionRecord): Promise<void> {
    this.#records.set(connectionTokenKey(record.userKey, record.organizationId), structuredClone(record));
  }

  async delete(userKey: string, organizationId: string): Promise<void> {
    this.#records.delete(connectionTokenKey(userKey, organizationId));
  }

  async putPending(state: string, pending: QontoPendingConnection, ttlMs: number): Promise<void> {
    const now = this.#now();
    for (const [key, entry] of this.#pending) if (entry.until <= now) this.#pending.delete(key);
    this.#pending.set(state, { pending: { ...pending }, until: now + ttlMs });
  }

  async takePending(state: string): Promise<QontoPendingConnection | undefined> {
    const entry = this.#pending.get(state);
    this.#pending.delete(state);
    return entry !== undefined && entry.until > this.#now() ? entry.pending : undefined;
  }

  #where(keep: (record: QontoConnectionRecord) => boolean): QontoConnectionRecord[] {
    return structuredClone([...this.#records.values()].filter(keep));
  }
}
