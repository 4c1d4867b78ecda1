// One app process in CommonJS (require): CALLS concurrent getAccessToken() on the connection KEY over the shared
// Redis, printing the access tokens it got as JSON.
const { QontoOAuthClient, QontoTokenManager, qontoConfigFromEnv } = require('@qonto-oauth/core');
const { RedisTokenStore } = require('@qonto-oauth/redis');

async function main() {
  const store = new RedisTokenStore({ url: process.env.REDIS_URL });
  const client = new QontoOAuthClient(qontoConfigFromEnv());
  const key = process.env.KEY;
  const tokens = await store.get(key);
  const calls = Array.from({ length: Number(process.env.CALLS) }, () =>
    new QontoTokenManager({ client, tokens, store, key }).getAccessToken(),
  );
  process.stdout.write(JSON.stringify(await Promise.all(calls)));
  await store.close();
}
main().catch((error) => {
  console.error(String(error));
  process.exit(1);
});
