// A web process around the quick start's module (qonto.mjs): "Connect with Qonto" saves the connection in Redis,
// and the page shows the organization through qontoApi(). Without REDIS_URL, it starts a redis-server of its own
// with @qonto-oauth/redis/testing, as a developer's machine would run one.
import { createServer } from 'node:http';
import { parseAuthorizationCallback, QontoOAuthClient, qontoConfigFromEnv } from '@qonto-oauth/core';
import { startRedisServer } from '@qonto-oauth/redis/testing';

const port = Number(process.env.PORT ?? 3001);
process.env.QONTO_REDIRECT_URI ??= `http://localhost:${port}/auth/qonto/callback`;
const redis = process.env.REDIS_URL === undefined ? await startRedisServer() : undefined;
if (redis !== undefined) process.env.REDIS_URL = redis.url;
const { qontoApi, saveConnection } = await import('./qonto.mjs');

const login = new QontoOAuthClient(qontoConfigFromEnv());
const logins = new Map(); // state → codeVerifier; keep it in the user's session in a real app
let connections = 0;

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://localhost:${port}`);
    if (url.pathname === '/auth/qonto') {
      const request = await login.createAuthorizationRequest();
      logins.set(request.state, request.codeVerifier);
      return res.writeHead(302, { location: request.url }).end();
    }
    if (url.pathname !== '/auth/qonto/callback') return res.writeHead(404).end();
    const state = url.searchParams.get('state');
    const { code } = parseAuthorizationCallback(url, {
      expectedState: logins.has(state) ? state : undefined,
    });
    connections += 1;
    const key = `connection-${connections}`; // your organization or user id
    await saveConnection(key, code, logins.get(state));
    logins.delete(state);
    const organization = await (await qontoApi(key)).getOrganization();
    res.end(`Connected to ${organization.legal_name}, saved in Redis as ${key}\n`);
  } catch (error) {
    res.writeHead(500).end(`${error.name} (${error.code}): ${error.message}\n`); // messages never hold a secret
  }
}).listen(port, '127.0.0.1', () => console.log(`Open http://localhost:${port}/auth/qonto`));

const stop = async () => {
  server.close();
  await redis?.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
