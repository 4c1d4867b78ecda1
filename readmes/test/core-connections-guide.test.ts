import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_STAGING_TOKEN } from '@qonto-oauth/sandbox/demo';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, readReadme } from './markdown.js';

// Core's "Connect an organization to your users" guide, run as pasted (only its port changed to a free one) against
// the emulator's demo client: the whole loop a user follows, for two organizations (each subscribed to webhooks with
// its own secret), the consent revoked on the emulator's side included.
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
// Inside this package, so the guide's `@qonto-oauth/core` resolves to the built workspace package.
const dir = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), '.guide-'));

beforeAll(async () => {
  sandbox = await startQontoSandbox({ demo: true });
  const withTwo = sandbox.users.find((u) => u.organizations.length === 2);
  if (!withTwo) throw new Error('the emulator seed has no user with two organizations');
  user = withTwo;
  const port = await freePort();
  const code = guideCode();
  expect(code).toContain('3010');
  writeFileSync(join(dir, 'connect.mjs'), code.replaceAll('3010', String(port)));
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('QONTO_')) delete env[name];
  app = spawn(process.execPath, [join(dir, 'connect.mjs')], {
    env: {
      ...env,
      QONTO_SANDBOX_URL: sandbox.url,
      QONTO_CLIENT_ID: DEMO_CLIENT_ID,
      QONTO_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      QONTO_STAGING_TOKEN: DEMO_STAGING_TOKEN,
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

/** Connects `organization` through the guide, as the user does: its start, Qonto's pages, its callback. */
async function connect(organization: SandboxUser['organizations'][number]) {
  const start = await fetch(`${base}/connect/qonto`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.searchParams.get('scope')?.split(' ')).toContain('webhook');
  const callback = new URL(
    await completeAuthorization(authorize.href, { ...user, organizationId: organization.id }),
  );
  expect(await text(callback.pathname + callback.search)).toEqual({
    status: 200,
    body: `Connected ${organization.legalName}: /sync?organization=${organization.id}\n`,
  });
}

const subscriptionsCreated = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/v2/webhook_subscriptions').length;

describe("core README's connections guide, as pasted", () => {
  it("connects two organizations, takes each one's revocation webhook, refuses forged ones, and disconnects", async () => {
    const [first, second] = user.organizations as [
      SandboxUser['organizations'][number],
      SandboxUser['organizations'][number],
    ];
    await connect(first);
    const sync = await text(`/sync?organization=${first.id}`);
    expect(sync).toEqual({ status: 200, body: expect.stringMatching(/^[1-9]\d* transactions\n$/) });
    await connect(second);
    // One subscription per organization, made with its own connection's token; connecting again adds none.
    expect(subscriptionsCreated()).toBe(2);
    await connect(first);
    expect(subscriptionsCreated()).toBe(2);
    const settings = (await text('/')).body;
    for (const organization of [first, second]) {
      expect(settings).toContain(`${organization.legalName} (${organization.id}): active, reconnect by`);
    }

    const signature = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
    const forged = await text('/webhooks/qonto', {
      method: 'POST',
      body: '{}',
      headers: { 'x-qonto-signature': signature },
    });
    expect(forged.status).toBe(400);

    // The member revokes the app in the second organization, then in the first: the emulator revokes the tokens and
    // delivers a webhook signed with that organization's subscription secret; the guide verifies each with its own.
    for (const [revoked, still] of [
      [second, first],
      [first, undefined],
    ] as const) {
      const deliveries = await sandbox.revokeConsent({
        clientId: DEMO_CLIENT_ID,
        organizationId: revoked.id,
        email: user.email,
      });
      expect(deliveries.map((d) => d.state)).toEqual(['delivered']);
      // The guide answers the delivery first, then checks the connection with Qonto: it turns revoked shortly after.
      await expect
        .poll(async () => (await text('/')).body, { timeout: 20_000 })
        .toContain(`${revoked.legalName} (${revoked.id}): revoked`);
      if (still) expect((await text('/')).body).toContain(`${still.legalName} (${still.id}): active`);

      // A delivery naming a real subscription, without its signature, changes nothing.
      const replayed = await text('/webhooks/qonto', {
        method: 'POST',
        body: deliveries[0]!.body,
        headers: { 'x-qonto-signature': signature },
      });
      expect(replayed.status).toBe(400);
    }

    for (const organization of [first, second]) {
      expect(await text(`/disconnect?organization=${organization.id}`, { method: 'POST' })).toEqual({
        status: 200,
        body: 'Disconnected\n',
      });
    }
    expect((await text('/')).body).toBe('No organization connected: open /connect/qonto\n');
  });
});
