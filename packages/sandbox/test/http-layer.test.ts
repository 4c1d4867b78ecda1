import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QontoSandbox, startQontoSandbox } from '../src/index.js';
import { clientForm, connectRaw, obtainCode, REDIRECT_URI } from './helpers.js';

/** The body, headers and status of one request sent over node:http, bytes and headers exactly as given. */
function send(
  sandbox: QontoSandbox,
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body?: string | Uint8Array,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${sandbox.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the HTTP layer, as clients meet it', () => {
  let sandbox: QontoSandbox;
  let tokenHeaders: Record<string, string>;
  beforeAll(async () => {
    // One emulator for the file (the helpers' startSandbox closes its emulators after each test).
    sandbox = await startQontoSandbox();
    tokenHeaders = {
      'X-Qonto-Staging-Token': sandbox.stagingToken,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
  });
  afterAll(() => sandbox.close());

  it('refuses a form body over 100 KB with 413 in the RFC 6749 shape, after reading it', async () => {
    const form = new URLSearchParams({
      ...clientForm(sandbox),
      grant_type: 'refresh_token',
      pad: 'x'.repeat(110_000),
    });
    const answer = await send(sandbox, 'POST', '/oauth2/token', tokenHeaders, form.toString());
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({
      error: 'invalid_request',
      error_description: 'The request body was refused (request entity too large).',
    });
  });

  it('refuses a form in a charset other than UTF-8 or ISO-8859-1, or an unknown Content-Encoding, with 415', async () => {
    const body = new URLSearchParams({ ...clientForm(sandbox), grant_type: 'refresh_token' }).toString();
    const utf16 = await send(
      sandbox,
      'POST',
      '/oauth2/token',
      { ...tokenHeaders, 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-16' },
      body,
    );
    expect([utf16.status, JSON.parse(utf16.text).error_description]).toEqual([
      415,
      'The request body was refused (unsupported charset "UTF-16").',
    ]);
    const zip = await send(
      sandbox,
      'POST',
      '/oauth2/token',
      { ...tokenHeaders, 'Content-Encoding': 'zip' },
      body,
    );
    expect([zip.status, JSON.parse(zip.text).error_description]).toEqual([
      415,
      'The request body was refused (unsupported content encoding "zip").',
    ]);
  });

  it('reads a gzip-compressed form and a form with more than one value per name', async () => {
    const code = await obtainCode(sandbox);
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      ...clientForm(sandbox),
    });
    const gzipped = await send(
      sandbox,
      'POST',
      '/oauth2/token',
      { ...tokenHeaders, 'Content-Encoding': 'gzip' },
      gzipSync(form.toString()),
    );
    expect(gzipped.status).toBe(200);
    const refreshToken = JSON.parse(gzipped.text).refresh_token as string;
    // A repeated grant_type is no grant_type: the answer names the parameter rather than guessing.
    form.set('grant_type', 'refresh_token');
    form.append('grant_type', 'refresh_token');
    form.set('refresh_token', refreshToken);
    const repeated = await send(sandbox, 'POST', '/oauth2/token', tokenHeaders, form.toString());
    expect([repeated.status, JSON.parse(repeated.text).error]).toEqual([400, 'unsupported_grant_type']);
  });

  it('answers a malformed or non-object JSON body with 400 in the JSON:API shape', async () => {
    const { accessToken } = await connectRaw(sandbox, { scope: 'webhook' });
    const headers = {
      'X-Qonto-Staging-Token': sandbox.stagingToken,
      Authorization: `Bearer ${accessToken}`,
      'Content-Type': 'application/json',
    };
    for (const body of ['{"callback_url":', '"a string"', '  42']) {
      const answer = await send(sandbox, 'POST', '/v2/webhook_subscriptions', headers, body);
      expect(answer.status, body).toBe(400);
      const error = JSON.parse(answer.text).errors[0];
      expect(error.code).toBe('invalid_request');
      expect(error.detail).toMatch(/^The request body was refused \(.+\)\.$/);
    }
  });

  it('matches paths in any ASCII case and with a trailing slash, and refuses a path segment that is not percent-encoding', async () => {
    const { get } = await connectRaw(sandbox);
    expect((await get('/V2/Organization/')).status).toBe(200);
    const transactions = await get<{ transactions: { id: string }[] }>(
      `/v2/transactions?bank_account_id=${(await get<{ organization: { bank_accounts: { id: string }[] } }>('/v2/organization')).body.organization.bank_accounts[0]!.id}`,
    );
    const id = transactions.body.transactions[0]!.id;
    expect((await get(`/V2/TRANSACTIONS/${id}`)).status).toBe(200);
    const undecodable = await get<{ errors: { code: string; detail: string }[] }>(
      '/v2/transactions/%E0%A4%A',
    );
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.errors[0]).toMatchObject({
      code: 'invalid_request',
      detail:
        "The path segment '%E0%A4%A' is not valid percent-encoding: encode each segment with encodeURIComponent.",
    });
  });

  it('answers HEAD like GET without a body, and OPTIONS with the methods of the path', async () => {
    const head = await send(sandbox, 'HEAD', '/');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    const options = await send(sandbox, 'OPTIONS', '/oauth2/token');
    expect([options.status, options.headers.allow, options.text]).toEqual([200, 'POST', 'POST']);
    const unrouted = await send(sandbox, 'OPTIONS', '/oauth2/nothing');
    expect(unrouted.status).toBe(404);
  });

  it('sends a redirect with Location percent-encoded and a body in the type the client accepts', async () => {
    const html = await send(
      sandbox,
      'POST',
      '/devportal/login',
      {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'text/html',
      },
      'return_to=%2Fconnected-apps%3Fa%3D%7Bb%7D',
    );
    expect(html.status).toBe(303);
    expect(html.headers.location).toBe('/connected-apps?a=%7Bb%7D');
    expect(html.text).toBe(
      '<!DOCTYPE html><head><title>See Other</title></head><body><p>See Other. Redirecting to /connected-apps?a=%7Bb%7D</p></body>',
    );
    expect(html.headers['set-cookie']).toEqual([expect.stringMatching(/; Path=\/; HttpOnly; SameSite=Lax$/)]);
    const plain = await send(
      sandbox,
      'POST',
      '/devportal/login',
      {
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      'return_to=/',
    );
    expect([plain.status, plain.headers['content-type'], plain.text]).toEqual([
      303,
      'text/plain; charset=utf-8',
      'See Other. Redirecting to /',
    ]);
  });
});
