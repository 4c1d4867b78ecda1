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
  account_number?: string;
  [field: string]: unknown;
}

/**
 * The authenticated organization with its bank accounts, as `GET /v2/organization` returns it. Needs the
 * `organization.read` scope.
 * https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts
 */
export interface QontoOrganization {
  id: string;
  slug?: string;
  legal_name?: string;
  legal_number?: string;
  legal_sector?: string;
  legal_registration_date?: string;
  legal_address?: string;
  legal_form?: string;
  legal_country?: string;
  legal_share_capital?: number;
  locale?: string;
  contract_signed_at?: string;
  bank_accounts?: QontoBankAccount[];
  [field: string]: unknown;
}
