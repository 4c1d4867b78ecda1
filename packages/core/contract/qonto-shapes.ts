/**
 * The shapes of Qonto's Business API answers, written from Qonto's documented examples
 * (https://docs.qonto.com/api-reference/business-api) and from real clients' code that runs against Qonto
 * (formancehq/payments' Qonto client and its contract probe, alexey-pelykh/qontoctl's schemas), as collected in the
 * project's Qonto notes (shared/qonto-api.md §11). Each field names its source; `emulator` marks a field whose type
 * no source gives. The emulator's contract test checks every answer against these, and core's types are checked
 * against them at build time.
 */
import { arrayOf, field, type ObjectSpec, object } from './spec.js';

/** `meta` of every list (https://docs.qonto.com/get-started/general/pagination). */
export const meta = object({
  current_page: field('number', 'doc'),
  next_page: field('number', 'doc', { nullable: true }),
  prev_page: field('number', 'doc', { nullable: true }),
  total_pages: field('number', 'doc'),
  total_count: field('number', 'doc'),
  per_page: field('number', 'doc'),
});

/** An error answer (https://docs.qonto.com/get-started/general/errors). */
export const errorBody = object({
  errors: field(
    arrayOf(
      object({
        code: field('string', 'doc'),
        detail: field('string', 'doc'),
        source: field(
          object({
            parameter: field('string', 'doc', { optional: true }),
            pointer: field('string', 'doc', { optional: true }),
          }),
          'doc',
          { optional: true },
        ),
      }),
    ),
    'doc',
  ),
  trace_id: field('string', 'doc'),
});

/** `GET /v2/membership` (retrieve-the-authenticated-membership). */
export const membership = object({
  id: field('string', 'doc'),
  first_name: field('string', 'doc'),
  last_name: field('string', 'doc'),
  email: field('string', 'doc'),
  phone_number: field('string', 'doc'),
  position: field('string', 'doc'),
  status: field('string', 'doc'),
  role: field('string', 'doc'),
  locale: field('string', 'doc'),
  team_id: field('string', 'doc'),
  kyc_status: field('string', 'doc'),
});

/**
 * A member as `GET /v2/memberships` lists it (list-memberships); `role` and `team_id` are null for an `invitable`
 * member (real clients).
 */
export const memberListing = object({
  id: field('string', 'doc'),
  first_name: field('string', 'doc'),
  last_name: field('string', 'doc'),
  role: field('string', 'comm', { nullable: true }),
  residence_country: field('string', 'doc'),
  birthdate: field('string', 'doc'),
  nationality: field('string', 'doc'),
  ubo: field('boolean', 'doc'),
  birth_country: field('string', 'doc'),
  status: field('string', 'doc'),
  team_id: field('string', 'comm', { nullable: true }),
});

/** A bank account as `GET /v2/bank_accounts` lists it to an owner or admin (business-accounts/list). */
export const bankAccount = object({
  id: field('string', 'doc'),
  name: field('string', 'doc'),
  organization_id: field('string', 'doc'),
  status: field('string', 'doc'),
  main: field('boolean', 'doc'),
  iban: field('string', 'doc'),
  bic: field('string', 'doc'),
  currency: field('string', 'doc'),
  balance: field('number', 'doc'),
  balance_cents: field('number', 'doc'),
  authorized_balance: field('number', 'doc'),
  authorized_balance_cents: field('number', 'doc'),
  updated_at: field('string', 'doc'),
  is_external_account: field('boolean', 'comm'),
  /** The docs' example shows a number; formance reads a string, qontoctl a nullable string. */
  account_number: field('string', 'comm', { nullable: true }),
});

/** The same list seen by a `manager`: "only id, name, status, main, organization_id" (business-accounts/list). */
export const bankAccountForManager = object({
  id: field('string', 'doc'),
  name: field('string', 'doc'),
  organization_id: field('string', 'doc'),
  status: field('string', 'doc'),
  main: field('boolean', 'doc'),
});

