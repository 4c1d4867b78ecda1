// One server of bench/run.mjs, in a process of its own so that its start time and memory are its own:
// `node bench/serve.mjs qonto|mock`. It times its start from before the import to a listening port, then answers
// the parent's "rss" message with process.memoryUsage().rss.
const started = performance.now();
const which = process.argv[2];

let info;
if (which === 'qonto') {
  const { startQontoSandbox } = await import('../dist/index.js');
  const sandbox = await startQontoSandbox();
  const client = sandbox.clients[0];
  const user = sandbox.users.find((u) => u.organizations.length === 1) ?? sandbox.users[0];
  info = {
    url: sandbox.url,
    tokenPath: '/oauth2/token',
    stagingToken: sandbox.stagingToken,
    client: {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: client.redirectUris[0],
    },
    user: { email: user.email, password: user.password },
  };
} else if (which === 'mock') {
  // What oauth2-mock-server's README starts with: a server, one RS256 key, start().
  const { OAuth2Server } = await import('oauth2-mock-server');
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  info = { url: server.issuer.url, tokenPath: '/token' };
} else {
  throw new Error(`usage: node bench/serve.mjs qonto|mock, not ${which}`);
}
const startMs = performance.now() - started;

process.on('message', (message) => {
  if (message === 'rss') process.send({ rss: process.memoryUsage().rss });
});
process.send({ ready: true, startMs, ...info });
