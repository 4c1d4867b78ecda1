import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_QONTO_SCOPES, parseAuthorizationCallback, QontoOAuthClient } from '@qonto-oauth/core';
import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_STAGING_TOKEN } from '@qonto-oauth/sandbox/demo';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, readReadme } from './markdown.js';

// Core's "Connect an organization to your users" guide, run as pasted (only its port changed to a free one) against
// the emulator's demo client: the whole loop a user follows, the consent revoked on the emulator's side included.
const README = 'packages/core/README.md';

function guideCode(): string {
  const text = readReadme(README);
  const at = text.indexOf('## Connect an organization to your users');
  const block = codeBlocks(text.slice(at)).find((b) => b.lang === 'js');
  if (at === -1 || block === undefined) throw new Error(`${README} has no connections guide with a js block`);
  return block.code;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let sandbox: QontoSandbox;
let app: ChildProcess;
let base = '';
let user: SandboxUser;
let organizationId = '';
// Inside this package, so the guide's `@qonto-oauth/core` resolves to the built workspace package.
const dir = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), '.guide-'));

/** What the app's admin does once: a webhook subscription to the guide's URL, made with the `webhook` scope. */
async function subscribe(port: number): Promise<string> {
  const oauth = new QontoOAuthClient({
    environment: sandbox.endpoints,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    redirectUri: `http://localhost:${port}/connect/qonto/callback`,
    stagingToken: DEMO_STAGING_TOKEN,
    scopes: [...DEFAULT_QONTO_SCOPES, 'webhook'],
  });
  const request = await oauth.createAuthorizationRequest({ organizationId });
  const callback = await completeAuthorization(request.url, { ...user, organizationId });
  const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
  const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
  const response = await fetch(`${sandbox.url}/v2/webhook_subscriptions`, {
    method: 'POST',
    headers: {
      'X-Qonto-Staging-Token': DEMO_STAGING_TOKEN,
      Authorization: `Bearer ${tokens.accessToken}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      callback_url: `http://localhost:${port}/webhooks/qonto`,
      types: ['v1/consent-revocations'],
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { secret: string }).secret;
}

beforeAll(async () => {
  sandbox = await startQontoSandbox({ demo: true });
  user = sandbox.users[1]!;
  organizationId = user.organizations[0]!.id;
  const port = await freePort();
  const code = guideCode();
  expect(code).toContain('3010');
  writeFileSync(join(dir, 'connect.mjs'), code.replaceAll('3010', String(port)));
  app = spawn(process.execPath, [join(dir, 'connect.mjs')], {
    env: {
      ...process.env,
      QONTO_SANDBOX_URL: sandbox.url,
      QONTO_CLIENT_ID: DEMO_CLIENT_ID,
      QONTO_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      QONTO_STAGING_TOKEN: DEMO_STAGING_TOKEN,
      QONTO_WEBHOOK_SECRET: await subscribe(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    app.stdout!.once('data', resolve);
    app.once('exit', (code) => reject(new Error(`the guide's server exited with ${code}`)));
  });
  base = `http://localhost:${port}`;
});

afterAll(async () => {
  app?.kill();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, body: await response.text() };
};

describe("core README's connections guide, as pasted", () => {
  it('connects, syncs, refuses a forged webhook, takes the revocation webhook, and disconnects', async () => {
    const start = await fetch(`${base}/connect/qonto`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const callback = new URL(
      await completeAuthorization(start.headers.get('location')!, { ...user, organizationId }),
    );
    const organization = user.organizations[0]!;
    expect(await text(callback.pathname + callback.search)).toEqual({
      status: 200,
      body: `Connected ${organization.legalName}: /sync?organization=${organizationId}\n`,
    });
    const sync = await text(`/sync?organization=${organizationId}`);
    expect(sync).toEqual({ status: 200, body: expect.stringMatching(/^[1-9]\d* transactions\n$/) });
    expect((await text('/')).body).toContain(
      `${organization.legalName} (${organizationId}): active, reconnect by`,
    );

    const forged = await text('/webhooks/qonto', {
      method: 'POST',
      body: '{}',
      headers: { 'x-qonto-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(400);

    // The member revokes the app in Qonto: the emulator revokes its tokens and delivers the signed webhook.
    const deliveries = await sandbox.revokeConsent({
      clientId: DEMO_CLIENT_ID,
      organizationId,
      email: user.email,
    });
    expect(deliveries.map((d) => d.state)).toEqual(['delivered']);
    // The guide answers the delivery first, then checks the connection with Qonto: it turns revoked shortly after.
    await expect
      .poll(async () => (await text('/')).body, { timeout: 20_000 })
      .toContain(`${organization.legalName} (${organizationId}): revoked`);

    expect(await text(`/disconnect?organization=${organizationId}`, { method: 'POST' })).toEqual({
      status: 200,
      body: 'Disconnected\n',
    });
    expect((await text('/')).body).toBe('No organization connected: open /connect/qonto\n');
  });
});
