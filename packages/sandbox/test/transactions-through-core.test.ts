import { QontoApiClient, QontoApiError, QontoOAuthError } from '@qonto-oauth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox, TRANSACTIONS_PER_MAIN_ACCOUNT } from '../src/index.js';
import type { SeedTransaction } from '../src/seed/index.js';
import type { QontoSandbox } from '../src/types.js';
import { connectThroughCore, startSandbox } from './helpers.js';

const START = Date.UTC(2025, 5, 1, 12);

// Tests that only read through a connection of their own share one emulator; a test that clears the request log
// or revokes a consent starts its own.
let shared: QontoSandbox;
beforeAll(async () => {
  shared = await startQontoSandbox({ startTime: START });
});
afterAll(() => shared.close());

async function setUp(o: { fresh?: boolean } = {}) {
  const sandbox = o.fresh ? await startSandbox({ startTime: START }) : shared;
  const connection = await connectThroughCore(sandbox);
  const organization = await connection.api.getOrganization();
  const main = organization.bank_accounts!.find((a) => a.main)!;
  const all = (query: Record<string, string | string[]> = {}, perPage = 100) =>
    collect(
      connection.api.paginate<SeedTransaction>('/v2/transactions', {
        itemsKey: 'transactions',
        query: { iban: main.iban, ...query },
        perPage,
      }),
    );
  return { sandbox, ...connection, main, all };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function transactionPages(sandbox: QontoSandbox): number {
  return sandbox.requests.filter((r) => r.method === 'GET' && r.path === '/v2/transactions').length;
}

describe("GET /v2/transactions through core's paginate", () => {
  it('yields all 300 transactions once each, newest first, in pages of 100 and of 7', async () => {
    const { sandbox, all } = await setUp({ fresh: true });
    sandbox.requests.clear();
    const byHundred = await all();
    expect(transactionPages(sandbox)).toBe(3);
    sandbox.requests.clear();
    const bySeven = await all({}, 7);
    expect(transactionPages(sandbox)).toBe(Math.ceil(300 / 7));

    expect(byHundred).toHaveLength(TRANSACTIONS_PER_MAIN_ACCOUNT);
    expect(new Set(byHundred.map((t) => t.id)).size).toBe(300);
    expect(bySeven.map((t) => t.id)).toEqual(byHundred.map((t) => t.id));
    const keys = byHundred.map((t) => Date.parse(t.settled_at ?? t.emitted_at));
    for (let i = 1; i < keys.length; i++) expect(keys[i]).toBeLessThan(keys[i - 1]!);
    expect(keys[0]).toBeLessThanOrEqual(START);
  });

  it('filters by status[] and by the updated_at window, bounds included, and sorts on request', async () => {
    const { all } = await setUp();
    const everything = await all();
    for (const status of ['pending', 'declined', 'completed'] as const) {
      const one = await all({ status: [status] });
      expect(one.length).toBeGreaterThan(0);
      expect(one.map((t) => t.id)).toEqual(everything.filter((t) => t.status === status).map((t) => t.id));
    }

    const from = everything[200]!.updated_at;
    const to = everything[20]!.updated_at;
    const window = await all({ updated_at_from: from, updated_at_to: to });
    const expected = everything.filter(
      (t) => Date.parse(t.updated_at) >= Date.parse(from) && Date.parse(t.updated_at) <= Date.parse(to),
    );
    expect(window.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    expect(window.length).toBeGreaterThan(150);

    const completedSince = await all({ status: ['completed'], settled_at_from: from });
    expect(completedSince.every((t) => t.status === 'completed' && t.settled_at! >= from)).toBe(true);

    const oldestFirst = await all({ sort_by: 'settled_at:asc' });
    expect(oldestFirst.map((t) => t.id)).toEqual(everything.map((t) => t.id).reverse());
    const byUpdate = await all({ sort_by: 'updated_at:desc' });
    const updates = byUpdate.map((t) => t.updated_at);
    expect(updates).toEqual([...updates].sort().reverse());
  });

  it('refuses several statuses in one request with a 422 that names the rule, instead of their union', async () => {
    const { api, main } = await setUp();
    const error = await api
      .get('/v2/transactions', { bank_account_id: main.id, status: ['pending', 'declined'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({
      status: 422,
      errors: [
        { source: { parameter: 'status' }, detail: expect.stringContaining('one status per request') },
      ],
    });
  });

  it('answers 422 without an account, and for per_page over 100, as a QontoApiError naming the parameter', async () => {
    const { api, main } = await setUp();
    const missing = await api.get('/v2/transactions').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(QontoApiError);
    expect(missing).toMatchObject({ status: 422, errors: [{ source: { parameter: 'bank_account_id' } }] });
    expect((missing as Error).message).toContain('bank_account_id');
    const tooMany = await api
      .get('/v2/transactions', { bank_account_id: main.id, per_page: 101 })
      .catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ status: 422, errors: [{ source: { parameter: 'per_page' } }] });
  });

  it('lists the bank accounts and memberships through paginate', async () => {
    const { api, user } = await setUp();
    const accounts = await collect(
      api.paginate<{ id: string }>('/v2/bank_accounts', { itemsKey: 'bank_accounts', perPage: 1 }),
    );
    // users[1] belongs to the first organization, which has a main and a savings account.
    expect(new Set(accounts.map((a) => a.id)).size).toBe(2);
    const members = await collect(
      api.paginate<{ first_name: string }>('/v2/memberships', { itemsKey: 'memberships', perPage: 1 }),
    );
    expect(members.map((m) => m.first_name)).toContain(user.firstName);
    expect(members).toHaveLength(2);
  });
});

describe("DELETE /v2/oauth2/consents through core's revokeConsent", () => {
  it('revokes the access token (401) and the refresh token (invalid_grant, reconnect required)', async () => {
    const { sandbox, oauth, tokens } = await setUp({ fresh: true });
    const bare = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: tokens.accessToken,
      retry: false,
    });
    expect((await bare.getMembership()).id).toBeTruthy();
    await oauth.revokeConsent(tokens.accessToken);
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/v2/oauth2/consents' });

    const refused = await bare.getOrganization().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QontoApiError);
    expect((refused as QontoApiError).status).toBe(401);
    const refresh = await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e);
    expect(refresh).toBeInstanceOf(QontoOAuthError);
    expect(refresh).toMatchObject({ error: 'invalid_grant', reconnectRequired: true });
  });
});
