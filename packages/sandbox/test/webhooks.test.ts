import { createHmac } from 'node:crypto';
import { verifyQontoWebhook } from '@qonto-oauth/core';
import { describe, expect, it, vi } from 'vitest';
import type { QontoSandbox } from '../src/types.js';
import {
  apiGet,
  clientForm,
  connectRaw,
  obtainCode,
  postToken,
  REDIRECT_URI,
  startSandbox,
} from './helpers.js';
import { startReceiver } from './webhook-receiver.js';

const SCOPE = 'offline_access organization.read webhook';

/** A subscription as the API shows it. */
interface SubscriptionJson {
  id: string;
  organization_id: string;
  membership_id: string;
  callback_url: string;
  types: string[];
  description: string | null;
  created_at: string;
  updated_at: string;
  secret?: string;
}

/** Any answer of the subscription endpoints: a subscription, a list, or JSON:API errors. */
type Answer = Partial<SubscriptionJson> & {
  subscriptions?: SubscriptionJson[];
  meta?: Record<string, unknown>;
  errors?: { code: string; detail: string; source?: unknown }[];
};

/** A Business API call with a JSON body. */
async function call(sandbox: QontoSandbox, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(sandbox.endpoints.requiresStagingToken ? { 'X-Qonto-Staging-Token': sandbox.stagingToken } : {}),
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Answer) : undefined };
}

const subscribe = (sandbox: QontoSandbox, token: string, body: Record<string, unknown>) =>
  call(sandbox, 'POST', '/v2/webhook_subscriptions', token, body);

/** Checks `X-Qonto-Signature` as Qonto's docs say a receiver must, independently of the emulator's code. */
function signatureMatches(
  header: string | undefined,
  body: string,
  secret: string,
): { ok: boolean; t: number } {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return { ok: parts.v1 === expected, t: Number(parts.t) };
}

