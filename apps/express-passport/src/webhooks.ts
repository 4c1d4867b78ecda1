import {
  isQontoError,
  isQontoWebhookEvent,
  QONTO_WEBHOOK_SIGNATURE_HEADER,
  type QontoApiClient,
  type QontoConnection,
  type QontoConnectionStore,
  type QontoConnections,
  QontoUnexpectedResponseError,
  type QontoWebhookEvent,
  QontoWebhookSignatureError,
  verifyQontoWebhook,
} from '@qonto-oauth/core';
import express, { type RequestHandler } from 'express';
import type { WebhookSubscription, WebhookSubscriptionStore } from './webhook-subscriptions.js';

/** The events this app subscribes to: a member revoking the app's access in Qonto. */
export const WEBHOOK_TYPES = ['v1/consent-revocations'] as const;

/** A subscription as `GET/POST /v2/webhook_subscriptions` describe it (`secret` only in the creation's answer). */
interface ListedSubscription {
  id: string;
  callback_url?: string;
  secret?: string;
}

/**
 * Makes sure Qonto delivers `organizationId`'s consent revocations to `callbackUrl`, through the organization's own
 * connection (a subscription belongs to the app and the organization of the token that creates it). Keeps the
 * subscription this app knows the secret of; deletes one at the same URL whose secret it lost (a restart of an
 * in-memory app) and creates a new one, saving the secret Qonto answers once.
 */
export async function ensureWebhookSubscription(o: {
  api: QontoApiClient;
  store: WebhookSubscriptionStore;
  callbackUrl: string;
  organizationId: string;
}): Promise<WebhookSubscription> {
  const { api, store, callbackUrl, organizationId } = o;
  const known = await store.forOrganization(organizationId);
  const ours: ListedSubscription[] = [];
  const listed = api.paginate<ListedSubscription>('/v2/webhook_subscriptions', { itemsKey: 'subscriptions' });
  for await (const s of listed) if (s.callback_url === callbackUrl) ours.push(s);
  if (known && ours.some((s) => s.id === known.id)) return known;
  for (const stale of ours) {
    await api.request(`/v2/webhook_subscriptions/${encodeURIComponent(stale.id)}`, { method: 'DELETE' });
  }
  if (known) await store.delete(known);
  const answer = await api.request<unknown>('/v2/webhook_subscriptions', {
    method: 'POST',
    body: JSON.stringify({ callback_url: callbackUrl, types: WEBHOOK_TYPES }),
  });
  const created = answer as ListedSubscription | undefined;
  if (typeof created?.id !== 'string' || typeof created.secret !== 'string') {
    throw new QontoUnexpectedResponseError(
      'Qonto answered POST /v2/webhook_subscriptions without the subscription id and secret.',
    );
  }
  const subscription = { id: created.id, organizationId, secret: created.secret };
  await store.put(subscription);
  return subscription;
}

/** The subscription a delivery names, read from its body before the signature is checked against its secret. */
function claimedSubscriptionId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { subscription_id?: unknown }).subscription_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Applies a `v1/consent-revocations` event of `organizationId`. The event names the organization and the app, not
 * whose consent ended (its `membership_id` is the subscription's), so each connection to that organization is
 * probed with one API call: those Qonto now refuses (the token manager's refresh gets `invalid_grant`) are marked
 * revoked; the others, another member's consent, stay connected. Connections not active are left as they are, and so
 * is one whose probe fails otherwise (logged): its next sync finds out.
 */
export async function applyConsentRevocation(o: {
  connections: QontoConnections;
  store: QontoConnectionStore;
  organizationId: string;
}): Promise<QontoConnection[]> {
  const revoked: QontoConnection[] = [];
  for (const record of await o.store.listByOrganization(o.organizationId)) {
    // Already revoked, or waiting for a reconnection: nothing left to probe with.
    if (record.status !== 'active') continue;
    try {
      await o.connections.api(record.userKey, o.organizationId).getMembership();
    } catch (error) {
      if (!isQontoError(error) || (error as { reconnectRequired?: unknown }).reconnectRequired !== true) {
        // Qonto unreachable, say: this connection's state is left for its next sync to find out.
        console.error(
          `A consent revocation in organization ${o.organizationId} could not be checked for one connection:`,
          isQontoError(error) ? error.message : error,
        );
        continue;
      }
      revoked.push(
        ...(await o.connections.markRevoked(o.organizationId, {
          userKey: record.userKey,
          reason: 'consent_revoked',
        })),
      );
    }
  }
  return revoked;
}

/**
 * `POST /webhooks/qonto`: reads the raw body (the signature covers its exact bytes), finds the subscription it
 * names, and checks `X-Qonto-Signature` with that subscription's secret through core's `verifyQontoWebhook`: 401 to
 * a delivery it cannot verify, without saying more. A verified one is answered 204 at once (Qonto waits 1 s, then
 * retries), then a `v1/consent-revocations` of this app is applied ({@link applyConsentRevocation}).
 */
export function qontoWebhookRoute(o: {
  subscriptions: WebhookSubscriptionStore;
  connections: QontoConnections;
  store: QontoConnectionStore;
  clientId: string;
  now?: (() => number) | undefined;
}): RequestHandler[] {
  const receive: RequestHandler = async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const id = claimedSubscriptionId(body);
    const subscription = id === undefined ? undefined : await o.subscriptions.get(id);
    const refuse = () => void res.status(401).type('text').send('This delivery could not be verified.');
    if (!subscription) return refuse();
    let event: QontoWebhookEvent;
    try {
      event = await verifyQontoWebhook({
        body,
        signature: req.get(QONTO_WEBHOOK_SIGNATURE_HEADER),
        secret: subscription.secret,
        ...(o.now === undefined ? {} : { now: o.now }),
      });
    } catch (error) {
      if (!(error instanceof QontoWebhookSignatureError)) throw error;
      return refuse();
    }
    res.status(204).end();
    if (
      isQontoWebhookEvent(event, 'v1/consent-revocations') &&
      event.organization_id === subscription.organizationId &&
      event.data.client_id === o.clientId
    ) {
      const organizationId = event.organization_id;
      applyConsentRevocation({ connections: o.connections, store: o.store, organizationId }).catch(
        (error: unknown) =>
          console.error(
            `A consent revocation of organization ${organizationId} could not be applied:`,
            isQontoError(error) ? error.message : error,
          ),
      );
    }
  };
  return [express.raw({ type: () => true, limit: '1mb' }), receive];
}
