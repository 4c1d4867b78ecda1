import {
  QontoApiClient,
  QontoApiError,
  type QontoBankAccount,
  type QontoEnvConfig,
  type QontoMembership,
  type QontoOrganization,
} from '@qonto-oauth/core';

/** One row of `GET /v2/transactions` (Qonto's snake_case fields; only the ones the page shows). */
export interface QontoTransactionRow {
  id?: string;
  transaction_id?: string;
  label?: string;
  amount?: number;
  currency?: string;
  side?: 'debit' | 'credit' | string;
  status?: string;
  settled_at?: string | null;
  emitted_at?: string;
  /** Embedded with `includes[]=labels`. */
  labels?: { id?: string; name?: string }[];
  /** Embedded with `includes[]=attachments`; each `url` is a download link valid 30 minutes, no token needed. */
  attachments?: { id?: string; file_name?: string; url?: string }[];
}

/** A list, or the note shown instead when this Qonto server cannot give it. */
export type Listed<T> = { rows: T[]; note?: string };

/** What the signed-in home page shows, all fetched server-side with the member's access token. */
export interface AccountOverview {
  member: QontoMembership;
  organization: QontoOrganization;
  bankAccounts: Listed<QontoBankAccount>;
  /** The account whose transactions are listed: the main one, else the first. */
  transactionsAccount: QontoBankAccount | undefined;
  transactions: Listed<QontoTransactionRow>;
}

const LATEST = 10;

/** 404 from a list endpoint: the server (an emulator without it, a wrong base URL) does not serve that path. */
function notServed(error: unknown, path: string): string | undefined {
  if (!(error instanceof QontoApiError) || error.status !== 404) return undefined;
  return `This Qonto server answered 404 to GET ${path} (an emulator that does not serve it yet?).`;
}

/**
 * Loads the member, the organization, its bank accounts (`GET /v2/bank_accounts`, else the ones
 * `GET /v2/organization` lists) and the latest transactions of the main account.
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions
 */
export async function loadAccountOverview(
  qonto: QontoEnvConfig,
  accessToken: string,
): Promise<AccountOverview> {
  const api = new QontoApiClient({
    environment: qonto.environment,
    stagingToken: qonto.stagingToken,
    tokens: accessToken,
  });
  const [member, organization] = await Promise.all([api.getMembership(), api.getOrganization()]);
  const bankAccounts = await api
    .get<{ bank_accounts?: QontoBankAccount[] }>('/v2/bank_accounts')
    .then((page): Listed<QontoBankAccount> => ({ rows: page.bank_accounts ?? [] }))
    .catch((error: unknown): Listed<QontoBankAccount> => {
      const note = notServed(error, '/v2/bank_accounts');
      if (note === undefined) throw error;
      return {
        rows: organization.bank_accounts ?? [],
        note: `${note} Showing the accounts of GET /v2/organization.`,
      };
    });
  const account = bankAccounts.rows.find((a) => a.main) ?? bankAccounts.rows[0];
  const transactions =
    account === undefined ? { rows: [], note: 'No bank account.' } : await latest(api, account);
  return { member, organization, bankAccounts, transactionsAccount: account, transactions };
}

async function latest(api: QontoApiClient, account: QontoBankAccount): Promise<Listed<QontoTransactionRow>> {
  // `bank_account_id` wins over `iban` when both are sent; an account from /v2/organization may lack an id.
  const which = account.id !== undefined ? { bank_account_id: account.id } : { iban: account.iban ?? '' };
  try {
    const page = await api.get<{ transactions?: QontoTransactionRow[] }>('/v2/transactions', {
      ...which,
      sort_by: 'settled_at:desc',
      per_page: LATEST,
      includes: ['labels', 'attachments'],
    });
    return { rows: (page.transactions ?? []).slice(0, LATEST) };
  } catch (error) {
    const note = notServed(error, '/v2/transactions');
    if (note === undefined) throw error;
    return { rows: [], note };
  }
}
