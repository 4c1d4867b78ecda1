import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ONELOGIN_URL } from '../src/index.js';
import { startQontoSandbox } from '../src/server.js';
import { completeAuthorization } from '../src/testing.js';
import type { QontoSandbox } from '../src/types.js';
import {
  apiGet,
  authorizeUrl,
  clientForm,
  exchange,
  obtainCode,
  postToken,
  startSandbox,
} from './helpers.js';

const refreshForm = (sandbox: Awaited<ReturnType<typeof startSandbox>>) => ({
  grant_type: 'refresh_token',
  refresh_token: 'ory_rt_x',
  ...clientForm(sandbox),
});

async function rawToken(url: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: 'grant_type=refresh_token&refresh_token=x&client_id=a&client_secret=b',
    redirect: 'manual',
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    location: response.headers.get('location'),
    body: await response.text(),
  };
}

// Tests that only send requests to a default emulator share one; a test that needs other options, switches a
// fault or reads the request log starts its own.
let shared: QontoSandbox;
beforeAll(async () => {
  shared = await startQontoSandbox();
});
afterAll(() => shared.close());

describe('the staging gate (sandbox mode)', () => {
  it.each([
    ['no header', {}],
    ['a lowercase header name', { 'x-qonto-staging-token': 'TOKEN' }],
    ['a mixed-case header name', { 'X-QONTO-STAGING-TOKEN': 'TOKEN' }],
    ['a wrong value', { 'X-Qonto-Staging-Token': 'wrong' }],
  ])('answers the token endpoint with 302 to OneLogin and an HTML body for %s', async (_what, headers) => {
    const sandbox = shared;
    const withToken = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v === 'TOKEN' ? sandbox.stagingToken : v]),
    );
    const answer = await rawToken(sandbox.endpoints.tokenUrl, withToken);
    expect(answer.status).toBe(302);
    expect(answer.location).toBe(ONELOGIN_URL);
    expect(answer.type).toMatch(/^text\/html/);
    expect(answer.body).toContain('<html');
  });

  it('gates the Business API the same way, before looking at the bearer token', async () => {
    const sandbox = shared;
    const response = await fetch(`${sandbox.url}/v2/organization`, {
      headers: { 'x-qonto-staging-token': sandbox.stagingToken, Authorization: 'Bearer whatever' },
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(ONELOGIN_URL);
  });

  it("answers an HTML sign-in page with status 200 in gate 'html', and switches at run time with faults.gate", async () => {
    const sandbox = await startSandbox({ gate: 'html' });
    const html = await rawToken(sandbox.endpoints.tokenUrl, {});
    expect([html.status, html.location]).toEqual([200, null]);
    expect(html.type).toMatch(/^text\/html/);
    expect(html.body).toContain('X-Qonto-Staging-Token');
    sandbox.faults.gate('redirect');
    expect((await rawToken(sandbox.endpoints.tokenUrl, {})).status).toBe(302);
    sandbox.faults.gate('html');
    expect((await rawToken(sandbox.endpoints.tokenUrl, {})).status).toBe(200);
  });

  it('lets the exact header with the right value through', async () => {
    const sandbox = shared;
    const { status, body } = await postToken(sandbox, refreshForm(sandbox));
    expect([status, body.error]).toEqual([400, 'invalid_grant']);
  });

  it('uses a random staging token per start unless one is given', async () => {
    const a = await startSandbox();
    const b = await startSandbox();
    const c = await startSandbox({ stagingToken: 'mine' });
    expect(a.stagingToken).not.toBe(b.stagingToken);
    expect(a.stagingToken.length).toBeGreaterThanOrEqual(20);
    expect(c.stagingToken).toBe('mine');
    expect(a.clients[0]!.clientSecret).not.toBe(b.clients[0]!.clientSecret);
    expect(a.clients[0]!.redirectUris).toEqual(['http://127.0.0.1/callback']);
  });
});

describe('the sandbox object', () => {
  it('keeps the staging token and client secrets out of util.inspect and JSON.stringify', async () => {
    const sandbox = shared;
    const rendered = [inspect(sandbox, { depth: 5 }), JSON.stringify(sandbox), String(Object.keys(sandbox))];
    for (const text of rendered) {
      expect(text).not.toContain(sandbox.stagingToken);
      expect(text).not.toContain(sandbox.clients[0]!.clientSecret);
    }
    expect(rendered[0]).toContain(sandbox.url);
    expect(sandbox.stagingToken.length).toBeGreaterThan(0);
  });
});

