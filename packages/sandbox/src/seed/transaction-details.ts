import { frenchIban } from './iban.js';
import { type Prng, prngFor } from './prng.js';

/** The counterparty's account, as Qonto's example shows it under `transfer` (and formance reads under `income`…). */
export interface CounterpartyDetails {
  counterparty_account_number: string;
  counterparty_account_number_format: 'IBAN';
  counterparty_bank_identifier: string;
  counterparty_bank_identifier_format: 'SWIFT_BIC';
}

/** The fields real Qonto transactions carry beyond the docs' field table (§11 of the project's Qonto notes). */
export interface TransactionDetails {
  /** A merchant's logo, or null for a counterparty without one; the host is the emulator's choice (never resolves). */
  logo: { small: string; medium: string } | null;
  /** When Qonto recorded the transaction; nullable as real clients read it. */
  created_at: string | null;
  cashflow_category: { name: string } | null;
  cashflow_subcategory: { name: string } | null;
  /** Set for some card payments: Qonto could not clean the merchant's name. */
  unnamed: boolean;
  /** Set for some card payments with VAT: several rates, which Qonto reports as `vat_rate: -1`. */
  multipleVatRates: boolean;
  /** The per-type object: `transfer`, `income` or `direct_debit`, keyed by the operation type. */
  perType: { key: 'transfer' | 'income' | 'direct_debit'; value: CounterpartyDetails } | null;
}

/** Counterparties with no logo of their own (small firms); every other counterparty of the seed has one. */
const NO_LOGO = new Set([
  'Cabinet Comptable Roux',
  'Imprimerie Morel',
  'Loyer SCI Vauban',
  'Client Durand SARL',
  'Client Petit SAS',
  'Client Fabre SA',
]);

/** `.invalid` never resolves (RFC 2606): the emulator serves no images, and no test reaches the internet. */
const LOGO_HOST = 'https://logos.qonto-sandbox.invalid';

/** Cash-flow categories by the transaction's `category` (names: emulator choice, after Qonto's example). */
const CASHFLOW: Record<string, [string, string | null]> = {
  restaurant_and_bar: ['Meals & entertainment', 'Restaurants'],
  transport: ['Travel', 'Transport'],
  hardware_and_equipment: ['Equipment', 'Hardware'],
  gas_station: ['Travel', 'Fuel'],
  online_service: ['Software & subscriptions', null],
  tax: ['Taxes', 'Social contributions'],
  legal_and_accounting: ['Professional services', 'Accounting'],
  office_rental: ['Office', 'Rent'],
  marketing: ['Marketing', 'Printing'],
  utility: ['Office', 'Utilities'],
  insurance: ['Insurance', null],
  fees: ['Bank fees', null],
  sales: ['Revenue', 'Sales'],
  other_income: ['Revenue', 'Others'],
};

const BICS = ['BNPAFRPPXXX', 'SOGEFRPPXXX', 'CRLYFRPPXXX', 'AGRIFRPP882', 'CEPAFRPP751'];

const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** A counterparty's account: the same for every transaction with it, from a stream of its name. */
function counterpartyAccount(seed: number, name: string): CounterpartyDetails {
  const prng = prngFor(seed, `counterparty:${name}`);
  return {
    counterparty_account_number: frenchIban(prng.digits(5), prng.digits(11)),
    counterparty_account_number_format: 'IBAN',
    counterparty_bank_identifier: prng.pick(BICS),
    counterparty_bank_identifier_format: 'SWIFT_BIC',
  };
}

/**
 * The details of one transaction, drawn from `prng` (the `transaction-details` stream, so the fields generated before
 * these existed keep their values).
 */
export function transactionDetails(
  seed: number,
  prng: Prng,
  t: { operationType: string; counterparty: string; category: string; emittedAt: string; vat: boolean },
): TransactionDetails {
  const card = t.operationType === 'card';
  const unnamed = card && prng.next() < 0.06;
  const logo =
    unnamed || NO_LOGO.has(t.counterparty)
      ? null
      : {
          small: `${LOGO_HOST}/${slug(t.counterparty)}/small.png`,
          medium: `${LOGO_HOST}/${slug(t.counterparty)}/medium.png`,
        };
  const categorized = prng.next() < 0.8;
  const [category, subcategory] = CASHFLOW[t.category] ?? ['Others', null];
  const key =
    t.operationType === 'transfer' || t.operationType === 'income' || t.operationType === 'direct_debit'
      ? t.operationType
      : null;
  return {
    logo,
    created_at: prng.next() < 0.03 ? null : t.emittedAt,
    cashflow_category: categorized ? { name: category } : null,
    cashflow_subcategory: categorized && subcategory !== null ? { name: subcategory } : null,
    unnamed,
    multipleVatRates: t.vat && prng.next() < 0.2,
    perType: key === null ? null : { key, value: counterpartyAccount(seed, t.counterparty) },
  };
}
