import type { QontoApiClient, QontoTransaction, QontoTransactionsQuery } from '@qonto-oauth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import type { QontoSandbox } from '../src/types.js';
import { connectRaw, connectThroughCore } from './helpers.js';

const START = Date.UTC(2025, 5, 1, 12);

let sandbox: QontoSandbox;
let api: QontoApiClient;
let raw: Awaited<ReturnType<typeof connectRaw>>;
let account: string;
/** Every transaction of the main account, unfiltered, newest first: what each filter is checked against. */
let all: QontoTransaction[];

async function list(filters: Omit<QontoTransactionsQuery, 'bank_account_id' | 'iban'> = {}) {
  const out: QontoTransaction[] = [];
  for await (const t of api.listTransactions({ bank_account_id: account, ...filters })) out.push(t);
  return out;
}

const ids = (transactions: QontoTransaction[]) => transactions.map((t) => t.id);

beforeAll(async () => {
  // One emulator for the file (not startSandbox, which closes its emulator after each test).
  sandbox = await startQontoSandbox({ startTime: START });
  ({ api } = await connectThroughCore(sandbox));
  raw = await connectRaw(sandbox, { userIndex: 1 });
  account = (await api.getOrganization()).bank_accounts!.find((a) => a.main)!.id!;
  all = await list();
});
afterAll(() => sandbox.close());

describe('the filters of GET /v2/transactions, through core.listTransactions', () => {
  it('side keeps debits or credits, and the two make up the whole list', async () => {
    const [debits, credits] = [await list({ side: 'debit' }), await list({ side: 'credit' })];
    expect(debits.every((t) => t.side === 'debit')).toBe(true);
    expect(ids(credits)).toEqual(ids(all.filter((t) => t.side === 'credit')));
    expect(debits.length + credits.length).toBe(all.length);
  });

  it('operation_type[] keeps the types listed', async () => {
    const picked = await list({ operation_type: ['income', 'direct_debit'] });
    expect(ids(picked)).toEqual(
      ids(all.filter((t) => t.operation_type === 'income' || t.operation_type === 'direct_debit')),
    );
    expect(new Set(picked.map((t) => t.operation_type))).toEqual(new Set(['income', 'direct_debit']));
  });

  it('emitted_at_from/to take strings or Dates and include their bounds', async () => {
    const [newer, older] = [all[10]!, all[40]!];
    const window = await list({
      emitted_at_from: new Date(older.emitted_at!),
      emitted_at_to: newer.emitted_at,
    });
    const expected = all.filter(
      (t) => t.emitted_at! >= older.emitted_at! && t.emitted_at! <= newer.emitted_at!,
    );
    expect(ids(window)).toEqual(ids(expected));
    expect(ids(window)).toContain(older.id);
    expect(ids(window)).toContain(newer.id);
  });

  it('combines with settled_at and updated_at bounds and status', async () => {
    const from = all[60]!.settled_at ?? all[61]!.settled_at!;
    const found = await list({ status: ['completed'], side: 'debit', settled_at_from: from });
    expect(ids(found)).toEqual(
      ids(all.filter((t) => t.status === 'completed' && t.side === 'debit' && t.settled_at! >= from)),
    );
    const updated = await list({ updated_at_to: all[200]!.updated_at });
    expect(updated.every((t) => t.updated_at! <= all[200]!.updated_at!)).toBe(true);
  });

  it('with_attachments splits the list into the transactions with and without one', async () => {
    const [attached, bare] = [
      await list({ with_attachments: true }),
      await list({ with_attachments: false }),
    ];
    expect(attached.length).toBeGreaterThan(0);
    expect(attached.every((t) => t.attachment_ids!.length > 0)).toBe(true);
    expect(bare.every((t) => t.attachment_ids!.length === 0)).toBe(true);
    expect(attached.length + bare.length).toBe(all.length);
  });

  it('sort_by updated_at:asc gives the oldest update first', async () => {
    const sorted = await list({ sort_by: 'updated_at:asc' });
    const times = sorted.map((t) => t.updated_at!);
    expect(times).toEqual([...times].sort());
    expect(sorted).toHaveLength(all.length);
  });

  it('includes[] vat_details tells the rates of a vat_rate -1 apart, adding up to the VAT amount', async () => {
    const detailed = await list({ includes: ['vat_details', 'labels'] });
    const multiple = detailed.filter((t) => t.vat_rate === -1);
    expect(multiple.length).toBeGreaterThan(0);
    for (const t of multiple) {
      const items = (t.vat_details as { items: { rate: number; amount_cents: number }[] }).items;
      expect(items.map((i) => i.rate)).toEqual([20, 10]);
      expect(items.reduce((sum, i) => sum + i.amount_cents, 0)).toBe(t.vat_amount_cents);
    }
    expect(detailed.every((t) => Array.isArray(t.labels))).toBe(true);
  });

  it('refuses a query without an account before any request', () => {
    sandbox.requests.clear();
    expect(() => api.listTransactions({} as QontoTransactionsQuery)).toThrow(/bank_account_id or iban/);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('an unknown filter value is a 422 naming the parameter, as Qonto answers', () => {
  it.each([
    ['side=both', 'side', 'not_in_list', 'side must be one of: debit, credit'],
    ['operation_type[]=wire', 'operation_type', 'not_in_list', 'operation_type must be one of: card, '],
    [
      'with_attachments=yes',
      'with_attachments',
      'invalid_parameter',
      'with_attachments must be true or false',
    ],
    ['emitted_at_to=soon', 'emitted_at_to', 'invalid_parameter', 'emitted_at_to must be a date-time'],
    ['sort_by=emitted_at:desc', 'sort_by', 'not_in_list', 'sort_by must be one of: settled_at:desc'],
    ['side=debit&side=credit', 'side', 'not_in_list', 'side must be one of'],
  ])('%s', async (query, parameter, code, detail) => {
    const { status, body } = await raw.get<{ errors: { code: string; detail: string; source: unknown }[] }>(
      `/v2/transactions?bank_account_id=${account}&${query}`,
    );
    expect(status).toBe(422);
    expect(body.errors[0]).toMatchObject({ code, source: { parameter } });
    expect(body.errors[0]!.detail.startsWith(detail)).toBe(true);
  });
});
