import type { SeedBankAccount } from './bank-accounts.js';
import type { SeedLabel } from './labels.js';
import type { SeedMembership, SeedOrganization } from './people.js';
import { type Prng, prngFor } from './prng.js';
import { type CounterpartyDetails, transactionDetails } from './transaction-details.js';

/**
 * A transaction with the fields of Qonto's list-transactions example
 * (https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions), in
 * that order, and those real clients read besides (`logo`, `created_at`, the per-type objects).
 */
export interface SeedTransaction {
  id: string;
  transaction_id: string;
  amount: number;
  amount_cents: number;
  /** The account's balance after this transaction; null until it is completed. */
  settled_balance: number | null;
  settled_balance_cents: number | null;
  attachment_ids: string[];
  logo: { small: string; medium: string } | null;
  local_amount: number;
  local_amount_cents: number;
  side: 'debit' | 'credit';
  operation_type: string;
  currency: 'EUR';
  local_currency: string;
  label: string;
  /** Null for some card payments: Qonto could not clean the merchant's name (the `label` stays). */
  clean_counterparty_name: string | null;
  /** Null while pending, and for declined transactions (emulator choice: Qonto does not say). */
  settled_at: string | null;
  emitted_at: string;
  created_at: string | null;
  updated_at: string;
  status: 'pending' | 'declined' | 'completed';
  note: string | null;
  reference: string | null;
  vat_amount: number | null;
  vat_amount_cents: number | null;
  /** 20, or -1 when several rates apply (Qonto's value for a multiple or unknown rate). */
  vat_rate: number | null;
  initiator_id: string | null;
  label_ids: string[];
  attachment_lost: boolean;
  attachment_required: boolean;
  card_last_digits: string | null;
  category: string;
  cashflow_category: { name: string } | null;
  cashflow_subcategory: { name: string } | null;
  subject_type: string;
  bank_account_id: string;
  is_external_transaction: boolean;
  /** Transfers only: the beneficiary's account. */
  transfer?: CounterpartyDetails;
  /** Incomes only: the payer's account. */
  income?: CounterpartyDetails;
  /** Direct debits only: the creditor's account. */
  direct_debit?: CounterpartyDetails;
}

/** Transactions generated for every main account. */
export const TRANSACTIONS_PER_MAIN_ACCOUNT = 300;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Kind {
  side: 'debit' | 'credit';
  operationType: string;
  counterparties: readonly string[];
  categories: readonly string[];
  /** Amount range in cents. */
  cents: [number, number];
}

// Counterparty names are made up; categories and operation types follow the values seen in Qonto's examples.
const KINDS: readonly (Kind & { weight: number })[] = [
  {
    weight: 55,
    side: 'debit',
    operationType: 'card',
    counterparties: ['Boulangerie Paul', 'SNCF', 'Amazon', 'Total Energies', 'OVHcloud', 'Uber', 'Monoprix'],
    categories: [
      'restaurant_and_bar',
      'transport',
      'hardware_and_equipment',
      'gas_station',
      'online_service',
    ],
    cents: [250, 45_000],
  },
  {
    weight: 15,
    side: 'debit',
    operationType: 'transfer',
    counterparties: ['URSSAF', 'Cabinet Comptable Roux', 'Imprimerie Morel', 'Loyer SCI Vauban'],
    categories: ['tax', 'legal_and_accounting', 'office_rental', 'marketing'],
    cents: [5_000, 300_000],
  },
  {
    weight: 10,
    side: 'debit',
    operationType: 'direct_debit',
    counterparties: ['EDF', 'Orange', 'Alan Assurance', 'Free Pro'],
    categories: ['utility', 'insurance', 'online_service'],
    cents: [1_500, 40_000],
  },
  {
    weight: 5,
    side: 'debit',
    operationType: 'qonto_fee',
    counterparties: ['Qonto'],
    categories: ['fees'],
    cents: [900, 9_900],
  },
  {
    weight: 15,
    side: 'credit',
    operationType: 'income',
    counterparties: ['Client Durand SARL', 'Client Petit SAS', 'Stripe Payments', 'Client Fabre SA'],
    categories: ['sales', 'other_income'],
    cents: [10_000, 800_000],
  },
];
const TOTAL_WEIGHT = KINDS.reduce((sum, k) => sum + k.weight, 0);
const FOREIGN = [
  { currency: 'USD', rate: 1.08 },
  { currency: 'GBP', rate: 0.86 },
] as const;

