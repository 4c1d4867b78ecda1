import { createHmac } from 'node:crypto';

/** The header Qonto signs every webhook delivery with (https://docs.qonto.com/api-reference/business-api/webhooks/overview). */
export const QONTO_SIGNATURE_HEADER = 'X-Qonto-Signature';

/**
 * The `X-Qonto-Signature` value for `body` sent at `timestamp` (Unix seconds): `t={timestamp},v1={hex}`, the hex
 * being HMAC-SHA256 over `"{timestamp}.{body}"` keyed with the subscription's secret, as Qonto documents it.
 */
export function qontoSignature(secret: string, timestamp: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}
