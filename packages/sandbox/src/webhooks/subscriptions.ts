import { isIP } from 'node:net';
import { WEBHOOK_SUBSCRIPTION_CAPACITY, WEBHOOK_SUBSCRIPTIONS_PER_APP } from '../limits.js';
import { randomSecret, randomUUID } from '../random.js';

/**
 * The event types a subscription may name: those of Qonto's subscription endpoints and its "Supported webhooks"
 * pages (https://docs.qonto.com/api-reference/business-api/webhooks). Any other is refused with a 422.
 */
export const QONTO_WEBHOOK_TYPES: readonly string[] = Object.freeze([
  'v1/transactions',
  'v1/accounts',
  'v1/organizations',
  'v1/memberships',
  'v1/consent-revocations',
  'v1/cards',
  'v1/clients',
  'v1/client-invoices',
  'v1/payment-links-connections',
]);

/** A subscription as the emulator keeps it; {@link subscriptionView} is what the API shows of it. */
export interface WebhookSubscription {
  id: string;
  clientId: string;
  organizationId: string;
  membershipId: string;
  callbackUrl: string;
  types: string[];
  description: string | null;
  secret: string;
  createdAt: number;
}

/** What a client asks for in `POST /v2/webhook_subscriptions`, once checked. */
export interface SubscriptionRequest {
  callbackUrl: string;
  types: string[];
  secret?: string;
  description?: string;
}

/** Qonto's date-time shape in webhook answers (`2025-01-24T10:55:00Z`: seconds, no milliseconds). */
export const isoSeconds = (epochMs: number): string =>
  new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A subscription as Qonto's create, list and get pages show it, in their order; the `secret` only in the answer to
 * its creation (the list and get examples have none).
 */
export function subscriptionView(s: WebhookSubscription, withSecret = false) {
  const view = {
    id: s.id,
    organization_id: s.organizationId,
    membership_id: s.membershipId,
    callback_url: s.callbackUrl,
    types: [...s.types],
    description: s.description,
    created_at: isoSeconds(s.createdAt),
    updated_at: isoSeconds(s.createdAt),
  };
  return withSecret ? { ...view, secret: s.secret } : view;
}

/**
 * A host without IPv6 brackets, lower-cased, with an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, which the URL
 * parser writes `::ffff:7f00:1`) as the IPv4 address it reaches.
 */
function plainHost(hostname: string): string {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/.exec(host);
  if (mapped === null) return host;
  if (mapped[3] !== undefined) return mapped[3];
  const high = Number.parseInt(mapped[1] ?? '0', 16);
  const low = Number.parseInt(mapped[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function isLoopback(hostname: string): boolean {
  const host = plainHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Loopback, private, link-local and unspecified addresses: not reachable from Qonto's servers. */
function isPrivateAddress(hostname: string): boolean {
  const host = plainHost(hostname);
  if (isLoopback(host)) return true;
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  if (isIP(host) === 6) return host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  return false;
}

/**
 * Why `value` cannot be a callback URL, or `undefined` when it can. Qonto documents a public HTTPS URL of at most
 * 512 characters; `production` mode holds to that, and `sandbox` mode also takes `http:` and `https:` on loopback
 * (`localhost`, `127.0.0.1`, `[::1]`), so a test's local receiver can subscribe (emulator choice).
 */
export function callbackUrlProblem(value: unknown, mode: 'sandbox' | 'production'): string | undefined {
  if (typeof value !== 'string' || value === '')
    return 'callback_url is required: the HTTPS URL Qonto POSTs events to.';
  if (value.length > 512) return `callback_url is ${value.length} characters long; Qonto takes at most 512.`;
  const url = URL.parse(value);
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    return `callback_url must be an absolute https:// URL, not ${JSON.stringify(value.slice(0, 80))}.`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'callback_url must not carry credentials (user:password@): authenticate deliveries by their X-Qonto-Signature.';
  }
  if (mode === 'sandbox' && isLoopback(url.hostname)) return undefined;
  if (url.protocol !== 'https:') {
    return mode === 'sandbox'
      ? 'callback_url must use https:// (the emulator also takes http:// on localhost, 127.0.0.1 or [::1]).'
      : 'callback_url must use https://: Qonto delivers webhooks to public HTTPS URLs only.';
  }
  if (isPrivateAddress(url.hostname)) {
    return mode === 'sandbox'
      ? `callback_url points at a private address (${url.hostname}) Qonto cannot reach; the emulator takes loopback only.`
      : `callback_url points at a private address (${url.hostname}): Qonto delivers to public URLs only (a tunnel such as ngrok exposes a local server).`;
  }
  return undefined;
}

/**
 * The webhook subscriptions of one emulator, per app (client) and organization, bounded by
 * {@link WEBHOOK_SUBSCRIPTIONS_PER_APP} and {@link WEBHOOK_SUBSCRIPTION_CAPACITY}. They live as long as the emulator.
 */
export class WebhookSubscriptions {
  readonly #byId = new Map<string, WebhookSubscription>();

  constructor(private readonly now: () => number) {}

  /** The subscriptions of one app in one organization, oldest first. */
  ownedBy(clientId: string, organizationId: string): WebhookSubscription[] {
    return [...this.#byId.values()].filter(
      (s) => s.clientId === clientId && s.organizationId === organizationId,
    );
  }

  /** The subscription with this id when it belongs to that app and organization. */
  find(id: string, clientId: string, organizationId: string): WebhookSubscription | undefined {
    const s = this.#byId.get(id);
    return s && s.clientId === clientId && s.organizationId === organizationId ? s : undefined;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The subscriptions an event of `type` in `organizationId` goes to (one app's only, with `clientId`). */
  receiving(organizationId: string, type: string, clientId?: string): WebhookSubscription[] {
    return [...this.#byId.values()].filter(
      (s) =>
        s.organizationId === organizationId &&
        s.types.includes(type) &&
        (clientId === undefined || s.clientId === clientId),
    );
  }

  /** Creates one, or says which limit is reached. */
  create(
    owner: { clientId: string; organizationId: string; membershipId: string },
    request: SubscriptionRequest,
  ): WebhookSubscription | { limit: string } {
    if (this.ownedBy(owner.clientId, owner.organizationId).length >= WEBHOOK_SUBSCRIPTIONS_PER_APP) {
      return {
        limit: `This app already has ${WEBHOOK_SUBSCRIPTIONS_PER_APP} webhook subscriptions in this organization (the emulator's limit): delete unused ones first.`,
      };
    }
    if (this.#byId.size >= WEBHOOK_SUBSCRIPTION_CAPACITY) {
      return {
        limit: `The emulator holds ${WEBHOOK_SUBSCRIPTION_CAPACITY} webhook subscriptions, its limit: delete unused ones first.`,
      };
    }
    const subscription: WebhookSubscription = {
      id: randomUUID(),
      ...owner,
      callbackUrl: request.callbackUrl,
      types: request.types,
      description: request.description ?? null,
      // Qonto generates one when none is given; its example looks like `whsec_` + base64 (emulator choice).
      secret: request.secret ?? `whsec_${randomSecret(32)}`,
      createdAt: this.now(),
    };
    this.#byId.set(subscription.id, subscription);
    return subscription;
  }

  delete(id: string): boolean {
    return this.#byId.delete(id);
  }
}
