// What a Nest user writes first: a Jest e2e test (ts-jest, CommonJS, moduleResolution node10) that imports the
// emulator's three entry points and completes a login against it.
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '@qonto-oauth/sandbox/demo';
import { completeAuthorization, createCookieJarFetch } from '@qonto-oauth/sandbox/testing';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('Connect with Qonto (e2e)', () => {
  let sandbox: QontoSandbox;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    sandbox = await startQontoSandbox({ demo: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    Object.assign(process.env, {
      QONTO_SANDBOX_URL: sandbox.url,
      QONTO_CLIENT_ID: DEMO_CLIENT_ID,
      QONTO_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      QONTO_STAGING_TOKEN: sandbox.stagingToken,
      APP_URL: base,
    });
    // The module reads the environment when it is loaded, as `nest new`'s AppModule would.
    const { AppModule } = await import('../src/app.module');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('connects the member and shows the organization', async () => {
    const browse = createCookieJarFetch();
    const start = await browse(`${base}/auth/qonto`);
    expect(start.status).toBe(302);
    const user = sandbox.users[1]!;
    const callback = await completeAuthorization(start.headers.get('location')!, user);
    const answer = await browse(callback);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ organization: user.organizations[0]!.legalName });
  });

  it('answers 401 when the member declines', async () => {
    const browse = createCookieJarFetch();
    const start = await browse(`${base}/auth/qonto`);
    const user = sandbox.users[1]!;
    const callback = await completeAuthorization(start.headers.get('location')!, { ...user, deny: true });
    const answer = await browse(callback);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ oauthError: 'access_denied' });
  });
});
