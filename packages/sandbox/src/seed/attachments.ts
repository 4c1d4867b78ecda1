import { prngFor } from './prng.js';
import { receiptPdf } from './receipt-pdf.js';
import type { SeedTransaction } from './transactions.js';

/**
 * A file attached to a transaction (https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments/retrieve-an-attachment):
 * what `GET /v2/attachments/{id}` describes, and the bytes its temporary `url` serves.
 */
export interface SeedAttachment {
  id: string;
  organizationId: string;
  transactionId: string;
  created_at: string;
  file_name: string;
  file_content_type: 'application/pdf' | 'image/jpeg' | 'image/png';
  bytes: Uint8Array;
  /** Uploads only: the emulator clock's time from which the attachment shows (Qonto processes uploads in the background). */
  visibleAt?: number;
}

const MINUTE = 60_000;

/**
 * A receipt PDF for every attachment id of the seeded transactions, uploaded a little after the transaction
 * settled (never after `startTime`), from the `attachments` stream.
 */
export function seedAttachments(
  seed: number,
  transactions: SeedTransaction[],
  organizationOf: (bankAccountId: string) => string,
  startTime: number,
): SeedAttachment[] {
  const prng = prngFor(seed, 'attachments');
  return transactions.flatMap((t) =>
    t.attachment_ids.map((id) => {
      const settled = Date.parse(t.settled_at ?? t.emitted_at);
      const amount = `${t.side === 'debit' ? '-' : ''}${t.amount.toFixed(2)} ${t.currency}`;
      return {
        id,
        organizationId: organizationOf(t.bank_account_id),
        transactionId: t.id,
        created_at: new Date(Math.min(startTime, settled + prng.int(1, 600) * MINUTE)).toISOString(),
        file_name: `receipt-${t.transaction_id}.pdf`,
        file_content_type: 'application/pdf' as const,
        bytes: receiptPdf({
          title: `Receipt - ${t.clean_counterparty_name ?? t.label}`,
          lines: [
            `Amount: ${amount}`,
            `Date: ${t.emitted_at.slice(0, 10)}`,
            `Transaction: ${t.transaction_id}`,
          ],
        }),
      };
    }),
  );
}
