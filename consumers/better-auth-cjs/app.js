// @qonto-oauth/better-auth's quick start as a CommonJS app: better-auth is ESM-only, so both it and the package's
// CommonJS build load through Node's require(esm) (Node >= 20.19). Configured by the QONTO_* variables the runner
// passes (the emulator's demo client); GET /auth/qonto starts the sign-in server-side, as a form post would.
const { createServer } = require('node:http');
const { getQontoApi, qonto } = require('@qonto-oauth/better-auth');
const { betterAuth } = require('better-auth');
const { memoryAdapter } = require('better-auth/adapters/memory');
const { fromNodeHeaders, toNodeHandler } = require('better-auth/node');

const port = Number(process.env.PORT ?? 3003);
const baseURL = process.env.APP_URL ?? `http://127.0.0.1:${port}`;
const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET ?? 'consumer-better-auth-cjs-secret-not-for-production',
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  plugins: [qonto()],
  telemetry: { enabled: false },
});

const handleAuth = toNodeHandler(auth);

createServer(async (req, res) => {
  try {
    const url = new URL(req.url, baseURL);
    if (url.pathname.startsWith('/api/auth/')) return handleAuth(req, res);
    const headers = fromNodeHeaders(req.headers);
    if (url.pathname === '/auth/qonto') {
      // What authClient.signIn.social({ provider: 'qonto' }) does, without a front end.
      const started = await auth.api.signInSocial({
        body: { provider: 'qonto', callbackURL: '/', errorCallbackURL: '/' },
        headers,
        asResponse: true,
      });
      const { url: authorize } = await started.json();
      res.writeHead(302, { location: authorize, 'set-cookie': started.headers.getSetCookie() });
      return res.end();
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    const session = await auth.api.getSession({ headers });
    if (!session) {
      const error = url.searchParams.get('error');
      const declined = error === 'access_denied' ? '<p>You declined the connection on Qonto.</p>' : '';
      const failed = error && !declined ? `<p>Qonto sign-in failed: ${error.replace(/[^\w]/g, '')}</p>` : '';
      return res.end(`${declined}${failed}<a href="/auth/qonto">Connect with Qonto</a>`);
    }
    const organization = await (await getQontoApi(auth, { headers })).getOrganization();
    res.end(`Hello ${session.user.name}, connected to ${organization.legal_name}`);
  } catch (error) {
    console.error(error);
    res.statusCode = 500;
    res.end('Internal error');
  }
}).listen(port, '127.0.0.1');
