/**
 * The scopes Qonto's API reference names for each Business API endpoint a client commonly calls, so a 403 for a
 * missing scope can say which one to request. Any one of an endpoint's scopes suffices.
 * Source: https://docs.qonto.com/get-started/business-api/authentication/oauth/available-scopes and each
 * endpoint's page.
 */
const ENDPOINT_SCOPES: readonly (readonly [method: string, path: RegExp, scopes: readonly string[]])[] = [
  ['GET', /^\/v2\/membership$/, ['membership.read']],
  ['POST', /^\/v2\/memberships\/invite_employee_or_accountant$/, ['membership.write']],
  ['GET', /^\/v2\/user_organizations$/, ['user_organization.read']],
  ['GET', /^\/v2\/transactions\/[^/]+\/attachments$/, ['organization.read', 'attachment.read']],
  ['POST', /^\/v2\/transactions\/[^/]+\/attachments$/, ['attachment.write']],
  ['DELETE', /^\/v2\/transactions\/[^/]+\/attachments(\/[^/]+)?$/, ['attachment.write']],
  ['GET', /^\/v2\/attachments\/[^/]+$/, ['organization.read', 'attachment.read']],
  ['POST', /^\/v2\/attachments$/, ['attachment.write']],
  ['POST', /^\/v2\/(sepa\/(bulk_)?transfers|external_transfers)$/, ['payment.write']],
  ['POST', /^\/v2\/internal_transfers$/, ['internal_transfer.write']],
  ['GET', /^\/v2\/cards(\/[^/]+)?$/, ['card.read']],
  ['GET', /^\/v2\/client_invoices(\/[^/]+)?$/, ['client_invoices.read']],
  ['GET', /^\/v2\/supplier_invoices(\/[^/]+)?$/, ['supplier_invoice.read']],
  ['GET', /^\/v2\/webhook_subscriptions(\/[^/]+)?$/, ['webhook']],
  [
    'GET',
    /^\/v2\/(organization|bank_accounts(\/[^/]+)?|transactions(\/[^/]+)?|labels(\/[^/]+)?|memberships|sepa\/beneficiaries(\/[^/]+)?|external_transfers(\/[^/]+)?|requests|statements(\/[^/]+)?)$/,
    ['organization.read'],
  ],
  ['DELETE', /^\/v2\/oauth2\/consents$/, ['organization.read']],
];

/** The scopes of which `method path` needs one, or none when the endpoint is not in the table. */
export function endpointScopes(method: string, path: string): readonly string[] {
  const upper = method.toUpperCase();
  return ENDPOINT_SCOPES.find(([m, pattern]) => m === upper && pattern.test(path))?.[2] ?? [];
}
