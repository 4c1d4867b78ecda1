/**
 * Qonto Business API resources as its endpoints return them, with Qonto's snake_case fields: shared by the API
 * client, which fetches them, and the profile, which reads them.
 */

/**
 * The authenticated membership (one user inside one organization), as `GET /v2/membership` returns it, with
 * Qonto's snake_case fields. Needs the `membership.read` scope.
 * https://docs.qonto.com/api-reference/business-api/endpoints/memberships/retrieve-the-authenticated-membership
 */
export interface QontoMembership {
  id: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone_number?: string;
  position?: string;
  status?: string;
  /** e.g. `owner`, `admin`, `manager`, `employee`, `accountant`. */
  role?: string;
  locale?: string;
  team_id?: string;
  kyc_status?: string;
  [field: string]: unknown;
}

/**
 * A member of the organization, as `GET /v2/memberships` lists it (`itemsKey: 'memberships'`, scope
 * `organization.read`). Unlike {@link QontoMembership} (the authenticated one), it carries no contact details.
 * https://docs.qonto.com/api-reference/business-api/accounts-organizations/memberships/list-memberships
 */
export interface QontoMember {
  id: string;
  first_name?: string;
  last_name?: string;
  /** e.g. `owner`, `admin`, `manager`, `reporting`, `employee`, `accountant`; null for a member not yet joined. */
  role?: string | null;
  status?: string;
  team_id?: string | null;
  residence_country?: string;
  birthdate?: string;
  nationality?: string;
  birth_country?: string;
  /** Whether the member is one of the organization's ultimate beneficial owners. */
  ubo?: boolean;
  [field: string]: unknown;
}

/**
 * One bank account of the organization, as listed in `GET /v2/organization` (`bank_accounts`) and
 * `GET /v2/bank_accounts`. Amounts come both in euros (`balance`) and in cents (`balance_cents`).
 */
export interface QontoBankAccount {
  id?: string;
  slug?: string;
  name?: string;
  organization_id?: string;
  status?: string;
  main?: boolean;
  iban?: string;
  bic?: string;
  currency?: string;
  balance?: number;
  balance_cents?: number;
  authorized_balance?: number;
  authorized_balance_cents?: number;
  updated_at?: string;
  is_external_account?: boolean;
  /** A string or null, as Qonto sends it (its docs' example shows a number; real answers carry a string or null). */
  account_number?: string | null;
  [field: string]: unknown;
}

/**
 * The authenticated organization with its bank accounts, as `GET /v2/organization` returns it. Needs the
 * `organization.read` scope.
 * https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts
 */
export interface QontoOrganization {
  id: string;
  /** The trading name (sent by Qonto, not in its docs' example). */
  name?: string;
  slug?: string;
  legal_name?: string;
  legal_number?: string;
  legal_sector?: string;
  legal_registration_date?: string;
  legal_address?: string;
  /** Sent by Qonto besides `legal_address`; its shape is not documented. */
  address?: unknown;
  legal_form?: string;
  legal_country?: string;
  legal_share_capital?: number;
  locale?: string;
  contract_signed_at?: string;
  bank_accounts?: QontoBankAccount[];
  [field: string]: unknown;
}

/**
 * A label of the organization, as `GET /v2/labels` lists it: a label can group others through `parent_id`.
 * Needs `organization.read`. https://docs.qonto.com/api-reference/business-api/expense-management/labels/list-labels
 */
export interface QontoLabel {
  id: string;
  name?: string;
  parent_id?: string | null;
  [field: string]: unknown;
}

/**
 * A file attached to a transaction (an invoice, a receipt), as `GET /v2/attachments/{id}` returns it. Its `url` is
 * a temporary download link, valid 30 minutes, fetched with no token: ask again for a new one.
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments/retrieve-an-attachment
 */
