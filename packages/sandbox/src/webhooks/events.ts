import { findClient, type SandboxContext } from '../context.js';
import { consentedOrganizations } from '../oauth/grants.js';
import { randomUUID } from '../random.js';
import type { WebhookDispatcher } from './deliveries.js';
import { isoSeconds, QONTO_WEBHOOK_TYPES, type WebhookSubscriptions } from './subscriptions.js';
import type {
  SandboxEmitWebhookOptions,
  SandboxRevokeConsentOptions,
  SandboxWebhookDelivery,
} from './types.js';

/** The emulator's webhooks: the subscriptions, and the dispatcher that delivers to them. */
export interface Webhooks {
  subscriptions: WebhookSubscriptions;
  dispatcher: WebhookDispatcher;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sends one event of `type` to every subscription to it in the organization (one app's only, with `clientId`),
 * each in Qonto's envelope `{ id, subscription_id, organization_id, membership_id, type, created_at, data }`
 * (https://docs.qonto.com/api-reference/business-api/webhooks/supported-webhooks): one envelope, with its own `id`,
 * per subscription; `membership_id` is the subscription's, as the docs describe it. Resolves when every first
 * attempt has ended.
 */
export function emitEvent(
  ctx: SandboxContext,
  o: SandboxEmitWebhookOptions,
): Promise<SandboxWebhookDelivery[]> {
  const where = 'emitWebhook';
  if (!isPlainObject(o)) throw new TypeError(`${where} takes { organizationId, type, data, clientId? }.`);
  if (!ctx.data.organizations.some((org) => org.id === o.organizationId)) {
    throw new TypeError(
      `${where}: no organization ${JSON.stringify(o.organizationId)} in this emulator; use one of sandbox.users[n].organizations[m].id.`,
    );
  }
  if (!QONTO_WEBHOOK_TYPES.includes(o.type)) {
    throw new TypeError(
      `${where}: ${JSON.stringify(o.type)} is not a Qonto webhook type; use one of ${QONTO_WEBHOOK_TYPES.join(', ')}.`,
    );
  }
  if (!isPlainObject(o.data))
    throw new TypeError(`${where}: data must be a plain object, the envelope's data.`);
  if (o.clientId !== undefined && !findClient(ctx, o.clientId)) {
    throw new TypeError(`${where}: no client ${JSON.stringify(o.clientId)} is registered on this emulator.`);
  }
  return deliver(ctx, o.organizationId, o.type, o.data, o.clientId);
}

function deliver(
  ctx: SandboxContext,
  organizationId: string,
  type: string,
  data: Record<string, unknown>,
  clientId: string | undefined,
): Promise<SandboxWebhookDelivery[]> {
  const createdAt = isoSeconds(ctx.clock.now());
  const sent = ctx.webhooks.subscriptions.receiving(organizationId, type, clientId).map((s) => {
    const eventId = randomUUID();
    const envelope = {
      id: eventId,
      subscription_id: s.id,
      organization_id: s.organizationId,
      membership_id: s.membershipId,
      type,
      created_at: createdAt,
      data,
    };
    return ctx.webhooks.dispatcher.send(
      {
        subscriptionId: s.id,
        clientId: s.clientId,
        organizationId,
        callbackUrl: s.callbackUrl,
        secret: s.secret,
      },
      { eventId, type, body: JSON.stringify(envelope) },
    );
  });
  return Promise.all(sent);
}

/**
 * A member revokes an app's access to an organization, as in Qonto's web app: every grant of that member (every
 * member who consented, without `email`) for the app in that organization is revoked at once (its access tokens
 * answer 401, its refresh tokens `invalid_grant`; a user-flow token keeps working in the user's other consented
 * organizations), then a `v1/consent-revocations` event (`data: { client_id, revoked_at }`,
 * https://docs.qonto.com/api-reference/business-api/webhooks/supported-webhooks/v1-consent-revocations) goes to
 * the app's subscriptions in that organization, one per member revoked. Throws when there is no such consent.
 */
export function revokeConsent(
  ctx: SandboxContext,
  o: SandboxRevokeConsentOptions,
): Promise<SandboxWebhookDelivery[]> {
  const where = 'revokeConsent';
  if (!isPlainObject(o)) throw new TypeError(`${where} takes { clientId, organizationId, email? }.`);
  if (!findClient(ctx, o.clientId)) {
    throw new TypeError(`${where}: no client ${JSON.stringify(o.clientId)} is registered on this emulator.`);
  }
  const organization = ctx.data.organizations.find((org) => org.id === o.organizationId);
  if (!organization) {
    throw new TypeError(
      `${where}: no organization ${JSON.stringify(o.organizationId)} in this emulator; use one of sandbox.users[n].organizations[m].id.`,
    );
  }
  let userId: string | undefined;
  if (o.email !== undefined) {
    const user = ctx.data.users.find((u) => u.email.toLowerCase() === String(o.email).toLowerCase());
    if (!user)
      throw new TypeError(
        `${where}: no user ${JSON.stringify(o.email)} in this emulator (see sandbox.users).`,
      );
    userId = user.id;
  }
  const grants = ctx.store
    .liveGrants()
    .filter(
      (g) =>
        g.clientId === o.clientId &&
        consentedOrganizations(g).includes(o.organizationId) &&
        (userId === undefined || g.userId === userId),
    );
  // One membership per member and organization: one event per member revoked.
  const members = [...new Set(grants.map((g) => g.userId))];
  if (members.length === 0) {
    const who = o.email === undefined ? `no member of ${organization.legal_name} has` : `${o.email} has no`;
    throw new Error(
      `${where}: ${who} live consent to ${o.clientId} in ${organization.legal_name} to revoke: connect first (the authorize pages, then the token exchange).`,
    );
  }
  const revokedAt = isoSeconds(ctx.clock.now());
  for (const member of members) {
    ctx.store.revokeConsents({ clientId: o.clientId, userId: member, organizationId: o.organizationId });
  }
  return Promise.all(
    members.map(() =>
      deliver(
        ctx,
        o.organizationId,
        'v1/consent-revocations',
        { client_id: o.clientId, revoked_at: revokedAt },
        o.clientId,
      ),
    ),
  ).then((lists) => lists.flat());
}
