import { describe, expect, it } from 'vitest';
import { frenchIban, isValidIban, ribKey } from '../src/seed/iban.js';
import { createSeedData, DEFAULT_SEED } from '../src/seed/index.js';
import { createPrng } from '../src/seed/prng.js';

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
      expect(data.users.map((u) => u.organizations.length)).toEqual([2, 1]);
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
