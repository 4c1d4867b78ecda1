import { describe, expect, it } from 'vitest';
import { frenchIban, isValidIban, ribKey } from '../src/seed/iban.js';
import { createSeedData, DEFAULT_SEED } from '../src/seed/index.js';
import { createPrng } from '../src/seed/prng.js';
import { TRANSACTIONS_PER_MAIN_ACCOUNT } from '../src/seed/transactions.js';

describe('seed data', () => {
  it('is the same for the same seed and start time, and differs for another seed', () => {
    expect(createSeedData(7, 1_700_000_000_000)).toEqual(createSeedData(7, 1_700_000_000_000));
    expect(createSeedData(8, 1_700_000_000_000).organizations).not.toEqual(
      createSeedData(7, 1_700_000_000_000).organizations,
    );
  });

  it.each([DEFAULT_SEED, 1, 2, 3, 42, 2 ** 31])(
    'gives users[0] two organizations and users[1] one (seed %i)',
    (seed) => {
      const data = createSeedData(seed, 0);
      expect(data.users.map((u) => u.organizations.length)).toEqual([2, 1, 1]);
      const names = data.organizations.map((o) => o.legal_name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[A-Za-z0-9 .-]+$/);
      for (const user of data.users) {
        expect(data.memberships.filter((m) => m.userId === user.id).map((m) => m.organizationId)).toEqual(
          user.organizations.map((o) => o.id),
        );
      }
      for (const account of data.bankAccounts) expect(isValidIban(account.iban)).toBe(true);
      for (const organization of data.organizations) {
        expect(data.bankAccounts.filter((a) => a.organization_id === organization.id && a.main)).toHaveLength(
          1,
        );
      }
    },
  );

  it('computes IBAN check digits and RIB keys that real validators accept', () => {
    // A published example French IBAN and its RIB key.
    expect(isValidIban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(ribKey('30006', '00001', '12345678901')).toBe('89');
    expect(isValidIban('FR76 3000 6000 0112 3456 7890 188')).toBe(false);
    expect(frenchIban('00001', '12345678901')).toMatch(/^FR\d{2}167980000112345678901\d{2}$/);
    expect(isValidIban(frenchIban('00001', '12345678901'))).toBe(true);
  });

  it('draws a reproducible sequence from mulberry32', () => {
    const a = createPrng(123);
    const b = createPrng(123);
    const sequence = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sequence);
    for (const n of sequence) expect(n >= 0 && n < 1).toBe(true);
    expect(createPrng(1).uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('seeded transactions', () => {
  const data = createSeedData(DEFAULT_SEED, Date.UTC(2025, 5, 1));

  it('gives each main account 300 transactions with distinct ids, and the other accounts none', () => {
    for (const account of data.bankAccounts) {
      const own = data.transactions.filter((t) => t.bank_account_id === account.id);
      expect(own).toHaveLength(account.main ? TRANSACTIONS_PER_MAIN_ACCOUNT : 0);
    }
    const ids = data.transactions.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    const references = data.transactions.map((t) => t.transaction_id);
    expect(new Set(references).size).toBe(references.length);
  });

  it('runs settled balances back from the account balance, never below zero', () => {
    for (const account of data.bankAccounts.filter((a) => a.main)) {
      const completed = data.transactions.filter(
        (t) => t.bank_account_id === account.id && t.status === 'completed',
      );
      expect(completed[0]!.settled_balance_cents).toBe(account.balance_cents);
      for (let i = 1; i < completed.length; i++) {
        const newer = completed[i - 1]!;
        const signed = newer.side === 'credit' ? newer.amount_cents : -newer.amount_cents;
        expect(completed[i]!.settled_balance_cents).toBe(newer.settled_balance_cents! - signed);
        expect(completed[i]!.settled_balance_cents).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('keeps pending and declined transactions unsettled, and every date before the start', () => {
    const statuses = new Set(data.transactions.map((t) => t.status));
    expect([...statuses].sort()).toEqual(['completed', 'declined', 'pending']);
    for (const t of data.transactions) {
      expect(t.settled_at === null).toBe(t.status !== 'completed');
      expect(t.settled_balance === null).toBe(t.status !== 'completed');
      for (const date of [t.emitted_at, t.updated_at, t.settled_at ?? t.emitted_at]) {
        expect(Date.parse(date)).toBeLessThanOrEqual(Date.UTC(2025, 5, 1));
      }
      if (t.settled_at !== null) expect(t.emitted_at <= t.settled_at).toBe(true);
    }
  });
});

describe('seeded timestamps', () => {
  it.each([DEFAULT_SEED, 1, 2, 3, 42, 77, 2 ** 31])(
    'are real instants in the format of their field (seed %i)',
    (seed) => {
      const data = createSeedData(seed, Date.UTC(2025, 5, 1, 12));
      const isoInstant = (value: string) => {
        expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(new Date(value).toISOString()).toBe(value);
      };
      for (const organization of data.organizations) {
        // Qonto's documented form: "2022-12-01 08:57:00.123047".
        const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})$/.exec(organization.contract_signed_at);
        expect(m, organization.contract_signed_at).not.toBeNull();
        isoInstant(`${m![1]}T${m![2]}.${m![3]!.slice(0, 3)}Z`);
        expect(new Date(`${organization.legal_registration_date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(
          organization.legal_registration_date,
        );
      }
      for (const account of data.bankAccounts) isoInstant(account.updated_at);
      for (const t of data.transactions) {
        for (const value of [t.emitted_at, t.updated_at, t.settled_at ?? t.emitted_at]) isoInstant(value);
      }
      for (const a of data.attachments) isoInstant(a.created_at);
      for (const m of data.memberListings) {
        expect(new Date(`${m.birthdate}T00:00:00Z`).toISOString().slice(0, 10)).toBe(m.birthdate);
      }
    },
  );
});