const { organization_id: _owner, ...embeddedAccountFields } = bankAccount.fields;
/** A bank account as `GET /v2/organization` embeds it: no `organization_id`, and a `slug`. */
export const organizationBankAccount = object({ ...embeddedAccountFields, slug: field('string', 'doc') });

const { organization_id: _managerOwner, ...embeddedManagerFields } = bankAccountForManager.fields;
/** What a `manager` sees of an embedded bank account (the emulator applies the list's restriction here too). */
export const organizationBankAccountForManager = object(embeddedManagerFields);

function organizationWith<const A extends ObjectSpec>(account: A) {
  return object({
    id: field('string', 'doc'),
    name: field('string', 'comm'),
    slug: field('string', 'doc'),
    legal_name: field('string', 'doc'),
    legal_number: field('string', 'doc'),
    legal_sector: field('string', 'doc'),
    legal_registration_date: field('string', 'doc'),
    legal_address: field('string', 'doc'),
    /** Real clients read an `address`; its type is not published. */
    address: field('string', 'emulator'),
    legal_form: field('string', 'doc'),
    legal_country: field('string', 'doc'),
    legal_share_capital: field('number', 'doc'),
    locale: field('string', 'doc'),
    contract_signed_at: field('string', 'doc'),
    bank_accounts: field(arrayOf(account), 'doc'),
  });
}

/** `GET /v2/organization` (retrieve-the-authenticated-organization-and-list-bank-accounts). */
export const organization = organizationWith(organizationBankAccount);
/** `GET /v2/organization` for a `manager`. */
export const organizationForManager = organizationWith(organizationBankAccountForManager);

/** `GET /v2/labels` (list-labels). */
export const label = object({
  id: field('string', 'doc'),
  name: field('string', 'doc'),
  parent_id: field('string', 'doc', { nullable: true }),
});

/** An item of `GET /v2/user_organizations`, the user OAuth flow's organizations (get-user-organizations). */
export const userOrganization = object({
  id: field('string', 'doc'),
  name: field('string', 'doc'),
  legal_name: field('string', 'doc'),
  legal_number: field('string', 'doc'),
  legal_country: field('string', 'doc'),
  membership_role: field('string', 'doc'),
});

/** `GET /v2/attachments/{id}` (retrieve-an-attachment). */
export const attachment = object({
  id: field('string', 'doc'),
  created_at: field('string', 'doc'),
  file_name: field('string', 'doc'),
  file_size: field('number', 'doc'),
  file_content_type: field('string', 'doc'),
  url: field('string', 'doc'),
  probative_attachment: field(
    object({
      status: field('string', 'doc'),
      file_name: field('string', 'doc', { optional: true }),
      file_size: field('number', 'doc', { optional: true }),
      file_content_type: field('string', 'doc', { optional: true }),
      url: field('string', 'doc', { optional: true }),
    }),
    'doc',
  ),
});

/** The counterparty's account under `transfer` (Qonto's example), `income` and `direct_debit` (formance). */
export const counterpartyDetails = object({
  counterparty_account_number: field('string', 'doc'),
  counterparty_account_number_format: field('string', 'doc'),
  counterparty_bank_identifier: field('string', 'doc'),
  counterparty_bank_identifier_format: field('string', 'doc'),
});

/** `{ name }`, as Qonto's example shows `cashflow_category` and `cashflow_subcategory`. */
const cashflowCategory = object({ name: field('string', 'doc') });

