// @qonto-oauth/redis's quick start, pasted unchanged from its README.
// qonto.mjs: every process of your app (web, worker, cron) imports the same module
import { QontoApiClient, QontoOAuthClient, QontoTokenManager, qontoConfigFromEnv } from '@qonto-oauth/core';
import { RedisTokenStore } from '@qonto-oauth/redis';

const config = qontoConfigFromEnv(); // QONTO_ENV, QONTO_CLIENT_ID, QONTO_CLIENT_SECRET, QONTO_STAGING_TOKEN, ...
const client = new QontoOAuthClient(config);
export const store = new RedisTokenStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });

// In your OAuth callback, once: keep the connection under your own key (an organization or user id).
export async function saveConnection(organizationId, code, codeVerifier) {
  await store.set(organizationId, await client.exchangeCode({ code, codeVerifier }));
}

// Anywhere, in any process: the access token is refreshed once among all of them when it expires.
export async function qontoApi(organizationId) {
  const tokens = await store.get(organizationId);
  if (tokens === undefined) throw new Error(`${organizationId} has not connected Qonto yet`);
  const manager = new QontoTokenManager({ client, tokens, store, key: organizationId });
  return new QontoApiClient({
    environment: config.environment,
    stagingToken: config.stagingToken,
    tokens: manager,
  });
}
