import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import { isValidIban } from '../src/seed/iban.js';
import type { QontoSandbox } from '../src/types.js';
import { apiGet, exchange, obtainCode } from './helpers.js';

// Every test here only reads, through a sign-in of its own: one emulator serves the file, its clock never moves.
let sandbox: QontoSandbox;
beforeAll(async () => {
  sandbox = await startQontoSandbox({ startTime: Date.UTC(2025, 5, 1, 12) });
});
afterAll(() => sandbox.close());

async function connected(o: { scope?: string; userIndex?: number; organizationIndex?: number } = {}) {
  const user = sandbox.users[o.userIndex ?? 0]!;
  const organizationId = user.organizations[o.organizationIndex ?? 0]!.id;
  const code = await obtainCode(sandbox, { user, organizationId, params: o.scope ? { scope: o.scope } : {} });
  const { body } = await exchange(sandbox, code);
  const token = body.access_token as string;
  const get = async (path: string) => {
    const response = await apiGet(sandbox, path, token);
    return { status: response.status, body: (await response.json()) as Body };
  };
  return { sandbox, user, organizationId, get };
}

/** The fields these tests read, loosely typed: the assertions check the rest. */
interface Row {
  [field: string]: unknown;
  id: string;
  iban: string;
  main: boolean;
  balance_cents: number;
  first_name: string;
  birthdate: string;
  bank_account_id: string;
  side: string;
  status: string;
  amount: number;
  amount_cents: number;
  settled_at: string | null;
  settled_balance_cents: number | null;
  updated_at: string;
}
interface Body {
  errors: { code: string; detail: string; source?: unknown }[];
  meta: Record<string, unknown>;
  bank_accounts: Row[];
  transactions: Row[];
  memberships: Row[];
}

describe('GET /v2/bank_accounts', () => {
  it("lists the organization's accounts with Qonto's fields, in its order, and a meta", async () => {
    const { organizationId, get } = await connected();
    const { status, body } = await get('/v2/bank_accounts');
    expect(status).toBe(200);
    expect(body.bank_accounts).toHaveLength(2);
    for (const account of body.bank_accounts) {
      expect(Object.keys(account)).toEqual([
        'id',
        'name',
        'organization_id',
        'status',
        'main',
        'iban',
        'bic',
        'currency',
        'balance',
        'balance_cents',
        'authorized_balance',
        'authorized_balance_cents',
        'updated_at',
        'is_external_account',
        'account_number',
      ]);
      expect(account).toMatchObject({ organization_id: organizationId, is_external_account: false });
      expect(isValidIban(account.iban)).toBe(true);
    }
    // A string, as real clients read it, with the IBAN's leading zeros; or null (the savings account).
    const [main, savings] = body.bank_accounts;
    expect(main!.account_number).toBe(main!.iban.slice(14, 25));
    expect(savings!.account_number).toBeNull();
    expect(body.meta).toEqual({
      current_page: 1,
      next_page: null,
      prev_page: null,
      total_pages: 1,
      total_count: 2,
      per_page: 100,
    });
  });

  it('paginates with page and per_page', async () => {
    const { get } = await connected();
    const first = await get('/v2/bank_accounts?per_page=1');
    const second = await get('/v2/bank_accounts?per_page=1&page=2');
    expect(first.body.meta).toMatchObject({ current_page: 1, next_page: 2, total_pages: 2, per_page: 1 });
    expect(second.body.meta).toMatchObject({ current_page: 2, next_page: null, prev_page: 1 });
    expect(second.body.bank_accounts[0]!.id).not.toBe(first.body.bank_accounts[0]!.id);
  });

  it('answers 403 without organization.read', async () => {
    const { get } = await connected({ scope: 'membership.read' });
    const { status, body } = await get('/v2/bank_accounts');
    expect(status).toBe(403);
    expect(body.errors).toEqual([{ code: 'forbidden', detail: 'missing required oauth scope' }]);
  });
});

