import type { SeedBankAccount } from './bank-accounts.js';
import { prngFor } from './prng.js';
import { receiptPdf } from './receipt-pdf.js';
import type { SeedTransaction } from './transactions.js';

/** How many full months of statements each bank account has, the last one the month before `startTime`'s. */
export const STATEMENT_MONTHS = 6;

/**
 * A monthly statement of one bank account, as `GET /v2/statements` lists it, plus its PDF, served like an
 * attachment's file (a 30-minute pre-signed URL).
 */
export interface SeedStatement {
  id: string;
  organizationId: string;
  bank_account_id: string;
  /** `MM-YYYY` (emulator choice: Qonto's form is not confirmed here). */
  period: string;
  file: { id: string; file_name: string; file_content_type: 'application/pdf'; bytes: Uint8Array };
}

const euros = (cents: number): string => `${(cents / 100).toFixed(2)} EUR`;

/** `STATEMENT_MONTHS` statements per bank account, oldest first, from the `statements` stream. */
export function seedStatements(
  seed: number,
  bankAccounts: SeedBankAccount[],
  transactions: SeedTransaction[],
  startTime: number,
): SeedStatement[] {
  const prng = prngFor(seed, 'statements');
  const start = new Date(startTime);
  return bankAccounts.flatMap((account) =>
    Array.from({ length: STATEMENT_MONTHS }, (_, i) => {
      const first = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - STATEMENT_MONTHS + i, 1);
      const next = Date.UTC(new Date(first).getUTCFullYear(), new Date(first).getUTCMonth() + 1, 1);
      const month = new Date(first).toISOString().slice(0, 7);
      const settled = transactions.filter(
        (t) =>
          t.bank_account_id === account.id &&
          t.settled_at !== null &&
          Date.parse(t.settled_at) >= first &&
          Date.parse(t.settled_at) < next,
      );
      const credits = settled.filter((t) => t.side === 'credit').reduce((sum, t) => sum + t.amount_cents, 0);
      const debits = settled.filter((t) => t.side === 'debit').reduce((sum, t) => sum + t.amount_cents, 0);
      const id = prng.uuid();
      const fileName = `statement-${account.slug}-${month}.pdf`;
      return {
        id,
        organizationId: account.organization_id,
        bank_account_id: account.id,
        period: `${month.slice(5, 7)}-${month.slice(0, 4)}`,
        file: {
          id: prng.uuid(),
          file_name: fileName,
          file_content_type: 'application/pdf' as const,
          bytes: receiptPdf({
            title: `Statement ${month} - ${account.name}`,
            lines: [
              `IBAN: ${account.iban}`,
              `Transactions settled: ${settled.length}`,
              `Credits: ${euros(credits)}`,
              `Debits: ${euros(debits)}`,
            ],
          }),
        },
      };
    }),
  );
}
