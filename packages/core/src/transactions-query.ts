import type { QontoTransactionInclude } from './api-resources.js';
import { QontoConfigError } from './errors.js';

/** A transaction's status; Qonto honours one per request. */
export type QontoTransactionStatus = 'pending' | 'declined' | 'completed';

/** The orders `sort_by` takes. */
export type QontoTransactionSort =
  | 'settled_at:asc'
  | 'settled_at:desc'
  | 'updated_at:asc'
  | 'updated_at:desc';

/** A date-time bound: an ISO 8601 string (`2025-01-31T00:00:00.000Z`) or a `Date`. */
export type QontoDateBound = string | Date;

/**
 * The filters of `GET /v2/transactions`
 * (https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions), by
 * their query names. One account is required: `bank_account_id` or `iban` (the id wins when both are given).
 * Date bounds are inclusive.
 */
export type QontoTransactionsQuery = ({ bank_account_id: string; iban?: string } | { iban: string }) & {
  /** One status: Qonto honours a single status per request (sent as `status[]`). */
  status?: [QontoTransactionStatus];
  side?: 'debit' | 'credit';
  /** e.g. `card`, `transfer`, `income`, `direct_debit`, `qonto_fee` (sent as `operation_type[]`). */
  operation_type?: string[];
  emitted_at_from?: QontoDateBound;
  emitted_at_to?: QontoDateBound;
  settled_at_from?: QontoDateBound;
  settled_at_to?: QontoDateBound;
  updated_at_from?: QontoDateBound;
  updated_at_to?: QontoDateBound;
  /** `true`: only transactions with an attachment; `false`: only those without. */
  with_attachments?: boolean;
  sort_by?: QontoTransactionSort;
  /** Embeds `labels`, `attachments` (each with a 30-minute `url`) or `vat_details` in each transaction. */
  includes?: QontoTransactionInclude[];
};

/**
 * Refuses a {@link QontoTransactionsQuery} without an account (`bank_account_id` or `iban`) with `QontoConfigError`,
 * before any request: a query built from untyped data can lack both.
 */
export function assertTransactionsAccount(query: unknown): asserts query is QontoTransactionsQuery {
  const q = (query ?? {}) as { bank_account_id?: unknown; iban?: unknown };
  const given = (value: unknown) => typeof value === 'string' && value !== '';
  if (given(q.bank_account_id) || given(q.iban)) return;
  throw new QontoConfigError(
    'listTransactions needs a non-empty bank_account_id or iban (one account), e.g. from ' +
      'getOrganization().bank_accounts.',
  );
}
