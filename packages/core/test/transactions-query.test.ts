import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  QontoApiClient,
  QontoConfigError,
  type QontoTransaction,
  type QontoTransactionsQuery,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendJson, startLoopback } from './helpers/loopback.js';

let lb: Loopback;
let api: QontoApiClient;

beforeAll(async () => {
  lb = await startLoopback((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page'));
    sendJson(res, 200, {
      transactions: [{ id: `t${page}` }],
      meta: { current_page: page, next_page: page < 2 ? page + 1 : null },
    });
  });
  const environment = { ...sandboxEndpointsAt(lb.url), requiresStagingToken: false };
  api = new QontoApiClient({ environment, tokens: 'at-secret-token', retry: false });
});
afterAll(() => lb.close());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('listTransactions', () => {
  it('sends every filter under its query name, lists as key[], Dates as ISO 8601, page after page', async () => {
    lb.requests.length = 0;
    const found = await collect(
      api.listTransactions(
        {
          bank_account_id: 'acc-1',
          status: ['completed'],
          side: 'debit',
          operation_type: ['card', 'transfer'],
          emitted_at_from: new Date(Date.UTC(2025, 0, 1)),
          emitted_at_to: '2025-01-31T23:59:59.999Z',
          settled_at_from: '2025-01-02T00:00:00.000Z',
          updated_at_to: new Date(Date.UTC(2025, 1, 1)),
          with_attachments: false,
          sort_by: 'updated_at:asc',
          includes: ['labels', 'vat_details'],
        },
        { perPage: 50 },
      ),
    );
    expect(found.map((t) => t.id)).toEqual(['t1', 't2']);
    const first = new URL(lb.requests[0]!.url, 'http://x');
    expect([...first.searchParams]).toEqual([
      ['bank_account_id', 'acc-1'],
      ['status[]', 'completed'],
      ['side', 'debit'],
      ['operation_type[]', 'card'],
      ['operation_type[]', 'transfer'],
      ['emitted_at_from', '2025-01-01T00:00:00.000Z'],
      ['emitted_at_to', '2025-01-31T23:59:59.999Z'],
      ['settled_at_from', '2025-01-02T00:00:00.000Z'],
      ['updated_at_to', '2025-02-01T00:00:00.000Z'],
      ['with_attachments', 'false'],
      ['sort_by', 'updated_at:asc'],
      ['includes[]', 'labels'],
      ['includes[]', 'vat_details'],
      ['page', '1'],
      ['per_page', '50'],
    ]);
    expect(new URL(lb.requests[1]!.url, 'http://x').searchParams.get('page')).toBe('2');
  });

  it('refuses, before any request, a query without an account or with an invalid Date', async () => {
    lb.requests.length = 0;
    expect(() => api.listTransactions({} as QontoTransactionsQuery)).toThrow(QontoConfigError);
    expect(() => api.listTransactions({} as QontoTransactionsQuery)).toThrow(/bank_account_id or iban/);
    expect(() => api.listTransactions({ bank_account_id: '' })).toThrow(/non-empty bank_account_id or iban/);
    expect(() => api.listTransactions({ iban: '' })).toThrow(QontoConfigError);
    const invalid = api.listTransactions({ iban: 'FR76', emitted_at_from: new Date('not a date') });
    await expect(collect(invalid)).rejects.toThrow(/emitted_at_from is an invalid Date/);
    expect(lb.requests).toHaveLength(0);
  });

  it('types the query and the items: a wrong filter value does not compile', () => {
    expectTypeOf(api.listTransactions).parameter(0).toEqualTypeOf<QontoTransactionsQuery>();
    expectTypeOf(api.listTransactions({ iban: 'x' })).toEqualTypeOf<AsyncIterable<QontoTransaction>>();
    expectTypeOf(
      api.paginate('/v2/transactions', { itemsKey: 'transactions', query: { iban: 'x' } }),
    ).toEqualTypeOf<AsyncIterable<QontoTransaction>>();
    expectTypeOf<{ bank_account_id: string; status: ['pending'] }>().toExtend<QontoTransactionsQuery>();
    // @ts-expect-error an account is required
    expectTypeOf<{ side: 'debit' }>().toExtend<QontoTransactionsQuery>();
    // @ts-expect-error Qonto honours one status per request
    expectTypeOf<{ iban: string; status: ['pending', 'completed'] }>().toExtend<QontoTransactionsQuery>();
    // @ts-expect-error side is debit or credit
    expectTypeOf<{ iban: string; side: 'both' }>().toExtend<QontoTransactionsQuery>();
    // @ts-expect-error sort_by takes the documented orders only
    expectTypeOf<{ iban: string; sort_by: 'amount:desc' }>().toExtend<QontoTransactionsQuery>();
    // @ts-expect-error includes takes labels, attachments, vat_details
    expectTypeOf<{ iban: string; includes: ['notes'] }>().toExtend<QontoTransactionsQuery>();
  });
});