/** A transaction (list-transactions, retrieve-a-transaction), with the embeds of `includes[]` when asked for. */
export const transaction = object({
  id: field('string', 'doc'),
  transaction_id: field('string', 'doc'),
  amount: field('number', 'doc'),
  amount_cents: field('number', 'doc'),
  settled_balance: field('number', 'doc', { nullable: true }),
  settled_balance_cents: field('number', 'doc', { nullable: true }),
  attachment_ids: field('string[]', 'doc'),
  logo: field(object({ small: field('string', 'comm'), medium: field('string', 'comm') }), 'comm', {
    nullable: true,
  }),
  local_amount: field('number', 'doc'),
  local_amount_cents: field('number', 'doc'),
  side: field('string', 'doc'),
  operation_type: field('string', 'doc'),
  currency: field('string', 'doc'),
  local_currency: field('string', 'doc'),
  label: field('string', 'doc'),
  clean_counterparty_name: field('string', 'comm', { nullable: true }),
  settled_at: field('string', 'doc', { nullable: true }),
  emitted_at: field('string', 'doc'),
  created_at: field('string', 'comm', { nullable: true }),
  updated_at: field('string', 'doc'),
  status: field('string', 'doc'),
  note: field('string', 'doc', { nullable: true }),
  reference: field('string', 'doc', { nullable: true }),
  vat_amount: field('number', 'doc', { nullable: true }),
  vat_amount_cents: field('number', 'doc', { nullable: true }),
  vat_rate: field('number', 'doc', { nullable: true }),
  initiator_id: field('string', 'doc', { nullable: true }),
  label_ids: field('string[]', 'doc'),
  attachment_lost: field('boolean', 'doc'),
  attachment_required: field('boolean', 'doc'),
  card_last_digits: field('string', 'doc', { nullable: true }),
  category: field('string', 'doc'),
  cashflow_category: field(cashflowCategory, 'doc', { nullable: true }),
  cashflow_subcategory: field(cashflowCategory, 'doc', { nullable: true }),
  subject_type: field('string', 'doc'),
  bank_account_id: field('string', 'doc'),
  is_external_transaction: field('boolean', 'doc'),
  transfer: field(counterpartyDetails, 'doc', { optional: true }),
  income: field(counterpartyDetails, 'comm', { optional: true }),
  direct_debit: field(counterpartyDetails, 'comm', { optional: true }),
  labels: field(arrayOf(label), 'doc', { optional: true }),
  attachments: field(arrayOf(attachment), 'doc', { optional: true }),
  /** Named on the list-transactions page; its shape is not published. */
  vat_details: field(
    object({
      items: field(
        arrayOf(
          object({
            rate: field('number', 'emulator'),
            amount: field('number', 'emulator'),
            amount_cents: field('number', 'emulator'),
          }),
        ),
        'emulator',
      ),
    }),
    'emulator',
    { optional: true },
  ),
});

/**
 * A statement (list-statements, retrieve-a-statement; fields as Qonto's MCP server and qontoctl read them). The form
 * of `period` is not published (the emulator sends `MM-YYYY`); `file_size` is a string as qontoctl reads it.
 */
export const statement = object({
  id: field('string', 'doc'),
  bank_account_id: field('string', 'doc'),
  period: field('string', 'comm'),
  file: field(
    object({
      file_name: field('string', 'comm'),
      file_content_type: field('string', 'comm'),
      file_size: field('string', 'comm'),
      file_url: field('string', 'comm'),
    }),
    'comm',
  ),
});

/**
 * A webhook subscription (https://docs.qonto.com/api-reference/business-api/webhooks/setup): `secret` only in the
 * answer to its creation. Fields beyond the envelope's names are the emulator's reading of the setup page.
 */
export const webhookSubscription = object({
  id: field('string', 'doc'),
  organization_id: field('string', 'doc'),
  membership_id: field('string', 'doc'),
  callback_url: field('string', 'doc'),
  types: field('string[]', 'doc'),
  description: field('string', 'emulator', { nullable: true }),
  created_at: field('string', 'emulator'),
  updated_at: field('string', 'emulator'),
  secret: field('string', 'doc', { optional: true }),
});

/** A paginated list answer: `{ [key]: items, meta }`. */
export function listOf<const K extends string, const I extends ObjectSpec>(key: K, items: I) {
  return object({ [key]: field(arrayOf(items), 'doc'), meta: field(meta, 'doc') } as {
    [P in K]: { type: { kind: 'array'; items: I }; source: 'doc' };
  } & { meta: { type: typeof meta; source: 'doc' } });
}

/** A single-object answer: `{ [key]: item }`. */
export function oneOf<const K extends string, const I extends ObjectSpec>(key: K, item: I) {
  return object({ [key]: field(item, 'doc') } as { [P in K]: { type: I; source: 'doc' } });
}
