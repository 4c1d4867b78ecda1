import { QontoConfigError, QontoUnexpectedResponseError, QontoWebhookSignatureError } from './errors.js';
import { explain } from './messages.js';
import { hmacKey } from './pkce.js';

/** The header Qonto signs each webhook delivery in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const QONTO_WEBHOOK_SIGNATURE_HEADER = 'X-Qonto-Signature';

const WEBHOOK_DOC = 'https://docs.qonto.com/api-reference/business-api/webhooks/overview';

/** The `data` of each webhook type core knows (https://docs.qonto.com/api-reference/business-api/webhooks/supported-webhooks). */
export type QontoWebhookEventData = {
  /** A member revoked your app's access to the organization: its tokens no longer work. */
  'v1/consent-revocations': { client_id: string; revoked_at: string; [field: string]: unknown };
  /** The organization changed (`event`: e.g. `suspended`). */
  'v1/organizations': { event?: string; [field: string]: unknown };
  /** A membership changed (`event`: e.g. `updated`). */
  'v1/memberships': { event?: string; [field: string]: unknown };
};

/**
 * A verified webhook delivery: Qonto's envelope, `data` typed per `type` (narrow it with
 * {@link isQontoWebhookEvent}). Types core does not know come with their `data` as plain JSON.
 */
export type QontoWebhookEvent<T extends string = string> = {
  id: string;
  subscription_id: string;
  organization_id: string;
  membership_id: string;
  type: T;
  /** ISO 8601. */
  created_at: string;
  data: T extends keyof QontoWebhookEventData ? QontoWebhookEventData[T] : Record<string, unknown>;
};

/** True when `event` is of `type`, with its `data` typed accordingly. */
export function isQontoWebhookEvent<T extends keyof QontoWebhookEventData>(
  event: QontoWebhookEvent,
  type: T,
): event is QontoWebhookEvent<T> {
  return event.type === type;
}

/** Options of {@link verifyQontoWebhook}. */
export interface VerifyQontoWebhookOptions {
  /** The request body exactly as received: `await request.text()`, `express.raw()`'s Buffer, an ArrayBuffer. */
  body: string | Uint8Array | ArrayBuffer;
  /** The `X-Qonto-Signature` header. */
  signature: string | null | undefined;
  /** The subscription's signing secret, returned once when the subscription was created. */
  secret: string;
  /** How old (or far in the future) a signature's `t` may be, in seconds (default 300, as Qonto documents). */
  toleranceSeconds?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * Checks a Qonto webhook delivery and returns its event
 * (https://docs.qonto.com/api-reference/business-api/webhooks/overview): `X-Qonto-Signature` is
 * `t=<unix seconds>,v1=<hex>`; `t` must be within 5 minutes of now, and `v1` the HMAC-SHA256 of `"{t}.{raw body}"`
 * under the subscription's secret, compared in constant time. Web Crypto only: runs in Node, Deno, Bun, edge
 * runtimes.
 *
 * A bad, missing, stale or mismatched signature throws {@link QontoWebhookSignatureError} (answer 400, do nothing);
 * a body that was already parsed into an object throws `QontoConfigError`: the signature covers the raw bytes.
 *
 * @example
 * app.post('/webhooks/qonto', express.raw({ type: 'application/json' }), async (req, res) => {
 *   const event = await verifyQontoWebhook({ body: req.body, signature: req.get('x-qonto-signature'), secret });
 *   res.sendStatus(200);
 * });
 */
export async function verifyQontoWebhook(o: VerifyQontoWebhookOptions): Promise<QontoWebhookEvent> {
  const body = o?.body;
  if (!(typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer)) {
    throw new QontoConfigError(
      explain(
        `verifyQontoWebhook got ${body === null ? 'null' : `a ${typeof body}`}, not the raw body`,
        'a JSON parser ran first (the signature covers the raw bytes)',
        "pass express.raw()'s Buffer, await request.text() or Nest's rawBody",
      ),
    );
  }
  if (typeof o.secret !== 'string' || o.secret === '') {
    throw new QontoConfigError("verifyQontoWebhook needs `secret`: the subscription's signing secret.");
  }
  const tolerance = o.toleranceSeconds ?? 300;
  if (!(tolerance >= 0)) throw new QontoConfigError('toleranceSeconds must be 0 or more (default 300).');
  const { t, v1 } = parseSignature(o.signature);
  const age = Math.abs((o.now ?? Date.now)() / 1000 - Number(t));
  if (!(age <= tolerance)) {
    throw refused(
      `its t is ${Math.round(age)} s from now (over ${tolerance} s)`,
      'a replay, or a wrong clock',
      '; check the clock',
    );
  }
  const key = await hmacKey(o.secret, 'verify');
  const signed = await new Blob([`${t}.`, body]).arrayBuffer();
  // HMAC verify compares in constant time.
  let valid = false;
  for (const hex of v1) valid = (await crypto.subtle.verify('HMAC', key, fromHex(hex), signed)) || valid;
  if (!valid) {
    throw refused(
      'no v1 matches the body',
      'another secret, or a changed body',
      "; verify the raw body with this subscription's secret",
    );
  }
  return readEnvelope(await new Blob([body]).text());
}

function parseSignature(header: string | null | undefined): { t: string; v1: string[] } {
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of typeof header === 'string' ? header.split(',') : []) {
    const [name, value] = part.trim().split('=');
    if (name === 't' && /^\d{1,12}$/.test(value ?? '')) t = value;
    if (name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) v1.push(value!);
  }
  if (t === undefined || v1.length === 0) {
    throw refused(
      `${QONTO_WEBHOOK_SIGNATURE_HEADER} is ${header ? 'malformed' : 'missing'}`,
      'not sent by Qonto, or a proxy dropped it',
    );
  }
  return { t, v1 };
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (byte) => Number.parseInt(byte, 16));
}

/** Every refusal's fix is to answer 400, then `more`. */
function refused(what: string, cause: string, more = ''): QontoWebhookSignatureError {
  return new QontoWebhookSignatureError(
    explain(`The Qonto webhook was refused: ${what}`, cause, `answer 400${more}. See ${WEBHOOK_DOC}`),
  );
}

function readEnvelope(body: string): QontoWebhookEvent {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {}
  const e = event as Partial<QontoWebhookEvent> | null | undefined;
  if (
    typeof e?.type !== 'string' ||
    typeof e.organization_id !== 'string' ||
    typeof e.data !== 'object' ||
    !e.data
  ) {
    throw new QontoUnexpectedResponseError(
      explain(
        'The Qonto webhook is signed but is no event envelope',
        'the secret signs other deliveries',
        'check what posts to this URL',
      ),
    );
  }
  return e as QontoWebhookEvent;
}
