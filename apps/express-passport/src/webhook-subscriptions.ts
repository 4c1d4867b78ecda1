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

/** In Redis, shared by every instance: whichever instance receives a delivery can check its signature. */
export class RedisWebhookSubscriptionStore implements WebhookSubscriptionStore {
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(client: Redis, keyPrefix: string) {
    this.#client = client;
    this.#prefix = `${keyPrefix}webhook-subscription:`;
  }

  async get(id: string) {
    const raw = await this.#client.get(`${this.#prefix}id:${id}`);
    return raw === null ? undefined : (JSON.parse(raw) as WebhookSubscription);
  }

  async forOrganization(organizationId: string) {
    const id = await this.#client.get(`${this.#prefix}organization:${organizationId}`);
    return id === null ? undefined : this.get(id);
  }

  async put(subscription: WebhookSubscription) {
    await this.#client
      .multi()
      .set(`${this.#prefix}id:${subscription.id}`, JSON.stringify(subscription))
      .set(`${this.#prefix}organization:${subscription.organizationId}`, subscription.id)
      .exec();
  }

  async delete(subscription: WebhookSubscription) {
    await this.#client.del(
      `${this.#prefix}id:${subscription.id}`,
      `${this.#prefix}organization:${subscription.organizationId}`,
    );
  }
}
