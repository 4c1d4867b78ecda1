import {
  isQontoError,
  type QontoApiClient,
  type QontoBankAccount,
  type QontoMembership,
  type QontoOrganization,
} from '@qonto-oauth/core';

/** How many transactions `/me` shows. */
export const LATEST_TRANSACTIONS = 10;

/** One row of `GET /v2/transactions` (Qonto's snake_case fields; only the ones shown are read). */
export interface TransactionRow {
  transaction_id?: string;
  id?: string;
  label?: string;
  amount?: number;
  currency?: string;
  side?: string;
  status?: string;
  settled_at?: string | null;
  emitted_at?: string;
  /** Embedded with `includes[]=labels`. */
  labels?: { name?: string }[];
  /** Embedded with `includes[]=attachments`; each `url` is a download link valid 30 minutes. */
  attachments?: { file_name?: string; url?: string }[];
}

/** What `/me` shows. `transactions` is a note instead of rows when the Qonto server has no such endpoint. */
export interface AccountView {
  member: QontoMembership;
  organization: QontoOrganization;
  bankAccounts: QontoBankAccount[];
  mainAccount: QontoBankAccount | undefined;
  transactions: { rows: TransactionRow[] } | { unavailable: string };
}

/**
 * Loads the member, the organization with its bank accounts, and the latest transactions of the main account.
 * @see https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts
 */
export async function loadAccount(api: QontoApiClient): Promise<AccountView> {
  // One after the other: the first call may refresh an expired access token, the second then reuses it.
  const member = await api.getMembership();
  const organization = await api.getOrganization();
  const bankAccounts = organization.bank_accounts ?? [];
  const mainAccount = bankAccounts.find((account) => account.main) ?? bankAccounts[0];
  return {
    member,
    organization,
    bankAccounts,
    mainAccount,
    transactions: await latestTransactions(api, mainAccount),
  };
}

/**
 * The latest transactions of `account`, newest first (`GET /v2/transactions` needs `bank_account_id` or `iban`).
 * A 404 means this Qonto server does not serve the endpoint (an older emulator): the page says so instead of failing.
 * @see https://docs.qonto.com/api-reference/business-api/transactions/transactions/list-transactions
 */
async function latestTransactions(
  api: QontoApiClient,
  account: QontoBankAccount | undefined,
): Promise<AccountView['transactions']> {
  if (!account) return { unavailable: 'No bank account, so no transactions.' };
  const which = account.id ? { bank_account_id: account.id } : { iban: account.iban ?? '' };
  try {
    const page = await api.get<{ transactions?: TransactionRow[] }>('/v2/transactions', {
      ...which,
      sort_by: 'settled_at:desc',
      per_page: LATEST_TRANSACTIONS,
      includes: ['labels', 'attachments'],
    });
    return { rows: (page.transactions ?? []).slice(0, LATEST_TRANSACTIONS) };
  } catch (error) {
    if (isQontoError(error) && error.code === 'api' && (error as { status?: number }).status === 404) {
      return {
        unavailable:
          'Transactions unavailable: this Qonto server answered 404 to GET /v2/transactions (an emulator that does ' +
          'not serve it yet).',
      };
    }
    throw error;
  }
}
