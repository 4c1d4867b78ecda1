import { describe, expect, it } from 'vitest';
import { isValidIban } from '../src/seed/iban.js';
import { createSeedData, DEFAULT_SEED } from '../src/seed/index.js';

const data = createSeedData(DEFAULT_SEED, Date.UTC(2025, 5, 1));
const PER_TYPE = { transfer: 'transfer', income: 'income', direct_debit: 'direct_debit' } as const;

describe('seeded transactions carry the awkward cases real integrations meet', () => {
  it('has card payments without a clean counterparty name, their label kept', () => {
    const unnamed = data.transactions.filter((t) => t.clean_counterparty_name === null);
    expect(unnamed.length).toBeGreaterThan(5);
    for (const t of unnamed) {
      expect(t.operation_type).toBe('card');
      expect(t.label).not.toBe('');
      expect(t.logo).toBeNull();
    }
  });

  it('has vat_rate -1 (several rates) with a VAT amount, besides 20 and null', () => {
    const rates = new Set(data.transactions.map((t) => t.vat_rate));
    expect([...rates].sort()).toEqual([-1, 20, null]);
    for (const t of data.transactions.filter((x) => x.vat_rate === -1)) {
      expect(t.vat_amount_cents).toBeGreaterThan(0);
    }
  });

  it('has logos, created_at and cash-flow categories, each sometimes null', () => {
    const logos = data.transactions.map((t) => t.logo);
    expect(logos).toContain(null);
    for (const logo of logos.filter((l) => l !== null)) {
      expect(Object.keys(logo!)).toEqual(['small', 'medium']);
      expect(new URL(logo!.small).hostname.endsWith('.invalid')).toBe(true);
    }
    const created = data.transactions.map((t) => t.created_at);
    expect(created).toContain(null);
    for (const t of data.transactions) if (t.created_at !== null) expect(t.created_at).toBe(t.emitted_at);
    expect(data.transactions.some((t) => t.cashflow_category === null)).toBe(true);
    for (const t of data.transactions) {
      if (t.cashflow_category !== null) expect(Object.keys(t.cashflow_category)).toEqual(['name']);
      if (t.cashflow_subcategory !== null) expect(t.cashflow_category).not.toBeNull();
    }
  });

  it('gives transfers, incomes and direct debits their per-type object, and only them', () => {
    const seen = new Set<string>();
    for (const t of data.transactions) {
      for (const [key, type] of Object.entries(PER_TYPE)) {
        const details = (t as unknown as Record<string, unknown>)[key] as
          | { counterparty_account_number: string; counterparty_bank_identifier_format: string }
          | undefined;
        expect(details !== undefined, `${t.id} ${key}`).toBe(t.operation_type === type);
        if (details === undefined) continue;
        seen.add(key);
        expect(isValidIban(details.counterparty_account_number)).toBe(true);
        expect(details.counterparty_bank_identifier_format).toBe('SWIFT_BIC');
      }
    }
    expect([...seen].sort()).toEqual(['direct_debit', 'income', 'transfer']);
    // One counterparty keeps one account across its transactions.
    const accounts = new Map<string, Set<string>>();
    for (const t of data.transactions.filter((x) => x.transfer !== undefined)) {
      const set = accounts.get(t.label) ?? new Set();
      set.add(t.transfer!.counterparty_account_number);
      accounts.set(t.label, set);
    }
    for (const set of accounts.values()) expect(set.size).toBe(1);
  });
});

describe('seeded members', () => {
  const [first, second] = data.organizations;

  it('lists every role in the second organization, and invitable members with a null role and team_id', () => {
    const listed = data.memberListings.filter((m) => m.organizationId === second!.id);
    expect(new Set(listed.map((m) => m.role))).toEqual(
      new Set(['owner', 'admin', 'manager', 'reporting', 'employee', 'accountant', null]),
    );
    const invitable = listed.filter((m) => m.status === 'invitable');
    expect(invitable.length).toBeGreaterThanOrEqual(2);
    for (const m of invitable) expect([m.role, m.team_id]).toEqual([null, null]);
    for (const m of listed.filter((x) => x.status === 'active'))
      expect(m.team_id).toEqual(expect.any(String));
  });

  it('keeps the first organization to its two users, and adds a manager of the second who logs in', () => {
    const [owner, admin, manager] = data.users;
    expect(data.memberListings.filter((m) => m.organizationId === first!.id).map((m) => m.role)).toEqual([
      'owner',
      'admin',
    ]);
    expect(owner!.organizations.map((o) => o.id)).toEqual([first!.id, second!.id]);
    expect(admin!.organizations.map((o) => o.id)).toEqual([first!.id]);
    expect(manager!.organizations.map((o) => o.id)).toEqual([second!.id]);
    expect(data.memberships.find((m) => m.userId === manager!.id)?.role).toBe('manager');
  });
});