describe('GET /v2/memberships', () => {
  it("lists the organization's members with Qonto's list fields", async () => {
    const { sandbox, organizationId, get } = await connected();
    const { status, body } = await get('/v2/memberships');
    expect(status).toBe(200);
    // users[0] owns the first organization, users[1] administers it.
    const members = sandbox.users.filter((u) => u.organizations.some((o) => o.id === organizationId));
    expect(body.memberships.map((m) => m.first_name).sort()).toEqual(members.map((u) => u.firstName).sort());
    for (const member of body.memberships) {
      expect(Object.keys(member)).toEqual([
        'id',
        'first_name',
        'last_name',
        'role',
        'residence_country',
        'birthdate',
        'nationality',
        'ubo',
        'birth_country',
        'status',
        'team_id',
      ]);
      expect(member.birthdate).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
    expect(body.meta).toMatchObject({ total_count: 2, per_page: 100 });
    expect(organizationId).toBe(sandbox.users[1]!.organizations[0]!.id);
  });

  it('needs organization.read (membership.read only gives your own)', async () => {
    const { get } = await connected({ scope: 'membership.read' });
    expect((await get('/v2/memberships')).status).toBe(403);
    expect((await get('/v2/membership')).status).toBe(200);
  });
});

describe('GET /v2/transactions', () => {
  it("answers 422 in Qonto's error shape without bank_account_id or iban", async () => {
    const { get } = await connected();
    const { status, body } = await get('/v2/transactions');
    expect(status).toBe(422);
    expect(body).toEqual({
      errors: [
        {
          code: 'missing_parameter',
          detail: expect.stringContaining('bank_account_id or iban is required'),
          source: { parameter: 'bank_account_id' },
        },
      ],
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('serves 300 transactions of the main account with the documented fields, newest first', async () => {
    const { get } = await connected();
    const main = (await get('/v2/bank_accounts')).body.bank_accounts.find((a) => a.main)!;
    const { body } = await get(`/v2/transactions?bank_account_id=${main.id}&per_page=100`);
    expect(body.meta).toEqual({
      current_page: 1,
      next_page: 2,
      prev_page: null,
      total_pages: 3,
      total_count: 300,
      per_page: 100,
    });
    const first = body.transactions[0]!;
    // The per-type object (`transfer`, `income`, `direct_debit`) comes last, on transactions of its type only.
    const perType = ['transfer', 'income', 'direct_debit'];
    expect(Object.keys(first).filter((key) => !perType.includes(key))).toEqual([
      'id',
      'transaction_id',
      'amount',
      'amount_cents',
      'settled_balance',
      'settled_balance_cents',
      'attachment_ids',
      'logo',
      'local_amount',
      'local_amount_cents',
      'side',
      'operation_type',
      'currency',
      'local_currency',
      'label',
      'clean_counterparty_name',
      'settled_at',
      'emitted_at',
      'created_at',
      'updated_at',
      'status',
      'note',
      'reference',
      'vat_amount',
      'vat_amount_cents',
      'vat_rate',
      'initiator_id',
      'label_ids',
      'attachment_lost',
      'attachment_required',
      'card_last_digits',
      'category',
      'cashflow_category',
      'cashflow_subcategory',
      'subject_type',
      'bank_account_id',
      'is_external_transaction',
    ]);
    for (const t of body.transactions) {
      expect(t.bank_account_id).toBe(main.id);
      expect(['debit', 'credit']).toContain(t.side);
      expect(['pending', 'declined', 'completed']).toContain(t.status);
      expect(t.amount).toBe(t.amount_cents / 100);
      expect(t.settled_at === null).toBe(t.status !== 'completed');
      expect(Date.parse(t.updated_at)).toBeLessThanOrEqual(Date.UTC(2025, 5, 1, 12));
    }
    // The newest completed transaction leaves the account at its current balance.
    const newest = body.transactions.find((t) => t.status === 'completed')!;
    expect(newest.settled_balance_cents).toBe(main.balance_cents);
  });

  it('takes the iban, and bank_account_id wins when both are given', async () => {
    const { get } = await connected();
    const [main, savings] = (await get('/v2/bank_accounts')).body.bank_accounts;
    const byIban = await get(`/v2/transactions?iban=${main!.iban}&per_page=5`);
    expect(byIban.body.transactions[0]!.bank_account_id).toBe(main!.id);
    const both = await get(`/v2/transactions?iban=${main!.iban}&bank_account_id=${savings!.id}`);
    expect(both.status).toBe(200);
    // The savings account has no transactions: only main accounts get the 300.
    expect(both.body).toEqual({
      transactions: [],
      meta: {
        current_page: 1,
        next_page: null,
        prev_page: null,
        total_pages: 0,
        total_count: 0,
        per_page: 100,
      },
    });
  });

  it('answers 404 for a bank account of another organization (emulator choice) and for an unknown one', async () => {
    const { get } = await connected({ organizationIndex: 0 });
    const other = await connected({ organizationIndex: 1 });
    const otherAccount = (await other.get('/v2/bank_accounts')).body.bank_accounts[0]!;
    // The other organization's account exists in this emulator: it is refused, not missing.
    for (const query of [
      `bank_account_id=${otherAccount.id}`,
      `iban=${otherAccount.iban}`,
      'bank_account_id=nope',
    ]) {
      const { status, body } = await get(`/v2/transactions?${query}`);
      expect(status).toBe(404);
      expect(body.errors[0]!.code).toBe('not_found');
    }
  });

  it.each([
    ['per_page=101', 'per_page'],
    ['per_page=0', 'per_page'],
    ['page=0', 'page'],
    ['page=4', 'page'],
    ['status[]=settled', 'status'],
    ['sort_by=amount:desc', 'sort_by'],
    ['updated_at_from=yesterday', 'updated_at_from'],
  ])('answers 422 naming the parameter for %s', async (query, parameter) => {
    const { get } = await connected();
    const main = (await get('/v2/bank_accounts')).body.bank_accounts[0]!;
    const { status, body } = await get(`/v2/transactions?bank_account_id=${main.id}&${query}`);
    expect(status).toBe(422);
    expect(body.errors[0]!.source).toEqual({ parameter });
  });

  it("uses Qonto's documented words for a status outside the list", async () => {
    const { get } = await connected();
    const main = (await get('/v2/bank_accounts')).body.bank_accounts[0]!;
    const { body } = await get(`/v2/transactions?bank_account_id=${main.id}&status[]=invalid`);
    expect(body.errors).toEqual([
      {
        code: 'not_in_list',
        detail: 'status must be one of: pending, declined, completed',
        source: { parameter: 'status' },
      },
    ]);
  });
});
