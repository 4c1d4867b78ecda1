// @qonto-oauth/core's quick start, pasted; only the port comes from $PORT (the README's is 3001).
import { createServer } from 'node:http';
import {
  parseAuthorizationCallback,
  QontoApiClient,
  QontoOAuthClient,
  QontoTokenManager,
  qontoConfigFromEnv,
} from '@qonto-oauth/core';

const port = Number(process.env.PORT ?? 3001);
const config = qontoConfigFromEnv(); // QONTO_ENV, QONTO_CLIENT_ID, QONTO_CLIENT_SECRET, QONTO_STAGING_TOKEN…
const client = new QontoOAuthClient({
  ...config,
  redirectUri: `http://localhost:${port}/auth/qonto/callback`,
});
const logins = new Map(); // state → codeVerifier; keep it in the user's session in a real app

createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://localhost:${port}`);
    if (url.pathname === '/') {
      const login = await client.createAuthorizationRequest(); // { url, state, codeVerifier }
      logins.set(login.state, login.codeVerifier);
      return res.writeHead(302, { location: login.url }).end();
    }
    if (url.pathname !== '/auth/qonto/callback') return res.writeHead(404).end();
    const state = url.searchParams.get('state');
    const expectedState = logins.has(state) ? state : undefined;
    const { code } = parseAuthorizationCallback(url, { expectedState }); // checks state, reports a denial
    const tokens = await client.exchangeCode({ code, codeVerifier: logins.get(state) });
    logins.delete(state);
    const manager = new QontoTokenManager({ client, tokens });
    const api = new QontoApiClient({
      environment: config.environment,
      stagingToken: config.stagingToken,
      tokens: manager,
    });
    const organization = await api.getOrganization();
    res.end(
      `Connected to ${organization.legal_name} (${organization.bank_accounts?.length ?? 0} accounts)\n`,
    );
  } catch (error) {
    res.writeHead(500).end(`${error.name} (${error.code}): ${error.message}\n`); // messages never hold a secret
  }
}).listen(port, '127.0.0.1', () => console.log(`Open http://localhost:${port}/`));
