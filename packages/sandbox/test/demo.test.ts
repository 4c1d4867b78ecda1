import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEFAULT_QONTO_SCOPES,
  parseAuthorizationCallback,
  QontoApiClient,
  QontoOAuthClient,
  sandboxEndpointsAt,
} from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import {
  DEMO_APPS,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_STAGING_TOKEN,
  DEMO_USERS,
  demoQontoConfig,
} from '../src/demo.js';
import { completeAuthorization } from '../src/testing.js';
import { authorizeUrl, startSandbox } from './helpers.js';

describe('demo mode', () => {
  it('gives a qontoConfigFromEnv-shaped config for the demo client', () => {
    expect(demoQontoConfig('http://127.0.0.1:4010/')).toEqual({
      environment: sandboxEndpointsAt('http://127.0.0.1:4010'),
      clientId: 'qonto-oauth-demo',
      clientSecret: 'demo-secret',
      redirectUri: undefined,
      stagingToken: 'demo-staging-token',
      scopes: [...DEFAULT_QONTO_SCOPES],
    });
  });

  it('runs the demo credentials through core, with a callback on any port of localhost', async () => {
    const sandbox = await startSandbox({ demo: true });
    expect([sandbox.stagingToken, sandbox.clients.map((c) => c.clientId)]).toEqual([
      DEMO_STAGING_TOKEN,
      [DEMO_CLIENT_ID],
    ]);
    expect(sandbox.users).toEqual(DEMO_USERS);
    const config = demoQontoConfig(sandbox.url);
    const oauth = new QontoOAuthClient({
      ...config,
      redirectUri: 'http://localhost:45678/api/auth/callback/qonto',
    });
    const request = await oauth.createAuthorizationRequest();
    const user = DEMO_USERS[1]!;
    const callback = await completeAuthorization(request.url, { email: user.email, password: user.password });
    expect(callback.startsWith('http://localhost:45678/api/auth/callback/qonto?')).toBe(true);
    const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
    const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
    const api = new QontoApiClient({
      environment: config.environment,
      stagingToken: config.stagingToken,
      tokens: tokens.accessToken,
    });
    expect((await api.getMembership()).email).toBe(user.email);
  });

  it.each([
    ['http://127.0.0.1:3001/auth/qonto/callback', true],
    ['http://localhost:3000/api/auth/callback/qonto', true],
    ['http://localhost/auth/qonto/callback', true],
    ['http://localhost:3001/connect/qonto/callback', true],
    ['http://example.com:3001/auth/qonto/callback', false],
    ['https://localhost:3001/auth/qonto/callback', false],
    ['http://localhost:3001/auth/qonto/callback/extra', false],
    ['http://localhost:3001/auth/qonto/callback?x=1', false],
  ])('accepts %s as a demo callback: %s', async (redirectUri, accepted) => {
    const sandbox = await startSandbox({ demo: true, mode: 'production' });
    const response = await fetch(authorizeUrl(sandbox, { redirect_uri: redirectUri }), {
      redirect: 'manual',
    });
    expect(response.status).toBe(accepted ? 302 : 404);
    await response.body?.cancel();
  });

  it('keeps the demo client secret out of non-demo starts', async () => {
    const sandbox = await startSandbox();
    expect(sandbox.clients.map((c) => c.clientSecret)).not.toContain(DEMO_CLIENT_SECRET);
    expect(sandbox.stagingToken).not.toBe(DEMO_STAGING_TOKEN);
  });

  it('lists the endpoints, the demo users and links to the sample apps on the home page', async () => {
    const sandbox = await startSandbox({ demo: true });
    const html = await (await fetch(`${sandbox.url}/`)).text();
    for (const text of [
      `${sandbox.url}/oauth2/auth`,
      `${sandbox.url}/oauth2/token`,
      `${sandbox.url}/oauth2/revoke`,
      `${sandbox.url}/.well-known/jwks.json`,
    ]) {
      expect(html).toContain(text);
    }
    for (const app of DEMO_APPS) expect(html).toContain(`href="${app.url}"`);
    expect(DEMO_APPS.map((a) => a.url)).toEqual([
      'http://localhost:3000',
      'http://localhost:3001',
      'http://localhost:3002',
      'http://localhost:3003',
    ]);
    for (const user of DEMO_USERS) expect(html).toContain(user.email);
  });

  it('links the home page to the sample apps given in demoApps instead, escaped, and refuses a bad URL', async () => {
    const sandbox = await startSandbox({
      demo: true,
      demoApps: [
        { name: 'example-next <Next.js>', url: 'http://localhost:43000' },
        { name: 'example-nest', url: 'http://127.0.0.1:43002/?a=1&b=2' },
      ],
    });
    const html = await (await fetch(`${sandbox.url}/`)).text();
    expect(html).toContain('href="http://localhost:43000"');
    expect(html).toContain('example-next &lt;Next.js&gt;');
    expect(html).toContain('href="http://127.0.0.1:43002/?a=1&amp;b=2"');
    for (const app of DEMO_APPS) expect(html).not.toContain(`href="${app.url}"`);

    await expect(
      startSandbox({ demo: true, demoApps: [{ name: 'x', url: 'localhost:3000' }] }),
    ).rejects.toThrow(/demoApps: x needs an absolute http\(s\) URL/);
    await expect(
      startSandbox({ demo: true, demoApps: [{ name: ' ', url: 'http://localhost:3000' }] }),
    ).rejects.toThrow(/non-empty name/);
  });

  it('hides the staging token from the home page outside demo mode', async () => {
    const sandbox = await startSandbox();
    expect(await (await fetch(`${sandbox.url}/`)).text()).not.toContain(sandbox.stagingToken);
  });

  it('keeps @qonto-oauth/sandbox/demo free of server code (importable by a Next.js app)', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        if (spec!.startsWith('.')) visit(join(dirname(file), spec!.replace(/\.js$/, '.ts')));
        else external.add(spec!);
      }
    };
    visit(join(import.meta.dirname, '../src/demo.ts'));
    expect([...external]).toEqual(['@qonto-oauth/core']);
  });
});
