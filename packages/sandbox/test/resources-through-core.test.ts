import {
  createQontoFetch,
  QontoApiClient,
  QontoApiError,
  QontoMissingScopeError,
  QontoOAuthError,
  type QontoTransaction,
} from '@qonto-oauth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import type { QontoSandbox } from '../src/types.js';
import { connectThroughCore, startSandbox } from './helpers.js';

const START = Date.UTC(2025, 5, 1, 12);

// Tests that only read through a connection of their own share one emulator; a test that uploads, moves the clock,
// revokes or reads the request log starts its own.
let shared: QontoSandbox;
beforeAll(async () => {
  shared = await startQontoSandbox({ startTime: START });
});
afterAll(() => shared.close());

async function setUp(scopes?: string[], o: { fresh?: boolean } = {}) {
  const sandbox = o.fresh ? await startSandbox({ startTime: START }) : shared;
  const connection = await connectThroughCore(sandbox, scopes ? { scopes } : {});
  const organization = await connection.api.getOrganization();
  const main = organization.bank_accounts!.find((a) => a.main)!;
  const transactions: QontoTransaction[] = [];
  for await (const t of connection.api.paginate<QontoTransaction>('/v2/transactions', {
    itemsKey: 'transactions',
    query: { bank_account_id: main.id! },
  })) {
    transactions.push(t);
  }
  return { sandbox, ...connection, organization, transactions };
}

describe("core's typed methods against the emulator", () => {
  it('getTransaction returns what the list shows, with labels and attachments embedded on request', async () => {
    const { api, transactions } = await setUp();
    const t = transactions.find((x) => x.label_ids!.length > 0 && x.attachment_ids!.length > 0)!;
    expect(await api.getTransaction(t.id)).toEqual(t);
    const full = await api.getTransaction(t.id, { includes: ['labels', 'attachments'] });
    expect(full.labels!.map((l) => l.id)).toEqual(t.label_ids);
    expect(full.attachments!.map((a) => a.id)).toEqual(t.attachment_ids);
  });

  it('getBankAccount returns each account of GET /v2/bank_accounts; account_number is a string or null', async () => {
    const { api } = await setUp();
    const listed = await api.get<{ bank_accounts: { id: string; account_number: string | null }[] }>(
      '/v2/bank_accounts',
    );
    for (const account of listed.bank_accounts) {
      expect(await api.getBankAccount(account.id)).toEqual(account);
    }
    expect(listed.bank_accounts.map((a) => typeof a.account_number)).toEqual(['string', 'object']);
  });

  it("getAttachment gives a url that downloads the PDF through core's fetch, for 30 minutes of the emulator clock", async () => {
    const { sandbox, api, transactions } = await setUp(undefined, { fresh: true });
    // Behind the sandbox's gate like every sandbox URL: core's fetch carries the staging header there.
    const fetch = createQontoFetch({ environment: sandbox.endpoints, stagingToken: sandbox.stagingToken });
    const t = transactions.find((x) => x.attachment_ids!.length > 0)!;
    const [listed] = await api.listTransactionAttachments(t.id);
    const attachment = await api.getAttachment(t.attachment_ids![0]!);
    expect(attachment).toMatchObject({ id: listed!.id, file_name: listed!.file_name });
    const file = await fetch(attachment.url!);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect((await file.arrayBuffer()).byteLength).toBe(attachment.file_size);
    sandbox.clock.advance(31 * 60_000);
    expect((await fetch(attachment.url!)).status).toBe(403);
    expect((await fetch((await api.getAttachment(attachment.id)).url!)).status).toBe(200);
  });

  it('uploadAttachment stores the file; it shows in listTransactionAttachments once processed', async () => {
    const { sandbox, api, transactions } = await setUp(
      ['offline_access', 'organization.read', 'attachment.write'],
      { fresh: true },
    );
    const t = transactions.find((x) => x.attachment_ids!.length === 0)!;
    await api.uploadAttachment(
      t.id,
      new File(['%PDF-1.4 uploaded'], 'receipt.pdf', { type: 'application/pdf' }),
    );
    expect(await api.listTransactionAttachments(t.id)).toEqual([]);
    sandbox.clock.advance(2_000);
    const [uploaded] = await api.listTransactionAttachments(t.id);
    expect(uploaded).toMatchObject({ file_name: 'receipt.pdf', file_size: 17 });
    const qontoFetch = createQontoFetch({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
    });
    expect(await (await qontoFetch(uploaded!.url!)).text()).toBe('%PDF-1.4 uploaded');
    expect((await api.getTransaction(t.id)).attachment_ids).toEqual([uploaded!.id]);
  });

  it("listLabels yields every label across pages; transactions' label_ids point at them", async () => {
    const { api, transactions } = await setUp();
    const labels = [];
    for await (const label of api.listLabels({ perPage: 2 })) labels.push(label);
    const ids = new Set(labels.map((l) => l.id));
    expect(ids.size).toBe(labels.length);
    for (const label of labels) if (label.parent_id !== null) expect(ids.has(label.parent_id!)).toBe(true);
    for (const t of transactions) for (const id of t.label_ids!) expect(ids.has(id)).toBe(true);
  });
});

describe("core's errors against the emulator", () => {
  it('a missing scope is a QontoMissingScopeError naming it, with the trace id of the answer', async () => {
    const { api } = await connectThroughCore(shared, { scopes: ['offline_access', 'membership.read'] });
    const error = await api.getOrganization().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoMissingScopeError);
    expect(error).toMatchObject({
      status: 403,
      requiredScopes: ['organization.read'],
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // fetchQontoProfile-style callers that skip a 403 still see a QontoApiError.
    expect(error).toBeInstanceOf(QontoApiError);
  });

  it("a wrong path is the gateway's 404, read as a QontoApiError with its trace id", async () => {
    const { api } = await connectThroughCore(shared);
    const error = await api.get('/v2/organizations').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ status: 404, traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });
});

describe('QontoOAuthClient.revokeToken against the emulator', () => {
  it("revokes the grant's tokens: the access token is refused and the refresh token needs a reconnect", async () => {
    const sandbox = await startSandbox();
    const { oauth, tokens } = await connectThroughCore(sandbox);
    await oauth.revokeToken(tokens.refreshToken!, { tokenTypeHint: 'refresh_token' });
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/oauth2/revoke',
      stagingToken: 'ok',
      clientAuth: 'post',
    });
    const bare = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: tokens.accessToken,
      retry: false,
    });
    expect(await bare.getMembership().catch((e: unknown) => e)).toMatchObject({ status: 401 });
    const refresh = await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e);
    expect(refresh).toBeInstanceOf(QontoOAuthError);
    expect(refresh).toMatchObject({ error: 'invalid_grant', reconnectRequired: true });
    // Revoking again is still a success (RFC 7009).
    await oauth.revokeToken(tokens.refreshToken!);
  });
});
