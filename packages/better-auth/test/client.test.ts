import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { createAuthClient } from 'better-auth/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { qontoClient } from '../src/client.js';
import type { QontoAccount } from '../src/index.js';
import { Browser, startApp, type TestApp } from './helpers/app.js';

let sandbox: QontoSandbox;
let app: TestApp;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  app = await startApp(sandbox);
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
});

it('signs in with signIn.social, lists and disconnects accounts through the client plugin', async () => {
  const browser = new Browser(app);
  const authClient = createAuthClient({
    baseURL: app.url,
    plugins: [qontoClient()],
    fetchOptions: {
      customFetchImpl: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('origin', app.url);
        return browser.fetch(input instanceof Request ? input.url : input, { ...init, headers });
      },
    },
  });

  const { data, error } = await authClient.signIn.social({
    provider: 'qonto',
    callbackURL: '/dashboard',
    disableRedirect: true,
  });
  expect(error).toBeNull();
  await browser.fetch(await completeAuthorization(data!.url!, sandbox.users[1]!));

  const accounts = await authClient.qonto.accounts();
  const listed: QontoAccount[] = accounts.data!;
  expect(listed).toHaveLength(1);
  expect(listed[0]!.organization?.id).toBe(sandbox.users[1]!.organizations[0]!.id);

  const disconnected = await authClient.qonto.disconnect({ accountId: listed[0]!.id });
  expect(disconnected.data).toEqual({ status: true, revoked: true });
  expect((await authClient.qonto.accounts()).data).toEqual([]);
  // The session outlives the last Qonto account: signing out is the app's call.
  expect((await authClient.getSession()).data?.user.email).toBe(sandbox.users[1]!.email);
});
