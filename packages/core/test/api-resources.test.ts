import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  QontoApiClient,
  QontoApiError,
  QontoConfigError,
  type QontoEndpoints,
  QontoMissingScopeError,
  QontoRateLimitError,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, type LoopbackHandler, sendJson, startLoopback } from './helpers/loopback.js';

let lb: Loopback;
let production: QontoEndpoints;

beforeAll(async () => {
  lb = await startLoopback();
  production = { ...sandboxEndpointsAt(lb.url), requiresStagingToken: false };
});
afterAll(() => lb.close());
beforeEach(() => {
  lb.requests.length = 0;
});

function api(handler: LoopbackHandler): QontoApiClient {
  lb.handle(handler);
  return new QontoApiClient({ environment: production, tokens: 'at-secret-token', retry: false });
}

describe('typed Business API methods', () => {
  it('getTransaction asks for one transaction, with includes[] when given, and unwraps it', async () => {
    const client = api((_req, res) => sendJson(res, 200, { transaction: { id: 'tx 1', labels: [] } }));
    expect(await client.getTransaction('tx 1')).toEqual({ id: 'tx 1', labels: [] });
    await client.getTransaction('tx 1', { includes: ['labels', 'attachments'] });
    expect(lb.requests.map((r) => r.url)).toEqual([
      '/v2/transactions/tx%201',
      '/v2/transactions/tx%201?includes%5B%5D=labels&includes%5B%5D=attachments',
    ]);
  });

  it('getBankAccount and getAttachment unwrap their object; an id that is not a string is refused before any request', async () => {
    const client = api((req, res) =>
      req.url?.startsWith('/v2/bank_accounts/')
        ? sendJson(res, 200, { bank_account: { id: 'acc', account_number: null } })
        : sendJson(res, 200, { attachment: { id: 'att', url: 'https://files.example/a.pdf' } }),
    );
    expect(await client.getBankAccount('acc')).toEqual({ id: 'acc', account_number: null });
    expect((await client.getAttachment('att')).url).toBe('https://files.example/a.pdf');
    await expect(client.getAttachment('')).rejects.toThrow(QontoConfigError);
    await expect(client.getTransaction(undefined as unknown as string)).rejects.toThrow(
      /id is missing: give a non-empty string/,
    );
    expect(lb.requests.map((r) => r.url)).toEqual(['/v2/bank_accounts/acc', '/v2/attachments/att']);
  });

  it('listTransactionAttachments returns the array; listLabels follows the pages', async () => {
    const client = api((req, res) => {
      if (req.url?.endsWith('/attachments')) return sendJson(res, 200, { attachments: [{ id: 'a1' }] });
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page'));
      return sendJson(res, 200, {
        labels: [{ id: `l${page}`, name: 'n', parent_id: null }],
        meta: { current_page: page, next_page: page < 2 ? page + 1 : null },
      });
    });
    expect(await client.listTransactionAttachments('tx')).toEqual([{ id: 'a1' }]);
    const labels = [];
    for await (const label of client.listLabels({ perPage: 1 })) labels.push(label.id);
    expect(labels).toEqual(['l1', 'l2']);
    expect(lb.requests.map((r) => r.url)).toEqual([
      '/v2/transactions/tx/attachments',
      '/v2/labels?page=1&per_page=1',
      '/v2/labels?page=2&per_page=1',
    ]);
  });

  it('uploadAttachment posts the file as multipart file with an idempotency key, yours when given', async () => {
    const client = api((_req, res) => sendJson(res, 200, {}));
    await client.uploadAttachment('tx', new Blob(['%PDF-1.4 x'], { type: 'application/pdf' }), {
      fileName: 'invoice.pdf',
      idempotencyKey: '123e4567-e89b-42d3-a456-426614174000',
    });
    await client.uploadAttachment('tx', new File(['png'], 'photo.png', { type: 'image/png' }));
    const [first, second] = lb.requests;
    expect(first).toMatchObject({ method: 'POST', url: '/v2/transactions/tx/attachments' });
    expect(first!.rawHeaders['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(first!.rawHeaders['X-Qonto-Idempotency-Key']).toBe('123e4567-e89b-42d3-a456-426614174000');
    expect(first!.body).toContain('name="file"; filename="invoice.pdf"');
    expect(first!.body).toContain('%PDF-1.4 x');
    expect(second!.body).toContain('filename="photo.png"');
    expect(second!.rawHeaders['X-Qonto-Idempotency-Key']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    await expect(client.uploadAttachment('tx', 'bytes' as unknown as Blob)).rejects.toThrow(QontoConfigError);
    // A key Qonto would not take is refused before any request: empty, or not a UUID.
    for (const idempotencyKey of ['', 'not-a-uuid']) {
      await expect(
        client.uploadAttachment('tx', new Blob(['%PDF-1.4 x']), { idempotencyKey }),
      ).rejects.toThrow(/idempotencyKey must be a UUID/);
    }
    expect(lb.requests).toHaveLength(2);
  });
});

describe("Qonto's error answers", () => {
  it('exposes the trace id of a JSON:API error body, else of the gateway header, and names it in the message', async () => {
    const fromBody = api((_req, res) =>
      sendJson(res, 422, { errors: [{ code: 'invalid_parameter', detail: 'bad' }], trace_id: 'abc123' }),
    );
    const error = await fromBody.get('/v2/transactions').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ status: 422, traceId: 'abc123' });
    expect((error as Error).message).toContain('trace id abc123');

    const fromHeader = api((_req, res) =>
      sendJson(res, 500, { errors: [{ code: 'internal_error' }] }, { 'X-Tyk-Trace-Id': 'f00d' }),
    );
    expect(await fromHeader.get('/v2/organization').catch((e: unknown) => e)).toMatchObject({
      traceId: 'f00d',
    });
    const limited = api((_req, res) => sendJson(res, 429, { errors: [], trace_id: 't429' }));
    const rateError = await limited.get('/v2/organization').catch((e: unknown) => e);
    expect(rateError).toBeInstanceOf(QontoRateLimitError);
    expect(rateError).toMatchObject({ traceId: 't429', retryAfterSeconds: undefined });
  });

  it("turns Qonto's 403 'missing required oauth scope' into QontoMissingScopeError naming the scope to request", async () => {
    const client = api((_req, res) =>
      sendJson(res, 403, {
        errors: [{ code: 'forbidden', detail: 'missing required oauth scope' }],
        trace_id: 't',
      }),
    );
    const labels = await client.get('/v2/labels').catch((e: unknown) => e);
    expect(labels).toBeInstanceOf(QontoMissingScopeError);
    expect(labels).toBeInstanceOf(QontoApiError);
    expect(labels).toMatchObject({
      code: 'missing_scope',
      name: 'QontoMissingScopeError',
      status: 403,
      requiredScopes: ['organization.read'],
      traceId: 't',
    });
    expect((labels as Error).message).toContain('not granted organization.read');
    const attachment = await client.getAttachment('a').catch((e: unknown) => e);
    expect(attachment).toMatchObject({ requiredScopes: ['organization.read', 'attachment.read'] });
    const unknown = await client.get('/v2/somewhere/else').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'missing_scope', requiredScopes: [] });
    // Another 403 stays a plain QontoApiError.
    const other = api((_req, res) =>
      sendJson(res, 403, { errors: [{ code: 'forbidden', detail: 'not yours' }] }),
    );
    const plain = await other.get('/v2/labels').catch((e: unknown) => e);
    expect(plain).not.toBeInstanceOf(QontoMissingScopeError);
    expect(plain).toMatchObject({ code: 'api', status: 403 });
  });

  it("reads the gateway's plain-text 404 as a QontoApiError for a wrong path, with its trace id", async () => {
    const client = api((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'X-Tyk-Trace-Id': 'gw-1' });
      res.end('404 page not found\n');
    });
    const error = await client.get('/v2/organizations').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ status: 404, traceId: 'gw-1', errors: [] });
    expect((error as Error).message).toMatch(
      /GET \/v2\/organizations answered 404\. No such endpoint or object: check the path/,
    );
  });

  it('keeps the token out of a trace id that echoes it', async () => {
    const client = api((_req, res) => sendJson(res, 400, { errors: [], trace_id: 'at-secret-token' }));
    const error = (await client.get('/v2/organization').catch((e: unknown) => e)) as QontoApiError;
    expect(error.traceId).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('at-secret-token');
  });
});