describe('webhook subscriptions', () => {
  it('creates, lists, gets and deletes the subscriptions of the token’s app and organization', async () => {
    const sandbox = await startSandbox();
    const a = await connectRaw(sandbox, { scope: SCOPE, organizationIndex: 0 });
    const b = await connectRaw(sandbox, { scope: SCOPE, organizationIndex: 1 });
    const created = await subscribe(sandbox, a.accessToken, {
      callback_url: 'https://hooks.example.com/qonto?token=abc',
      types: ['v1/consent-revocations', 'v1/organizations'],
      description: 'Disconnections',
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body!)).toEqual([
      'id',
      'organization_id',
      'membership_id',
      'callback_url',
      'types',
      'description',
      'created_at',
      'updated_at',
      'secret',
    ]);
    expect(created.body).toMatchObject({
      organization_id: a.organizationId,
      callback_url: 'https://hooks.example.com/qonto?token=abc',
      types: ['v1/consent-revocations', 'v1/organizations'],
      description: 'Disconnections',
    });
    expect(created.body!.secret).toMatch(/^whsec_.{32,}/);
    expect(created.body!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const id = created.body!.id as string;

    const list = await call(sandbox, 'GET', '/v2/webhook_subscriptions', a.accessToken);
    expect(list.status).toBe(200);
    expect(list.body!.subscriptions).toHaveLength(1);
    expect(list.body!.subscriptions![0]).toEqual({ ...created.body, secret: undefined });
    expect(list.body!.subscriptions![0]).not.toHaveProperty('secret');
    expect(list.body!.meta).toMatchObject({ current_page: 1, total_count: 1, next_page: null });
    const one = await call(sandbox, 'GET', `/v2/webhook_subscriptions/${id}`, a.accessToken);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('secret');
    expect(one.body!.id).toBe(id);

    // Another organization's token sees none of it.
    expect(
      (await call(sandbox, 'GET', '/v2/webhook_subscriptions', b.accessToken)).body!.subscriptions,
    ).toEqual([]);
    expect((await call(sandbox, 'GET', `/v2/webhook_subscriptions/${id}`, b.accessToken)).status).toBe(404);
    expect((await call(sandbox, 'DELETE', `/v2/webhook_subscriptions/${id}`, b.accessToken)).status).toBe(
      404,
    );

    expect((await call(sandbox, 'DELETE', `/v2/webhook_subscriptions/${id}`, a.accessToken)).status).toBe(
      204,
    );
    expect((await call(sandbox, 'GET', `/v2/webhook_subscriptions/${id}`, a.accessToken)).status).toBe(404);
  });

  it('requires the webhook scope', async () => {
    const sandbox = await startSandbox();
    const { accessToken } = await connectRaw(sandbox, { scope: 'offline_access organization.read' });
    const refused = await subscribe(sandbox, accessToken, {
      callback_url: 'https://a.example/h',
      types: ['v1/cards'],
    });
    expect(refused.status).toBe(403);
    expect(refused.body!.errors![0]).toMatchObject({
      code: 'forbidden',
      detail: 'missing required oauth scope',
    });
    expect((await apiGet(sandbox, '/v2/webhook_subscriptions', accessToken)).status).toBe(403);
  });

  it('refuses a bad subscription with a 422 naming the field and the fix', async () => {
    const sandbox = await startSandbox();
    const { accessToken } = await connectRaw(sandbox, { scope: SCOPE });
    const types = ['v1/consent-revocations'];
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ types }, '/callback_url', /callback_url is required/],
      [{ callback_url: 'http://hooks.example.com/q', types }, '/callback_url', /https:\/\//],
      [{ callback_url: 'https://10.1.2.3/q', types }, '/callback_url', /private address/],
      [{ callback_url: 'https://u:p@hooks.example.com/q', types }, '/callback_url', /credentials/],
      [{ callback_url: `https://a.example/${'x'.repeat(520)}`, types }, '/callback_url', /512/],
      [{ callback_url: 'https://a.example/q', types: [] }, '/types', /non-empty array/],
      [
        { callback_url: 'https://a.example/q', types: ['v1/consent-revocation'] },
        '/types',
        /v1\/consent-revocations/,
      ],
      [{ callback_url: 'https://a.example/q', types, secret: 'short' }, '/secret', /32 to 128/],
      [{ callback_url: 'https://a.example/q', types, description: 'd'.repeat(257) }, '/description', /256/],
    ];
    for (const [body, pointer, detail] of cases) {
      const answer = await subscribe(sandbox, accessToken, body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(answer.body!.errors![0]!.source).toEqual({ pointer });
      expect(answer.body!.errors![0]!.detail).toMatch(detail);
    }
    const notJson = await fetch(`${sandbox.url}/v2/webhook_subscriptions`, {
      method: 'POST',
      headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken, Authorization: `Bearer ${accessToken}` },
      body: 'callback_url=x',
    });
    expect(notJson.status).toBe(422);
    // A secret of the app's own is kept, and loopback is accepted in sandbox mode.
    const own = await subscribe(sandbox, accessToken, {
      callback_url: 'http://localhost:3000/webhooks',
      types,
      secret: 's'.repeat(32),
    });
    expect(own.status).toBe(201);
    expect(own.body!.secret).toBe('s'.repeat(32));
    const mapped = await subscribe(sandbox, accessToken, {
      callback_url: 'http://[::ffff:127.0.0.1]:3000/h',
      types,
    });
    expect(mapped.status).toBe(201);
  });

  it('takes public HTTPS callback URLs only in production mode', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const code = await obtainCode(sandbox, { params: { scope: SCOPE }, user: sandbox.users[1] });
    const tokens = await postToken(
      sandbox,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...clientForm(sandbox) },
      {},
    );
    const accessToken = tokens.body.access_token as string;
    const types = ['v1/organizations'];
    for (const url of [
      'http://127.0.0.1:3000/h',
      'https://localhost/h',
      'https://[::1]/h',
      'https://192.168.1.2/h',
      // IPv4-mapped IPv6: the URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1].
      'https://[::ffff:127.0.0.1]/h',
      'https://[0:0:0:0:0:ffff:a00:1]/h',
      'https://[::ffff:192.168.1.1]/h',
    ]) {
      const answer = await subscribe(sandbox, accessToken, { callback_url: url, types });
      expect(answer.status, url).toBe(422);
    }
    expect(
      (await subscribe(sandbox, accessToken, { callback_url: 'https://hooks.example.com/h', types })).status,
    ).toBe(201);
  });
});

