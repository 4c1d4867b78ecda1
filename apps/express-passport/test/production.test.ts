import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, signIn, singleOrganizationUser, startApp } from './helpers/app-harness.js';

let sandbox: QontoSandbox;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await startQontoSandbox({ mode: 'production' });
  app = await startApp(sandbox, {
    environment: { ...sandbox.endpoints, requiresStagingToken: false },
    stagingToken: undefined,
  });
});
afterAll(async () => {
  await app.close();
  await sandbox.close();
});

describe('example-express-passport against an emulator in production mode', () => {
  it('connects, refreshes and disconnects without ever sending a staging header', async () => {
    const user = singleOrganizationUser(sandbox);
    const page = await signIn(app, user);
    expect(page.status).toBe(200);
    expect(page.body).toContain(user.organizations[0]!.legalName);
    expect((await app.browser.post(`${app.origin}/refresh`)).status).toBe(303);
    expect(
      (
        await app.browser.follow(`${app.origin}/disconnect`, {
          method: 'POST',
          headers: { Origin: app.origin },
        })
      ).status,
    ).toBe(200);

    const paths = sandbox.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /oauth2/token',
        'GET /v2/membership',
        'GET /v2/organization',
        'DELETE /v2/oauth2/consents',
      ]),
    );
    for (const request of sandbox.requests) {
      expect(request.stagingToken).toBe('absent');
      expect(request.headerNames.map((h) => h.toLowerCase())).not.toContain('x-qonto-staging-token');
    }
  });
});
