import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import type { QontoSandbox } from '../src/types.js';
import { connectRaw, fetchFile } from './helpers.js';

// Every test here only reads, through a sign-in of its own: one emulator serves the file, its clock never moves.
let sandbox: QontoSandbox;
beforeAll(async () => {
  sandbox = await startQontoSandbox({ startTime: Date.UTC(2025, 5, 1, 12) });
});
afterAll(() => sandbox.close());

interface Label {
  id: string;
  name: string;
  parent_id: string | null;
}
interface Transaction {
  id: string;
  label_ids: string[];
  attachment_ids: string[];
  vat_rate: number | null;
  labels?: Label[];
  attachments?: { id: string; url: string }[];
  vat_details?: { items: { rate: number }[] };
}
interface Account {
  id: string;
  main: boolean;
  account_number: string | null;
  is_external_account: boolean;
  iban: string;
}

async function setUp() {
  const connection = await connectRaw(sandbox);
  const accounts = await connection.get<{ bank_accounts: Account[] }>('/v2/bank_accounts');
  const main = accounts.body.bank_accounts.find((a) => a.main)!;
  const transactions = async (query = '') =>
    (
      await connection.get<{ transactions: Transaction[] }>(
        `/v2/transactions?bank_account_id=${main.id}&per_page=100${query}`,
      )
    ).body.transactions;
  return { sandbox, ...connection, accounts: accounts.body.bank_accounts, main, transactions };
}

describe('GET /v2/organization', () => {
  it('carries name and address, and bank accounts with is_external_account and account_number (string or null)', async () => {
    const { get, accounts } = await setUp();
    const { body } = await get<{
      organization: { name: string; legal_name: string; address: string; bank_accounts: Account[] };
    }>('/v2/organization');
    const { organization } = body;
    expect(organization.legal_name.startsWith(`${organization.name} `)).toBe(true);
    expect(organization.address).toEqual(expect.any(String));
    for (const account of organization.bank_accounts) {
      expect(account.is_external_account).toBe(false);
      expect(account.account_number === null || typeof account.account_number === 'string').toBe(true);
      const listed = accounts.find((a) => a.id === account.id)!;
      expect(account.account_number).toBe(listed.account_number);
    }
    expect(organization.bank_accounts.map((a) => a.account_number)).toContain(null);
  });
});

describe('GET /v2/bank_accounts/{id}', () => {
  it('returns one account of the organization in the list shape, and 404 for another id', async () => {
    const { get, accounts } = await setUp();
    for (const account of accounts) {
      const { status, body } = await get<{ bank_account: Account }>(`/v2/bank_accounts/${account.id}`);
      expect(status).toBe(200);
      expect(body.bank_account).toEqual(account);
    }
    expect((await get(`/v2/bank_accounts/${randomUUID()}`)).status).toBe(404);
  });
});

describe('GET /v2/labels', () => {
  it("lists the organization's labels with their parents, paginated, and transactions' label_ids point at them", async () => {
    const { get, transactions } = await setUp();
    const all = await get<{ labels: Label[]; meta: Record<string, number | null> }>('/v2/labels');
    expect(all.status).toBe(200);
    const labels = all.body.labels;
    expect(labels.length).toBeGreaterThan(5);
    for (const label of labels) expect(Object.keys(label)).toEqual(['id', 'name', 'parent_id']);
    const ids = new Set(labels.map((l) => l.id));
    const children = labels.filter((l) => l.parent_id !== null);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) expect(ids.has(child.parent_id!)).toBe(true);
    expect(all.body.meta).toMatchObject({ current_page: 1, total_count: labels.length, per_page: 100 });

    const paged = await get<{ labels: Label[]; meta: { next_page: number | null } }>('/v2/labels?per_page=3');
    expect(paged.body.labels).toEqual(labels.slice(0, 3));
    expect(paged.body.meta.next_page).toBe(2);

    const labelled = (await transactions()).filter((t) => t.label_ids.length > 0);
    expect(labelled.length).toBeGreaterThan(0);
    for (const t of labelled) for (const id of t.label_ids) expect(ids.has(id)).toBe(true);
  });
});

describe('pagination with current_page', () => {
  it('selects the page like page does, and refuses both when they disagree', async () => {
    const { get } = await setUp();
    const byPage = await get('/v2/labels?per_page=2&page=2');
    const byCurrentPage = await get('/v2/labels?per_page=2&current_page=2');
    expect(byCurrentPage.status).toBe(200);
    expect(byCurrentPage.body).toEqual(byPage.body);
    expect((await get('/v2/labels?per_page=2&page=2&current_page=2')).status).toBe(200);
    const both = await get<{ errors: { source: unknown }[] }>('/v2/labels?per_page=2&page=1&current_page=2');
    expect(both.status).toBe(422);
    expect(both.body.errors[0]!.source).toEqual({ parameter: 'current_page' });
  });
});

describe('GET /v2/transactions/{id} and includes[]', () => {
  it('returns one transaction as the list shows it, with labels, attachments and vat_details embedded on request', async () => {
    const { get, transactions } = await setUp();
    const listed = await transactions();
    const t = listed.find((x) => x.label_ids.length > 0 && x.attachment_ids.length > 0)!;
    expect(t).toBeDefined();
    const plain = await get<{ transaction: Transaction }>(`/v2/transactions/${t.id}`);
    expect(plain.status).toBe(200);
    expect(plain.body.transaction).toEqual(t);

    const full = await get<{ transaction: Transaction }>(
      `/v2/transactions/${t.id}?includes[]=labels&includes[]=attachments&includes[]=vat_details`,
    );
    const { transaction } = full.body;
    expect(transaction.labels!.map((l) => l.id)).toEqual(t.label_ids);
    expect(transaction.attachments!.map((a) => a.id)).toEqual(t.attachment_ids);
    for (const a of transaction.attachments!) {
      expect((await fetchFile(sandbox, a.url)).status).toBe(200);
    }
    // vat_rate -1 (several rates) is told apart line by line.
    expect(transaction.vat_details!.items.map((i) => i.rate)).toEqual(
      t.vat_rate === null ? [] : t.vat_rate === -1 ? [20, 10] : [t.vat_rate],
    );

    const embedded = await transactions('&includes[]=labels');
    expect(embedded.find((x) => x.id === t.id)!.labels).toEqual(transaction.labels);
  });

  it('answers 404 for an unknown id and 422 for an unknown includes value', async () => {
    const { get, transactions } = await setUp();
    expect((await get(`/v2/transactions/${randomUUID()}`)).status).toBe(404);
    const [first] = await transactions();
    const bad = await get<{ errors: { code: string; source: unknown }[] }>(
      `/v2/transactions/${first!.id}?includes[]=receipts`,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ code: 'not_in_list', source: { parameter: 'includes' } });
  });
});
