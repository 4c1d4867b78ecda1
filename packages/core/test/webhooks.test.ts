import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isQontoWebhookEvent,
  QONTO_WEBHOOK_SIGNATURE_HEADER,
  QontoConfigError,
  QontoUnexpectedResponseError,
  QontoWebhookSignatureError,
  verifyQontoWebhook,
} from '../src/index.js';
import { type Loopback, startLoopback } from './helpers/loopback.js';

const SECRET = 'whsec-subscription-secret-for-tests';
const T = 1_767_261_600; // 2026-01-01T10:00:00Z, in seconds
const now = () => T * 1000;

const EVENT = {
  id: 'evt-1',
  subscription_id: 'sub-1',
  organization_id: 'org-acme',
  membership_id: 'mem-ada',
  type: 'v1/consent-revocations',
  created_at: '2026-01-01T10:00:00.000Z',
  data: { client_id: 'app', revoked_at: '2026-01-01T09:59:59.000Z' },
};
/** As Qonto sends it: a byte of whitespace more or less, and the signature no longer matches a re-serialised body. */
const BODY = JSON.stringify(EVENT, null, 1);

/** Signed independently of core, with node:crypto, as Qonto documents. */
function sign(body: string, t = T, secret = SECRET): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

async function refusal(o: Parameters<typeof verifyQontoWebhook>[0]): Promise<unknown> {
  return verifyQontoWebhook(o).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('verifyQontoWebhook', () => {
  it("accepts Qonto's documented test vector and refuses it with one hex digit changed", async () => {
    const vector = '56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805';
    const o = { body: '{"test":"data"}', secret: 'test-secret', now: () => 1_704_110_400_000 };
    // The signature passes; the body is not an event envelope, which is the next check.
    const passed = await refusal({ ...o, signature: `t=1704110400,v1=${vector}` });
    expect(passed).toBeInstanceOf(QontoUnexpectedResponseError);
    const changed = `t=1704110400,v1=${vector.slice(0, -1)}4`;
    expect(await refusal({ ...o, signature: changed })).toBeInstanceOf(QontoWebhookSignatureError);
  });

  it('returns the typed envelope for the raw body as a string, a Buffer, a Uint8Array or an ArrayBuffer', async () => {
    const bytes = new TextEncoder().encode(BODY);
    for (const body of [BODY, Buffer.from(BODY), bytes, bytes.buffer]) {
      const event = await verifyQontoWebhook({ body, signature: sign(BODY), secret: SECRET, now });
      expect(event).toEqual(EVENT);
      if (!isQontoWebhookEvent(event, 'v1/consent-revocations')) throw new Error('narrowing failed');
      const clientId: string = event.data.client_id;
      expect(clientId).toBe('app');
    }
  });

  it('refuses a changed body, another secret, a missing or malformed header', async () => {
    const cases: [string, Partial<Parameters<typeof verifyQontoWebhook>[0]>][] = [
      ['body re-serialised', { body: JSON.stringify(EVENT) }],
      ['another secret', { signature: sign(BODY, T, 'whsec-another-subscription') }],
      ['no header', { signature: undefined }],
      ['null header', { signature: null }],
      ['no v1', { signature: `t=${T}` }],
      ['no t', { signature: sign(BODY).replace(/^t=\d+,/, '') }],
      ['upper-case hex', { signature: sign(BODY).toUpperCase().replace('T=', 't=').replace('V1=', 'v1=') }],
      ['t of another time', { signature: sign(BODY).replace(`t=${T}`, `t=${T + 1}`) }],
    ];
    for (const [what, change] of cases) {
      const error = await refusal({ body: BODY, signature: sign(BODY), secret: SECRET, now, ...change });
      expect(error, what).toBeInstanceOf(QontoWebhookSignatureError);
      expect((error as QontoWebhookSignatureError).code, what).toBe('webhook_signature');
      expect(String(error), what).not.toContain(SECRET);
    }
  });

  it('accepts any matching v1 among several (a secret being rotated)', async () => {
    const other = sign(BODY, T, 'whsec-old-secret').split(',')[1];
    const event = await verifyQontoWebhook({
      body: BODY,
      signature: `${sign(BODY)},${other}`,
      secret: SECRET,
      now,
    });
    expect(event.id).toBe('evt-1');
  });

  it('refuses a signature more than 5 minutes away from now, either way, or outside toleranceSeconds', async () => {
    const at = (seconds: number, toleranceSeconds?: number) =>
      refusal({ body: BODY, signature: sign(BODY, T + seconds), secret: SECRET, now, toleranceSeconds });
    expect(await at(-300)).toBeUndefined();
    expect(await at(300)).toBeUndefined();
    expect(await at(-301)).toBeInstanceOf(QontoWebhookSignatureError);
    expect(await at(301)).toBeInstanceOf(QontoWebhookSignatureError);
    expect(await at(-60, 30)).toBeInstanceOf(QontoWebhookSignatureError);
    expect(String(await at(-301))).toMatch(/301 s from now \(over 300 s\)/);
  });

  it('refuses a body a JSON parser already read, saying to pass the raw body', async () => {
    const error = await refusal({ body: EVENT as never, signature: sign(BODY), secret: SECRET, now });
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(String(error)).toMatch(/not the raw body.*express\.raw\(\)/);
  });

  it('refuses a missing secret', async () => {
    expect(await refusal({ body: BODY, signature: sign(BODY), secret: '', now })).toBeInstanceOf(
      QontoConfigError,
    );
  });
});

describe('verifyQontoWebhook over HTTP', () => {
  let server: Loopback;
  const outcomes: unknown[] = [];

  beforeAll(async () => {
    // A receiver as an app writes it: the raw body and the header, 200 when verified, 400 otherwise.
    server = await startLoopback(async (req, res, recorded) => {
      try {
        const event = await verifyQontoWebhook({
          body: recorded.body,
          signature: req.headers['x-qonto-signature'] as string | undefined,
          secret: SECRET,
          now,
        });
        outcomes.push(event);
        res.writeHead(200).end();
      } catch (error) {
        outcomes.push(error);
        res.writeHead(400).end();
      }
    });
  });
  afterAll(() => server.close());

  it('verifies a delivery as received, and refuses one whose body changed on the way', async () => {
    const deliver = (body: string, signature: string) =>
      fetch(`${server.url}/webhooks/qonto`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [QONTO_WEBHOOK_SIGNATURE_HEADER]: signature },
        body,
      });
    expect((await deliver(BODY, sign(BODY))).status).toBe(200);
    expect((await deliver(BODY.replace('org-acme', 'org-evil'), sign(BODY))).status).toBe(400);
    expect(outcomes[0]).toEqual(EVENT);
    expect(outcomes[1]).toBeInstanceOf(QontoWebhookSignatureError);
    expect(inspect(outcomes[1])).not.toContain(SECRET);
  });
});