describe('webhook deliveries', () => {
  it('POSTs the event signed with X-Qonto-Signature over "{t}.{raw body}", and logs it without secrets', async () => {
    const lines: string[] = [];
    const sandbox = await startSandbox({
      startTime: Date.UTC(2025, 0, 24, 10, 55),
      log: (l) => lines.push(l),
    });
    const receiver = await startReceiver();
    const { accessToken, organizationId } = await connectRaw(sandbox, { scope: SCOPE });
    const created = await subscribe(sandbox, accessToken, {
      callback_url: `${receiver.url}?key=app-secret-in-query`,
      types: ['v1/organizations'],
    });
    const secret = created.body!.secret as string;

    const [delivery] = await sandbox.emitWebhook({
      organizationId,
      type: 'v1/organizations',
      data: { event: 'suspended' },
    });
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.rawHeaders).toContain('X-Qonto-Signature');
    const check = signatureMatches(got.signature, got.body, secret);
    expect(check.ok).toBe(true);
    // Signed at the attempt's time on the emulator clock (now() may be a second later on a busy machine).
    expect(check.t).toBe(Math.floor(delivery!.attempts[0]!.at / 1000));
    const envelope = JSON.parse(got.body);
    expect(Object.keys(envelope)).toEqual([
      'id',
      'subscription_id',
      'organization_id',
      'membership_id',
      'type',
      'created_at',
      'data',
    ]);
    expect(envelope).toMatchObject({
      subscription_id: created.body!.id,
      organization_id: organizationId,
      membership_id: created.body!.membership_id,
      type: 'v1/organizations',
      data: { event: 'suspended' },
    });
    // Qonto's date-time shape, by the emulator clock (which started at 10:55 and follows real time).
    expect(envelope.created_at).toMatch(/^2025-01-24T10:5\d:\d\dZ$/);

    expect(delivery).toMatchObject({
      eventId: envelope.id,
      type: 'v1/organizations',
      subscriptionId: created.body!.id,
      organizationId,
      callbackUrl: receiver.url,
      body: got.body,
      state: 'delivered',
      attempts: [{ status: 200 }],
    });
    expect(sandbox.webhookDeliveries()).toEqual([delivery]);
    const logged = JSON.stringify(sandbox.webhookDeliveries());
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('app-secret-in-query');
    expect(logged).not.toContain(got.signature);
    // The log option gets one line per attempt, without the query string either.
    const webhookLines = lines.filter((l) => l.startsWith('webhook '));
    expect(webhookLines).toEqual([`webhook v1/organizations -> ${receiver.url}: 200 (attempt 1, delivered)`]);

    // Only subscriptions to the type get it.
    expect(await sandbox.emitWebhook({ organizationId, type: 'v1/cards', data: {} })).toEqual([]);
    expect(() => sandbox.emitWebhook({ organizationId, type: 'v1/nope', data: {} })).toThrow(
      /not a Qonto webhook type/,
    );
    expect(() => sandbox.emitWebhook({ organizationId: 'org-x', type: 'v1/cards', data: {} })).toThrow(
      /no organization/,
    );
  });

  it('retries a callback that does not answer 2xx within 1 s on the schedule of the emulator clock', async () => {
    const sandbox = await startSandbox();
    const receiver = await startReceiver();
    const { accessToken, organizationId, get } = await connectRaw(sandbox, { scope: SCOPE });
    const created = await subscribe(sandbox, accessToken, {
      callback_url: receiver.url,
      types: ['v1/memberships'],
    });
    receiver.answers.push(500, 'hang');

    const [first] = await sandbox.emitWebhook({
      organizationId,
      type: 'v1/memberships',
      data: { event: 'updated' },
    });
    expect(first!.state).toBe('pending');
    expect(first!.attempts).toEqual([{ at: expect.any(Number), status: 500 }]);
    expect(first!.nextAttemptAt).toBe(first!.attempts[0]!.at + 60_000);
    expect(receiver.received).toHaveLength(1);

    // Not due yet: nothing more is sent until the clock reaches the retry.
    sandbox.clock.advance(59_000);
    expect((await get('/v2/organization')).status).toBe(200);
    expect(receiver.received).toHaveLength(1);

    // The second attempt hangs: cut at 1 s, and the emulator keeps answering meanwhile.
    sandbox.clock.advance(1_000);
    await vi.waitFor(() => expect(receiver.received).toHaveLength(2));
    expect((await get('/v2/organization')).status).toBe(200);
    await vi.waitFor(() => expect(sandbox.webhookDeliveries()[0]!.attempts).toHaveLength(2), {
      timeout: 10_000,
    });
    const afterTimeout = sandbox.webhookDeliveries()[0]!;
    expect(afterTimeout.attempts[1]).toMatchObject({ error: 'timeout' });
    expect(afterTimeout.nextAttemptAt).toBe(afterTimeout.attempts[1]!.at + 300_000);

    // Third attempt (after 5 minutes) is answered: delivered, the same envelope, signed anew.
    sandbox.clock.advance(300_000);
    await vi.waitFor(() => expect(sandbox.webhookDeliveries()[0]!.state).toBe('delivered'));
    const [one, , three] = receiver.received;
    expect(three!.body).toBe(one!.body);
    expect(three!.signature).not.toBe(one!.signature);
    expect(signatureMatches(three!.signature, three!.body, created.body!.secret!).ok).toBe(true);
  });

  it('gives up after the last retry, or when the subscription is deleted, and on a refused connection', async () => {
    const sandbox = await startSandbox({ webhookRetryDelaysMs: [10] });
    const receiver = await startReceiver();
    const { accessToken, organizationId } = await connectRaw(sandbox, { scope: SCOPE });
    await subscribe(sandbox, accessToken, { callback_url: receiver.url, types: ['v1/cards'] });
    receiver.answers.push(503, 404);
    const [delivery] = await sandbox.emitWebhook({ organizationId, type: 'v1/cards', data: {} });
    expect(delivery!.state).toBe('pending');
    await vi.waitFor(() => expect(sandbox.webhookDeliveries()[0]!.state).toBe('failed'));
    expect(sandbox.webhookDeliveries()[0]!.attempts.map((a) => a.status)).toEqual([503, 404]);

    // A closed port: a connection error; the retry, once due, finds the subscription deleted and gives up.
    const later = await startSandbox();
    const app = await connectRaw(later, { scope: SCOPE });
    const closed = await startReceiver();
    await closed.close();
    const gone = await subscribe(later, app.accessToken, {
      callback_url: closed.url,
      types: ['v1/accounts'],
    });
    const [refused] = await later.emitWebhook({
      organizationId: app.organizationId,
      type: 'v1/accounts',
      data: {},
    });
    expect(refused!.attempts).toEqual([{ at: expect.any(Number), error: 'connection' }]);
    expect(refused!.state).toBe('pending');
    await call(later, 'DELETE', `/v2/webhook_subscriptions/${gone.body!.id}`, app.accessToken);
    later.clock.advance(60_000);
    await vi.waitFor(() => expect(later.webhookDeliveries()[0]!.state).toBe('failed'));
    expect(later.webhookDeliveries()[0]!.attempts).toHaveLength(1);
  });
});

