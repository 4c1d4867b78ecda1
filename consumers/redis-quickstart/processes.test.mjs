// The quick start's promise, installed with plain npm: three app processes (two in CommonJS, the quick start's
// module in ESM) on one expired connection refresh it once among them, and all get the same new token.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startRedisServer } from '@qonto-oauth/redis/testing';
import { startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '@qonto-oauth/sandbox/demo';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';

const run = promisify(execFile);

test('three processes, one refresh', async () => {
  const [sandbox, redis] = await Promise.all([startQontoSandbox({ demo: true }), startRedisServer()]);
  try {
    Object.assign(process.env, {
      QONTO_SANDBOX_URL: sandbox.url,
      QONTO_CLIENT_ID: DEMO_CLIENT_ID,
      QONTO_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      QONTO_STAGING_TOKEN: sandbox.stagingToken,
      QONTO_REDIRECT_URI: 'http://localhost:3001/auth/qonto/callback',
      REDIS_URL: redis.url,
    });
    const { saveConnection, store, qontoApi } = await import('./qonto.mjs');
    const { QontoOAuthClient, qontoConfigFromEnv } = await import('@qonto-oauth/core');
    const request = await new QontoOAuthClient(qontoConfigFromEnv()).createAuthorizationRequest();
    const user = sandbox.users[1];
    const callback = new URL(await completeAuthorization(request.url, user));
    await saveConnection('org-1', callback.searchParams.get('code'), request.codeVerifier);
    const saved = await store.get('org-1');
    await store.set('org-1', { ...saved, expiresAt: Date.now() - 1000 });
    sandbox.requests.clear();

    const env = { ...process.env, KEY: 'org-1', CALLS: '50' };
    const [first, second, esm] = await Promise.all([
      run(process.execPath, ['calls.cjs'], { env }),
      run(process.execPath, ['calls.cjs'], { env }),
      qontoApi('org-1').then((api) => api.getOrganization()),
    ]);
    const tokens = new Set([...JSON.parse(first.stdout), ...JSON.parse(second.stdout)]);
    assert.equal(tokens.size, 1);
    assert.notEqual([...tokens][0], saved.accessToken);
    assert.equal(esm.legal_name, user.organizations[0].legalName);
    assert.equal(sandbox.requests.filter((r) => r.path === '/oauth2/token').length, 1);
    assert.equal((await store.get('org-1')).accessToken, [...tokens][0]);
    await store.close();
  } finally {
    await Promise.all([sandbox.close(), redis.close()]);
  }
});
