import { authorized, grantOf } from '../api/auth.js';
import { sendPage } from '../api/pagination.js';
import { apiError } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import { jsonBody } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { sendEmpty, sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import {
  callbackUrlProblem,
  QONTO_WEBHOOK_TYPES,
  type SubscriptionRequest,
  subscriptionView,
} from './subscriptions.js';

/** The body of `POST /v2/webhook_subscriptions`, checked; or `undefined` once a 422 naming the field was sent. */
function subscriptionRequest(
  ctx: SandboxContext,
  req: HttpRequest,
  res: HttpResponse,
): SubscriptionRequest | undefined {
  const fail = (field: string | undefined, detail: string) => {
    apiError(res, 422, 'invalid_parameter', detail, field ? { pointer: `/${field}` } : undefined);
    return undefined;
  };
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(
      undefined,
      'Send a JSON object (Content-Type: application/json) with callback_url and types.',
    );
  }
  const { callback_url, types, secret, description } = body as Record<string, unknown>;
  const urlProblem = callbackUrlProblem(callback_url, ctx.mode);
  if (urlProblem) return fail('callback_url', urlProblem);
  if (!Array.isArray(types) || types.length === 0) {
    return fail('types', `types must be a non-empty array of event types, e.g. ["v1/consent-revocations"].`);
  }
  const unknown = types.find((t) => typeof t !== 'string' || !QONTO_WEBHOOK_TYPES.includes(t));
  if (unknown !== undefined) {
    return fail(
      'types',
      `${JSON.stringify(unknown)} is not a webhook type; use ${QONTO_WEBHOOK_TYPES.join(', ')}.`,
    );
  }
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < 32 || secret.length > 128)) {
    return fail(
      'secret',
      'secret must be a string of 32 to 128 characters, or left out to get a generated one.',
    );
  }
  if (
    description !== undefined &&
    description !== null &&
    (typeof description !== 'string' || description.length > 256)
  ) {
    return fail('description', 'description must be a string of at most 256 characters.');
  }
  const request: SubscriptionRequest = {
    callbackUrl: callback_url as string,
    types: [...new Set(types as string[])],
  };
  if (typeof secret === 'string') request.secret = secret;
  if (typeof description === 'string') request.description = description;
  return request;
}

/**
 * Webhook subscriptions (scope `webhook`), each owned by the app and organization of the token that created it:
 * `POST` (https://docs.qonto.com/api-reference/business-api/webhooks/create-a-webhook-subscription, 201 with the
 * `secret`, the only answer that shows it), the paginated list and `GET /{id}` (list- and get-a-webhook-subscription
 * pages), `DELETE /{id}` (204: Qonto's page gives no status, **emulator choice**). Another app's or organization's
 * subscription is a 404.
 */
export function webhookSubscriptionRoutes(ctx: SandboxContext, router: Router): void {
  const webhook = authorized(ctx, 'webhook');
  const json = jsonBody(16 * 1024);
  const notFound = (res: HttpResponse, id: unknown) =>
    apiError(
      res,
      404,
      'not_found',
      `No webhook subscription with id ${JSON.stringify(id)} for this app in this organization.`,
    );

  router.post('/v2/webhook_subscriptions', webhook, json, (req, res) => {
    const request = subscriptionRequest(ctx, req, res);
    if (!request) return;
    const { clientId, organizationId, membershipId } = grantOf(res);
    const created = ctx.webhooks.subscriptions.create({ clientId, organizationId, membershipId }, request);
    if ('limit' in created) {
      apiError(res, 422, 'limit_reached', created.limit);
      return;
    }
    sendJson(res, 201, subscriptionView(created, true));
  });

  router.get('/v2/webhook_subscriptions', webhook, (req, res) => {
    const { clientId, organizationId } = grantOf(res);
    sendPage(req, res, 'subscriptions', ctx.webhooks.subscriptions.ownedBy(clientId, organizationId), (s) =>
      subscriptionView(s),
    );
  });

  router.get('/v2/webhook_subscriptions/:id', webhook, (req, res) => {
    const { clientId, organizationId } = grantOf(res);
    const found = ctx.webhooks.subscriptions.find(req.params.id as string, clientId, organizationId);
    if (!found) return notFound(res, req.params.id);
    sendJson(res, 200, subscriptionView(found));
  });

  router.delete('/v2/webhook_subscriptions/:id', webhook, (req, res) => {
    const { clientId, organizationId } = grantOf(res);
    const found = ctx.webhooks.subscriptions.find(req.params.id as string, clientId, organizationId);
    if (!found) return notFound(res, req.params.id);
    ctx.webhooks.subscriptions.delete(found.id);
    sendEmpty(res, 204);
  });
}