describe('production mode', () => {
  it('refuses a staging token with 400 JSON invalid_request, on the token endpoint and the API', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    expect(sandbox.endpoints.requiresStagingToken).toBe(false);
    const token = await postToken(sandbox, refreshForm(sandbox), {
      'X-Qonto-Staging-Token': sandbox.stagingToken,
    });
    expect(token.status).toBe(400);
    expect(token.body).toEqual({
      error: 'invalid_request',
      error_description: expect.stringContaining('production'),
    });
    const api = await apiGet(sandbox, '/v2/organization', 'x');
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({
      errors: [{ code: 'invalid_request', detail: expect.stringContaining('production') }],
    });
  });

  it('needs no staging token', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const { body } = await postToken(sandbox, refreshForm(sandbox), {});
    expect(body.error).toBe('invalid_grant');
  });
});

describe('requests', () => {
  it('records how each request carried the staging header and how the client authenticated, without any secret', async () => {
    const sandbox = await startSandbox();
    const code = await obtainCode(sandbox);
    sandbox.requests.clear();
    const { body } = await exchange(sandbox, code);
    await rawToken(sandbox.endpoints.tokenUrl, { 'x-qonto-staging-token': sandbox.stagingToken });
    await rawToken(sandbox.endpoints.tokenUrl, { 'X-Qonto-Staging-Token': 'nope' });
    const basic = Buffer.from(`${sandbox.clients[0]!.clientId}:${sandbox.clients[0]!.clientSecret}`).toString(
      'base64',
    );
    await postToken(
      sandbox,
      { grant_type: 'refresh_token', refresh_token: 'x' },
      {
        'X-Qonto-Staging-Token': sandbox.stagingToken,
        Authorization: `Basic ${basic}`,
      },
    );
    await apiGet(sandbox, '/v2/membership', body.access_token as string);
    await fetch(`${sandbox.url}/v2/organization`, { redirect: 'manual' });

    expect(sandbox.requests.map((r) => [r.method, r.path, r.stagingToken, r.clientAuth])).toEqual([
      ['POST', '/oauth2/token', 'ok', 'post'],
      ['POST', '/oauth2/token', 'wrong-case', 'none'],
      ['POST', '/oauth2/token', 'wrong', 'none'],
      ['POST', '/oauth2/token', 'ok', 'basic'],
      ['GET', '/v2/membership', 'ok', 'none'],
      ['GET', '/v2/organization', 'absent', 'none'],
    ]);
    expect(sandbox.requests[0]!.headerNames).toContain('X-Qonto-Staging-Token');
    expect(sandbox.requests[1]!.headerNames).toContain('x-qonto-staging-token');
    expect(sandbox.requests[0]!.at).toBeLessThanOrEqual(sandbox.clock.now());

    const recorded = JSON.stringify(sandbox.requests);
    for (const secret of [
      sandbox.stagingToken,
      sandbox.clients[0]!.clientSecret,
      code,
      body.access_token,
      body.refresh_token,
      body.id_token,
      basic,
    ]) {
      expect(recorded).not.toContain(secret as string);
    }
    sandbox.requests.clear();
    expect(sandbox.requests).toHaveLength(0);
  });

  it('logs one line per request without query strings, codes, states or tokens', async () => {
    const lines: string[] = [];
    const sandbox = await startQontoSandbox({ log: (line) => lines.push(line) });
    try {
      const user = sandbox.users[1]!;
      const callback = new URL(
        await completeAuthorization(authorizeUrl(sandbox, { state: 'secret-state' }), user),
      );
      const code = callback.searchParams.get('code')!;
      const { body } = await exchange(sandbox, code);
      await apiGet(sandbox, '/v2/organization', body.access_token as string);
      // A line is written when the response finishes, which can be just after the client has read it.
      await vi.waitFor(() => expect(lines.length).toBe(sandbox.requests.length));
      expect(
        lines.some((l) => l.startsWith('POST /oauth2/token -> 200') && l.includes('client-auth=post')),
      ).toBe(true);
      const all = lines.join('\n');
      for (const secret of [
        'secret-state',
        code,
        body.access_token,
        body.refresh_token,
        sandbox.stagingToken,
        sandbox.clients[0]!.clientSecret,
        user.password,
      ]) {
        expect(all).not.toContain(secret as string);
      }
      expect(all).not.toContain('?');
    } finally {
      await sandbox.close();
    }
  });
});
