/**
 * Qonto's scope catalogue, with the words the consent page shows for each: every scope Qonto documents
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/available-scopes and the `security.OAuth`
 * list of Qonto's OpenAPI pages), plus `einvoicing.read`, which Qonto grants (real clients send it and get 403
 * without it) though its pages do not list it. Any other scope is refused with `invalid_scope`.
 */
export const QONTO_SCOPES: Readonly<Record<string, string>> = Object.freeze({
  offline_access: 'Stay connected when you are not using the app (refresh token)',
  openid: 'Know who you are (your user id and email)',
  'organization.read': 'Get and export info about your balance, IBAN, transactions, organization and team',
  'membership.read': 'Read your identity, contact details and role in the organization',
  'membership.write': 'Invite members to your organization',
  'user_organization.read': 'List the organizations you gave access to',
  'attachment.read': 'Read your attachments and invoices',
  'attachment.write': 'Upload attachments and add them to transactions',
  'payment.write': 'Make transfers and manage beneficiaries',
  'internal_transfer.write': "Move money between your organization's own accounts",
  'beneficiary.trust': 'Mark SEPA beneficiaries as trusted',
  'bank_account.write': 'Manage your bank accounts',
  'card.read': 'See your cards',
  'card.write': 'Manage your cards',
  'team.read': 'See your teams',
  'team.write': 'Manage your teams',
  'subscription.read': 'See your Qonto plan',
  'client.read': 'See your invoicing customers',
  'client.write': 'Manage your invoicing customers',
  'client_invoices.read': 'See your client invoices, quotes and credit notes',
  'client_invoice.write': 'Create and manage client invoices, quotes and credit notes',
  'supplier_invoice.read': 'See your supplier invoices',
  'supplier_invoice.write': 'Manage your supplier invoices',
  'product.read': 'See your product catalogue',
  'product.write': 'Manage your product catalogue',
  'request_review.read': 'See approval requests',
  'request_review.write': 'Approve or decline requests',
  'request_transfers.write': 'Create transfer requests',
  'insurance_contract.read': 'See your insurance contracts',
  'insurance_contract.write': 'Manage your insurance contracts',
  'payment_link.read': 'See your payment links',
  'payment_link.write': 'Manage your payment links',
  'sepa_direct_debit.read': 'See your SEPA direct debits',
  'sepa_direct_debit.write': 'Manage your SEPA direct debits',
  'terminal.read': 'See your Qonto Terminal payments',
  'terminal.write': 'Manage your Qonto Terminal',
  webhook: 'Manage webhook subscriptions',
  'einvoicing.read': 'See your e-invoicing settings and documents',
});

/** @deprecated The same catalogue as {@link QONTO_SCOPES}, which also holds `einvoicing.read`. */
export const DOCUMENTED_SCOPES = QONTO_SCOPES;

/**
 * Scopes Qonto refuses to a typical app, which a client gets only when its `allowedScopes` names them:
 * `request_review.read` (refused by Qonto's server, as seen by real clients) and `beneficiary.trust` (for Embed
 * partners only, per Qonto's scope guidance).
 */
export const SCOPES_REFUSED_BY_DEFAULT: readonly string[] = Object.freeze([
  'request_review.read',
  'beneficiary.trust',
]);

/** The scopes a client may request: its `allowedScopes`, else the catalogue without the ones refused by default. */
export function scopesAllowedTo(client: { allowedScopes?: string[] | undefined }): readonly string[] {
  return (
    client.allowedScopes ?? Object.keys(QONTO_SCOPES).filter((s) => !SCOPES_REFUSED_BY_DEFAULT.includes(s))
  );
}

/** Splits a `scope` parameter (space-separated, as Qonto documents) into distinct scopes, order kept. */
export function parseScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter((s) => s !== ''))];
}