export interface QontoAttachment {
  id: string;
  created_at?: string;
  file_name?: string;
  file_size?: number;
  file_content_type?: string;
  url?: string;
  /** The PAdES version of the file; its file fields are present only when `status` is `available`. */
  probative_attachment?: {
    status?: string;
    file_name?: string;
    file_size?: number;
    file_content_type?: string;
    url?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/**
 * The counterparty's account on a transfer, an income or a direct debit (`transfer`, `income`, `direct_debit` of a
 * {@link QontoTransaction}), as Qonto's example shows it under `transfer`.
 */
export interface QontoCounterpartyDetails {
  /** e.g. an IBAN. */
  counterparty_account_number?: string;
  /** e.g. `IBAN`. */
  counterparty_account_number_format?: string;
  /** e.g. a BIC. */
  counterparty_bank_identifier?: string;
  /** e.g. `SWIFT_BIC`. */
  counterparty_bank_identifier_format?: string;
  [field: string]: unknown;
}

/** What `includes[]` embeds in a transaction. */
export type QontoTransactionInclude = 'labels' | 'attachments' | 'vat_details';

/**
 * A transaction, as `GET /v2/transactions` lists it and `GET /v2/transactions/{id}` returns it, with the embeds
 * asked for with `includes`. Needs `organization.read`. Amounts come in euros and in cents.
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions
 */
export interface QontoTransaction {
  id: string;
  transaction_id?: string;
  amount?: number;
  amount_cents?: number;
  settled_balance?: number | null;
  settled_balance_cents?: number | null;
  attachment_ids?: string[];
  /** The counterparty's logo, or null (sent by Qonto, not in its docs' example). */
  logo?: { small?: string; medium?: string; [field: string]: unknown } | null;
  local_amount?: number;
  local_amount_cents?: number;
  /** `debit` or `credit`. */
  side?: string;
  operation_type?: string;
  currency?: string;
  local_currency?: string;
  label?: string;
  /** Null when Qonto could not clean the counterparty's name: fall back to `label`. */
  clean_counterparty_name?: string | null;
  /** Null until the transaction is completed. */
  settled_at?: string | null;
  emitted_at?: string;
  /** When Qonto recorded the transaction; can be null (sent by Qonto, not in its docs' example). */
  created_at?: string | null;
  updated_at?: string;
  /** `pending`, `declined`, `completed`... */
  status?: string;
  note?: string | null;
  reference?: string | null;
  vat_amount?: number | null;
  vat_amount_cents?: number | null;
  /** -1 when several rates apply (or the rate is unknown): `vat_details` tells them apart. */
  vat_rate?: number | null;
  initiator_id?: string | null;
  label_ids?: string[];
  attachment_lost?: boolean;
  attachment_required?: boolean;
  card_last_digits?: string | null;
  category?: string;
  /** The cash-flow category, or null when none is set. */
  cashflow_category?: { name?: string; [field: string]: unknown } | null;
  cashflow_subcategory?: { name?: string; [field: string]: unknown } | null;
  subject_type?: string;
  bank_account_id?: string;
  is_external_transaction?: boolean;
  /** Transfers: the beneficiary's account. */
  transfer?: QontoCounterpartyDetails;
  /** Incomes: the payer's account. */
  income?: QontoCounterpartyDetails;
  /** Direct debits: the creditor's account. */
  direct_debit?: QontoCounterpartyDetails;
  /** With `includes: ['labels']`. */
  labels?: QontoLabel[];
  /** With `includes: ['attachments']`. */
  attachments?: QontoAttachment[];
  /** With `includes: ['vat_details']`; its shape is not documented. */
  vat_details?: unknown;
  [field: string]: unknown;
}

/**
 * A monthly statement of a bank account, as `GET /v2/statements` lists it (`itemsKey: 'statements'`) and
 * `GET /v2/statements/{id}` returns it under `statement`. Needs `organization.read`. Its `file.file_url` is a
 * temporary download link, like an attachment's `url`.
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/statements/list-statements
 */
export interface QontoStatement {
  id: string;
  bank_account_id?: string;
  /** The month covered. */
  period?: string;
  file?: {
    file_name?: string;
    file_content_type?: string;
    /** A string, as real clients read it. */
    file_size?: string;
    file_url?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/**
 * A webhook subscription (scope `webhook`), as `POST /v2/webhook_subscriptions` answers it (with its `secret`, shown
 * only then: keep it to check each delivery with `verifyQontoWebhook`) and as `GET /v2/webhook_subscriptions` lists
 * it (`itemsKey: 'subscriptions'`, without the secret). It belongs to the app and the organization of the token
 * that created it. https://docs.qonto.com/api-reference/business-api/webhooks/setup
 */
export interface QontoWebhookSubscription {
  id: string;
  organization_id?: string;
  membership_id?: string;
  callback_url?: string;
  /** The event types delivered, e.g. `v1/consent-revocations`. */
  types?: string[];
  description?: string | null;
  created_at?: string;
  updated_at?: string;
  /** The signing secret, in the answer to the creation only. */
  secret?: string;
  [field: string]: unknown;
}
