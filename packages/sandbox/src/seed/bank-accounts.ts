import { frenchIban, SEED_BIC } from './iban.js';
import type { SeedOrganization } from './people.js';
import { prngFor } from './prng.js';

/**
 * A bank account as `GET /v2/organization` lists it (Qonto's snake_case fields), plus the owner's id for
 * `GET /v2/bank_accounts`.
 */
export interface SeedBankAccount {
  id: string;
  organization_id: string;
  slug: string;
  iban: string;
  bic: string;
  currency: 'EUR';
  balance: number;
  balance_cents: number;
  authorized_balance: number;
  authorized_balance_cents: number;
  name: string;
  updated_at: string;
  status: 'active';
  main: boolean;
  is_external_account: false;
  /**
   * A string, as real clients read it (Qonto's example shows a number), or null: the emulator gives the main
   * account the IBAN's account number and the others null, so code that assumes a string meets a null.
   */
  account_number: string | null;
}

/** A main account per organization, and a second one for the first organization. */
export function seedBankAccounts(
  seed: number,
  organizations: SeedOrganization[],
  startTime: number,
): SeedBankAccount[] {
  const prng = prngFor(seed, 'bank-accounts');
  const accounts: SeedBankAccount[] = [];
  organizations.forEach((organization, index) => {
    const names = index === 0 ? ['Main account', 'Savings'] : ['Main account'];
    names.forEach((name, position) => {
      const balanceCents = prng.int(50_000, 5_000_000);
      const heldCents = prng.int(0, 20_000);
      const id = prng.uuid();
      const accountDigits = { branch: prng.digits(5), account: prng.digits(11) };
      accounts.push({
        id,
        organization_id: organization.id,
        slug: `${organization.slug}-bank-account-${position + 1}`,
        iban: frenchIban(accountDigits.branch, accountDigits.account),
        bic: SEED_BIC,
        currency: 'EUR',
        balance: balanceCents / 100,
        balance_cents: balanceCents,
        authorized_balance: (balanceCents - heldCents) / 100,
        authorized_balance_cents: balanceCents - heldCents,
        name,
        updated_at: new Date(startTime - prng.int(60, 86_400) * 1000).toISOString(),
        status: 'active',
        main: position === 0,
        is_external_account: false,
        account_number: position === 0 ? accountDigits.account : null,
      });
    });
  });
  return accounts;
}
