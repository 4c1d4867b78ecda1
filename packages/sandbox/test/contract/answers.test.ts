import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as shapes from '../../../core/contract/qonto-shapes.js';
import { arrayOf, conformance, field, type ObjectSpec, object } from '../../../core/contract/spec.js';
import { startQontoSandbox } from '../../src/index.js';
import { completeAuthorization } from '../../src/testing.js';
import type { QontoSandbox } from '../../src/types.js';
import { apiGet, connectRaw, declaredRoutes } from '../helpers.js';

/**
 * Every Business API route of the emulator, for an owner and for a manager, checked against the shapes core's types
 * are checked against (packages/core/contract): a field renamed, dropped, added, retyped or made null in either place
 * fails one of the two.
 */
const START = Date.UTC(2025, 5, 1, 12);
const SCOPES = 'organization.read membership.read attachment.read attachment.write webhook';

let sandbox: QontoSandbox;
type Connection = Awaited<ReturnType<typeof connectRaw>>;
let owner: Connection;
let manager: Connection;
let main: { id: string };

interface Row {
  id: string;
  attachment_ids: string[];
  operation_type: string;
}

beforeAll(async () => {
  // One emulator for the file (the helpers' startSandbox closes its emulator after each test).
  sandbox = await startQontoSandbox({ startTime: START });
  // users[0] in the second organization: every role, and transfers, incomes and direct debits in its seed.
  owner = await connectRaw(sandbox, { scope: SCOPES, userIndex: 0, organizationIndex: 1 });
  manager = await connectRaw(sandbox, { scope: SCOPES, userIndex: 2 });
  const accounts = await owner.get<{ bank_accounts: { id: string; main: boolean }[] }>('/v2/bank_accounts');
  main = accounts.body.bank_accounts.find((a) => a.main)!;
});
afterAll(() => sandbox.close());

async function conforms(connection: Connection, path: string, spec: ObjectSpec, status = 200) {
  const answer = await connection.get(path);
  expect(answer.status, path).toBe(status);
  expect(conformance(answer.body, spec), path).toEqual([]);
  return answer.body;
}

