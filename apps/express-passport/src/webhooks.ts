import {
  isQontoError,
  QONTO_WEBHOOK_SIGNATURE_HEADER,
  type QontoApiClient,
  type QontoConnections,
  QontoUnexpectedResponseError,
  type QontoWebhookEvent,
  QontoWebhookSignatureError,
  type QontoWebhookSubscription,
  verifyQontoWebhook,
} from '@qonto-oauth/core';
import express, { type RequestHandler } from 'express';
import type { WebhookSubscription, WebhookSubscriptionStore } from './webhook-subscriptions.js';

/** The events this app subscribes to: a member revoking the app's access in Qonto. */
export const WEBHOOK_TYPES = ['v1/consent-revocations'] as const;

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
  const ours: QontoWebhookSubscription[] = [];
  const listed = api.paginate<QontoWebhookSubscription>('/v2/webhook_subscriptions', {
    itemsKey: 'subscriptions',
  });
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
  const created = answer as QontoWebhookSubscription | undefined;
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
 * `POST /webhooks/qonto`: reads the raw body (the signature covers its exact bytes), finds the subscription it
 * names, and checks `X-Qonto-Signature` with that subscription's secret through core's `verifyQontoWebhook`: 401 to
 * a delivery it cannot verify, without saying more. A verified one is answered 204 at once (Qonto waits 1 s, then
 * retries), then a `v1/consent-revocations` of its organization goes to core's `handleConsentRevocation`: the event
 * does not say whose consent ended, so each active connection to that organization is checked with one API call and
 * only those Qonto now refuses are marked revoked (another member's connection stays connected).
 */
export function qontoWebhookRoute(o: {
  subscriptions: WebhookSubscriptionStore;
  connections: QontoConnections;
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
    if (event.type === 'v1/consent-revocations' && event.organization_id === subscription.organizationId) {
      const organizationId = event.organization_id;
      o.connections.handleConsentRevocation(event).then(
        ({ unchecked }) => {
          // Qonto unreachable, say: those connections are left for their next sync to find out.
          for (const { connection, error } of unchecked) {
            console.error(
              `A consent revocation in organization ${organizationId} could not be checked for user ${connection.userKey}:`,
              error.message,
            );
          }
        },
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