describe('sandbox.revokeConsent', () => {
  it('stops the app’s tokens for that member and organization and sends v1/consent-revocations', async () => {
    const sandbox = await startSandbox({ startTime: Date.UTC(2025, 0, 1, 10) });
    const receiver = await startReceiver();
    const client = sandbox.clients[0]!;
    const revoked = await connectRaw(sandbox, { scope: SCOPE, organizationIndex: 0 });
    const other = await connectRaw(sandbox, { scope: SCOPE, organizationIndex: 1 });
    const created = await subscribe(sandbox, revoked.accessToken, {
      callback_url: receiver.url,
      types: ['v1/consent-revocations'],
    });

    const deliveries = await sandbox.revokeConsent({
      clientId: client.clientId,
      organizationId: revoked.organizationId,
      email: revoked.user.email,
    });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.state).toBe('delivered');
    const event = JSON.parse(receiver.received[0]!.body);
    expect(event).toMatchObject({
      type: 'v1/consent-revocations',
      organization_id: revoked.organizationId,
      subscription_id: created.body!.id,
      data: { client_id: client.clientId, revoked_at: event.created_at },
    });
    expect(event.created_at).toMatch(/^2025-01-01T10:0\d:\d\dZ$/);
    expect(
      signatureMatches(receiver.received[0]!.signature, receiver.received[0]!.body, created.body!.secret!).ok,
    ).toBe(true);

    // What an app's handler does with it: core's verifyQontoWebhook accepts it and returns the typed event.
    const verified = await verifyQontoWebhook({
      body: receiver.received[0]!.body,
      signature: receiver.received[0]!.signature,
      secret: created.body!.secret!,
      now: sandbox.clock.now,
    });
    expect(verified).toMatchObject({ type: 'v1/consent-revocations', data: { client_id: client.clientId } });
    await expect(
      verifyQontoWebhook({
        body: receiver.received[0]!.body,
        signature: receiver.received[0]!.signature,
        secret: 'another-secret-of-32-characters!',
        now: sandbox.clock.now,
      }),
    ).rejects.toThrow();

    expect((await revoked.get('/v2/organization')).status).toBe(401);
    const refresh = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: revoked.refreshToken,
      ...clientForm(sandbox),
    });
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The same member's other organization keeps working.
    expect((await other.get('/v2/organization')).status).toBe(200);

    await expect(async () =>
      sandbox.revokeConsent({ clientId: client.clientId, organizationId: revoked.organizationId }),
    ).rejects.toThrow(/no member of .* has live consent/);
    expect(() => sandbox.revokeConsent({ clientId: 'nope', organizationId: revoked.organizationId })).toThrow(
      /no client "nope"/,
    );
  });
});