function pickKind(prng: Prng): Kind {
  let n = prng.int(1, TOTAL_WEIGHT);
  for (const kind of KINDS) {
    n -= kind.weight;
    if (n <= 0) return kind;
  }
  return KINDS[0] as Kind;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const euros = (cents: number): number => cents / 100;

/**
 * `TRANSACTIONS_PER_MAIN_ACCOUNT` transactions per main account, newest first, drawn from the
 * `prngFor(seed, 'transactions')` stream so the rest of the seed data stays as it was. Each transaction has its
 * own time slot, strictly older than the previous one, dated back from `startTime`; a completed transaction
 * settles in its slot, so the default order (settled_at, else emitted_at, newest first) is the generation order.
 * `settled_balance` runs back from the account's `balance_cents`, and never goes below zero.
 */
export function seedTransactions(
  seed: number,
  organizations: SeedOrganization[],
  memberships: SeedMembership[],
  bankAccounts: SeedBankAccount[],
  labels: SeedLabel[],
  startTime: number,
): SeedTransaction[] {
  const prng = prngFor(seed, 'transactions');
  const detailsPrng = prngFor(seed, 'transaction-details');
  const all: SeedTransaction[] = [];
  for (const account of bankAccounts.filter((a) => a.main)) {
    const organization = organizations.find((o) => o.id === account.organization_id);
    const initiators = memberships.filter((m) => m.organizationId === account.organization_id);
    const labelIds = labels.filter((l) => l.organizationId === account.organization_id).map((l) => l.id);
    // Two draws kept from when the label ids were made up here, so a seed's transactions stay as they were.
    prng.uuid();
    prng.uuid();
    let slot = startTime - prng.int(5, 180) * MINUTE;
    let balance = account.balance_cents;
    for (let i = 0; i < TRANSACTIONS_PER_MAIN_ACCOUNT; i++) {
      const sequence = TRANSACTIONS_PER_MAIN_ACCOUNT - i;
      let kind = pickKind(prng);
      const cents = prng.int(kind.cents[0], kind.cents[1]);
      const status: SeedTransaction['status'] =
        i < 4 && prng.next() < 0.6 ? 'pending' : prng.next() < 0.04 ? 'declined' : 'completed';
      // Going back in time a credit is taken off the balance: turn it into a debit rather than go below zero.
      if (status === 'completed' && kind.side === 'credit' && balance - cents < 0) {
        kind = KINDS[0] as Kind;
      }
      const card = kind.operationType === 'card';
      const foreign = card && prng.next() < 0.08 ? prng.pick(FOREIGN) : undefined;
      const localCents = foreign ? Math.round(cents * foreign.rate) : cents;
      const emittedAt = status === 'completed' && card ? slot - prng.int(0, 48) * HOUR : slot;
      const settledAt = status === 'completed' ? slot : null;
      const updatedAt = Math.min(startTime, (settledAt ?? emittedAt) + prng.int(0, 30) * MINUTE);
      const vatCents = card && prng.next() < 0.5 ? Math.round((cents * 20) / 120) : null;
      const attached = kind.side === 'debit' && status === 'completed' && prng.next() < 0.6;
      const counterparty = prng.pick(kind.counterparties);
      const settledBalance = status === 'completed' ? balance : null;
      if (status === 'completed') balance -= kind.side === 'credit' ? cents : -cents;
      // The fields added later are placeholders here, in Qonto's order, filled below from their own stream: the
      // draws of this one stay as they were.
      const transaction: SeedTransaction = {
        id: prng.uuid(),
        transaction_id: `${organization?.slug ?? account.slug}-transaction-${sequence}`,
        amount: euros(cents),
        amount_cents: cents,
        settled_balance: settledBalance === null ? null : euros(settledBalance),
        settled_balance_cents: settledBalance,
        attachment_ids: attached ? [prng.uuid()] : [],
        logo: null,
        local_amount: euros(localCents),
        local_amount_cents: localCents,
        side: kind.side,
        operation_type: kind.operationType,
        currency: 'EUR',
        local_currency: foreign?.currency ?? 'EUR',
        label: counterparty.toUpperCase(),
        clean_counterparty_name: counterparty,
        settled_at: settledAt === null ? null : iso(settledAt),
        emitted_at: iso(emittedAt),
        created_at: null,
        updated_at: iso(updatedAt),
        status,
        note: prng.next() < 0.1 ? 'Checked by accounting' : null,
        reference:
          kind.operationType === 'transfer' || kind.side === 'credit' ? `INV-${prng.digits(6)}` : null,
        vat_amount: vatCents === null ? null : euros(vatCents),
        vat_amount_cents: vatCents,
        vat_rate: vatCents === null ? null : 20,
        initiator_id: kind.side === 'debit' && initiators.length > 0 ? prng.pick(initiators).id : null,
        label_ids: prng.next() < 0.2 && labelIds.length > 0 ? [prng.pick(labelIds)] : [],
        attachment_lost: false,
        attachment_required: kind.side === 'debit' && kind.operationType !== 'qonto_fee',
        card_last_digits: card ? prng.digits(4) : null,
        category: prng.pick(kind.categories),
        cashflow_category: null,
        cashflow_subcategory: null,
        subject_type: kind.operationType,
        bank_account_id: account.id,
        is_external_transaction: false,
      };
      const details = transactionDetails(seed, detailsPrng, {
        operationType: kind.operationType,
        counterparty,
        category: transaction.category,
        emittedAt: transaction.emitted_at,
        vat: vatCents !== null,
      });
      transaction.logo = details.logo;
      transaction.created_at = details.created_at;
      transaction.cashflow_category = details.cashflow_category;
      transaction.cashflow_subcategory = details.cashflow_subcategory;
      if (details.unnamed) transaction.clean_counterparty_name = null;
      if (details.multipleVatRates) transaction.vat_rate = -1;
      if (details.perType) transaction[details.perType.key] = details.perType.value;
      all.push(transaction);
      slot -= prng.int(20, 30 * 60) * MINUTE;
    }
  }
  return all;
}