describe("every emulator route answers in Qonto's documented shape", () => {
  it('GET /v2/membership and /v2/memberships (every role, invitable members included)', async () => {
    await conforms(owner, '/v2/membership', shapes.oneOf('membership', shapes.membership));
    await conforms(manager, '/v2/membership', shapes.oneOf('membership', shapes.membership));
    const list = await conforms(owner, '/v2/memberships', shapes.listOf('memberships', shapes.memberListing));
    expect((list.memberships as { role: string | null }[]).map((m) => m.role)).toContain(null);
  });

  it('GET /v2/organization, for an owner and for a manager', async () => {
    await conforms(owner, '/v2/organization', shapes.oneOf('organization', shapes.organization));
    await conforms(manager, '/v2/organization', shapes.oneOf('organization', shapes.organizationForManager));
  });

  it("GET /v2/bank_accounts and /v2/bank_accounts/{id}, a manager's with a manager's fields only", async () => {
    await conforms(owner, '/v2/bank_accounts', shapes.listOf('bank_accounts', shapes.bankAccount));
    await conforms(owner, `/v2/bank_accounts/${main.id}`, shapes.oneOf('bank_account', shapes.bankAccount));
    await conforms(
      manager,
      '/v2/bank_accounts',
      shapes.listOf('bank_accounts', shapes.bankAccountForManager),
    );
    await conforms(
      manager,
      `/v2/bank_accounts/${main.id}`,
      shapes.oneOf('bank_account', shapes.bankAccountForManager),
    );
  });

  it('GET /v2/transactions, every page, with and without includes[]', async () => {
    const list = shapes.listOf('transactions', shapes.transaction);
    const seen: Row[] = [];
    for (const page of [1, 2, 3]) {
      const body = await conforms(owner, `/v2/transactions?bank_account_id=${main.id}&page=${page}`, list);
      seen.push(...(body.transactions as Row[]));
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen.map((t) => t.operation_type))).toEqual(
      new Set(['card', 'transfer', 'direct_debit', 'qonto_fee', 'income']),
    );
    const includes = 'includes[]=labels&includes[]=attachments&includes[]=vat_details';
    await conforms(owner, `/v2/transactions?bank_account_id=${main.id}&${includes}`, list);
    const attached = seen.find((t) => t.attachment_ids.length > 0)!;
    const one = shapes.oneOf('transaction', shapes.transaction);
    await conforms(owner, `/v2/transactions/${attached.id}`, one);
    await conforms(owner, `/v2/transactions/${attached.id}?${includes}`, one);
  });

  it('GET /v2/labels, /v2/attachments/{id}, /v2/transactions/{id}/attachments and the upload', async () => {
    await conforms(owner, '/v2/labels', shapes.listOf('labels', shapes.label));
    const page = await owner.get<{ transactions: Row[] }>(`/v2/transactions?bank_account_id=${main.id}`);
    const attached = page.body.transactions.find((t) => t.attachment_ids.length > 0)!;
    await conforms(
      owner,
      `/v2/attachments/${attached.attachment_ids[0]}`,
      shapes.oneOf('attachment', shapes.attachment),
    );
    const listed = await conforms(
      owner,
      `/v2/transactions/${attached.id}/attachments`,
      object({ attachments: field(arrayOf(shapes.attachment), 'doc') }),
    );
    expect(listed.attachments).toHaveLength(attached.attachment_ids.length);

    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4 contract'], { type: 'application/pdf' }), 'contract.pdf');
    const upload = await fetch(`${sandbox.url}/v2/transactions/${attached.id}/attachments`, {
      method: 'POST',
      body: form,
      headers: {
        'X-Qonto-Staging-Token': sandbox.stagingToken,
        Authorization: `Bearer ${owner.accessToken}`,
        'X-Qonto-Idempotency-Key': randomUUID(),
      },
    });
    expect(upload.status).toBe(200);
    expect(conformance(await upload.json(), object({}))).toEqual([]);
  });

  it('GET /v2/statements and /v2/statements/{id}', async () => {
    const list = await conforms(owner, '/v2/statements', shapes.listOf('statements', shapes.statement));
    const first = (list.statements as { id: string }[])[0]!;
    await conforms(owner, `/v2/statements/${first.id}`, shapes.oneOf('statement', shapes.statement));
  });

  it('POST, GET and DELETE /v2/webhook_subscriptions', async () => {
    const created = await fetch(`${sandbox.url}/v2/webhook_subscriptions`, {
      method: 'POST',
      headers: {
        'X-Qonto-Staging-Token': sandbox.stagingToken,
        Authorization: `Bearer ${owner.accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ callback_url: 'http://127.0.0.1:9/hooks', types: ['v1/consent-revocations'] }),
    });
    expect(created.status).toBe(201);
    const subscription = (await created.json()) as { id: string; secret?: string };
    expect(conformance(subscription, shapes.webhookSubscription)).toEqual([]);
    expect(subscription.secret).toEqual(expect.any(String));
    const listed = await conforms(
      owner,
      '/v2/webhook_subscriptions',
      shapes.listOf('subscriptions', shapes.webhookSubscription),
    );
    expect(listed.subscriptions).toHaveLength(1);
    await conforms(owner, `/v2/webhook_subscriptions/${subscription.id}`, shapes.webhookSubscription);
    const gone = await apiGet(
      sandbox,
      `/v2/webhook_subscriptions/${subscription.id}`,
      owner.accessToken,
      'DELETE',
    );
    expect([gone.status, await gone.text()]).toEqual([204, '']);
  });

  it('error answers: 404, 422 and 403 in the JSON:API shape with a trace id', async () => {
    await conforms(owner, '/v2/transactions/not-a-transaction', shapes.errorBody, 404);
    await conforms(owner, `/v2/transactions?bank_account_id=${main.id}&side=both`, shapes.errorBody, 422);
    const narrow = await connectRaw(sandbox, { scope: 'membership.read', userIndex: 1 });
    await conforms(narrow, '/v2/labels', shapes.errorBody, 403);
  });

  it('GET /v2/user_organizations, to a token of the user OAuth flow', async () => {
    const app = { clientId: 'contract-user-flow', clientSecret: 'contract-user-flow-secret' };
    const redirectUri = 'http://127.0.0.1:3997/callback';
    sandbox.addClient({ ...app, redirectUris: [redirectUri], userFlow: true });
    const user = sandbox.users[0]!;
    const authorize = new URL(sandbox.endpoints.authorizationUrl);
    for (const [k, v] of Object.entries({
      client_id: app.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'user_organization.read',
      state: 'state-user-flow',
      identity_type: 'user',
    }))
      authorize.searchParams.set(k, v);
    const code = new URL(await completeAuthorization(authorize.href, user)).searchParams.get('code')!;
    const token = await fetch(sandbox.endpoints.tokenUrl, {
      method: 'POST',
      headers: {
        'X-Qonto-Staging-Token': sandbox.stagingToken,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        ...{
          client_id: app.clientId,
          client_secret: app.clientSecret,
        },
      }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const answer = await apiGet(sandbox, '/v2/user_organizations', access_token);
    const body = await answer.json();
    expect(answer.status).toBe(200);
    expect(
      conformance(body, object({ organizations: field(arrayOf(shapes.userOrganization), 'doc') })),
    ).toEqual([]);
  });

  it('DELETE /v2/oauth2/consents answers 204 with no body', async () => {
    const leaving = await connectRaw(sandbox, { scope: 'organization.read', userIndex: 1 });
    const answer = await apiGet(sandbox, '/v2/oauth2/consents', leaving.accessToken, 'DELETE');
    expect([answer.status, await answer.text()]).toEqual([204, '']);
  });
});

/** The routes the tests above check, as the emulator's source declares them. */
const CHECKED = [
  'GET /v2/membership',
  'GET /v2/memberships',
  'GET /v2/organization',
  'GET /v2/bank_accounts',
  'GET /v2/bank_accounts/:id',
  'GET /v2/transactions',
  'GET /v2/transactions/:id',
  'GET /v2/labels',
  'GET /v2/attachments/:id',
  'GET /v2/transactions/:id/attachments',
  'POST /v2/transactions/:id/attachments',
  'GET /v2/statements',
  'GET /v2/statements/:id',
  'POST /v2/webhook_subscriptions',
  'GET /v2/webhook_subscriptions',
  'GET /v2/webhook_subscriptions/:id',
  'DELETE /v2/webhook_subscriptions/:id',
  'DELETE /v2/oauth2/consents',
  'GET /v2/user_organizations',
];

describe('the contract check itself', () => {
  it('covers every Business API route the emulator declares: a new route needs its shape here', () => {
    const declared = declaredRoutes()
      .filter((r) => r.path.startsWith('/v2/'))
      .map((r) => `${r.method} ${r.path}`);
    expect(declared.sort()).toEqual([...CHECKED].sort());
  });

  it('reports a missing field, an unknown one, a wrong type and a null where none is allowed', () => {
    const good = { id: 'l1', name: 'Travel', parent_id: null };
    expect(conformance(good, shapes.label)).toEqual([]);
    const { name: _dropped, ...missing } = good;
    expect(conformance(missing, shapes.label)).toEqual(['$.name: missing']);
    expect(conformance({ ...good, color: 'red' }, shapes.label)).toEqual(['$.color: not in the contract']);
    expect(conformance({ ...good, name: 3 }, shapes.label)).toEqual(['$.name: expected string, got number']);
    expect(conformance({ ...good, id: null }, shapes.label)).toEqual([
      '$.id: null, which the contract does not allow',
    ]);
    expect(
      conformance({ labels: [good, { ...good, id: 1 }], meta: {} }, shapes.listOf('labels', shapes.label)),
    ).toContain('$.labels[1].id: expected string, got number');
  });
});
