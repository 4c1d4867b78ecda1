import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A webhook subscription this app created at Qonto, with the signing secret Qonto answered once at creation. */
export interface WebhookSubscription {
  id: string;
  organizationId: string;
  /** Keys the HMAC of each delivery (`verifyQontoWebhook`); never shown, never logged. */
  secret: string;
}

/**
 * Where the app keeps its webhook subscriptions: one per Qonto organization (a subscription belongs to the app and
 * the organization whose token created it), looked up by its id when a delivery comes in.
 */
export interface WebhookSubscriptionStore {
  get(id: string): Promise<WebhookSubscription | undefined>;
  forOrganization(organizationId: string): Promise<WebhookSubscription | undefined>;
  put(subscription: WebhookSubscription): Promise<void>;
  delete(subscription: WebhookSubscription): Promise<void>;
}

/** In this process's memory (one instance; a restart forgets the secrets, and the next connection subscribes again). */
export class MemoryWebhookSubscriptionStore implements WebhookSubscriptionStore {
  readonly #byId = new Map<string, WebhookSubscription>();

  async get(id: string) {
    return this.#byId.get(id);
  }

  async forOrganization(organizationId: string) {
    return [...this.#byId.values()].find((s) => s.organizationId === organizationId);
  }

  async put(subscription: WebhookSubscription) {
    this.#byId.set(subscription.id, { ...subscription });
  }

  async delete(subscription: WebhookSubscription) {
    this.#byId.delete(subscription.id);
  }
}

/** Prefix of a sealed value, as `@qonto-oauth/redis` marks its own: AES-256-GCM, format 1. */
const SEALED = 'enc:v1:';

/**
 * In Redis, shared by every instance: whichever instance receives a delivery can check its signature. With
 * `encryptionKey` (the one the app gives `RedisTokenStore` and `RedisConnectionStore`), each subscription, secret
 * included, is stored sealed with AES-256-GCM under a key derived from it (HKDF-SHA-256), bound to its Redis key.
 */
export class RedisWebhookSubscriptionStore implements WebhookSubscriptionStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #key: Buffer | undefined;

  constructor(client: Redis, keyPrefix: string, encryptionKey?: string) {
    this.#client = client;
    this.#prefix = `${keyPrefix}webhook-subscription:`;
    if (encryptionKey !== undefined) {
      this.#key = Buffer.from(hkdfSync('sha256', encryptionKey, keyPrefix, 'webhook subscription v1', 32));
    }
  }

  async get(id: string) {
    const key = `${this.#prefix}id:${id}`;
    const raw = await this.#client.get(key);
    return raw === null ? undefined : (JSON.parse(this.#open(raw, key)) as WebhookSubscription);
  }

  async forOrganization(organizationId: string) {
    const id = await this.#client.get(`${this.#prefix}organization:${organizationId}`);
    return id === null ? undefined : this.get(id);
  }

  async put(subscription: WebhookSubscription) {
    const key = `${this.#prefix}id:${subscription.id}`;
    await this.#client
      .multi()
      .set(key, this.#seal(JSON.stringify(subscription), key))
      .set(`${this.#prefix}organization:${subscription.organizationId}`, subscription.id)
      .exec();
  }

  async delete(subscription: WebhookSubscription) {
    await this.#client.del(
      `${this.#prefix}id:${subscription.id}`,
      `${this.#prefix}organization:${subscription.organizationId}`,
    );
  }

  #seal(json: string, redisKey: string): string {
    if (this.#key === undefined) return json;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(redisKey));
    const sealed = Buffer.concat([iv, cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return SEALED + sealed.toString('base64url');
  }

  #open(value: string, redisKey: string): string {
    if (this.#key === undefined && !value.startsWith(SEALED)) return value;
    const sealed = value.startsWith(SEALED)
      ? Buffer.from(value.slice(SEALED.length), 'base64url')
      : undefined;
    try {
      if (this.#key === undefined || sealed === undefined) throw new Error('one side has no key');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(redisKey)).setAuthTag(sealed.subarray(sealed.length - 16));
      return (
        decipher.update(sealed.subarray(12, sealed.length - 16), undefined, 'utf8') + decipher.final('utf8')
      );
    } catch {
      throw new Error(
        `The webhook subscription at ${redisKey} cannot be read with this REDIS_ENCRYPTION_KEY: give every instance the same key (or none).`,
      );
    }
  }
}
