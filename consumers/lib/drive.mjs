import { ROOT } from './paths.mjs';

const { completeAuthorization, createCookieJarFetch } = await import(
  new URL('packages/sandbox/dist/testing.js', ROOT).href
);

/**
 * Drives a consumer's flow against the emulator over HTTP, as a browser would: "Connect with Qonto", the emulator's
 * pages (login, SMS code, consent), the app's callback and its redirects; then the same with the consent declined.
 * @param {import('../matrix.mjs').Consumer} consumer
 * @param {{ base: string, sandbox: any }} context
 */
export async function driveFlows(consumer, { base, sandbox }) {
  const user = sandbox.users[1];
  const organization = user.organizations[0].legalName;

  sandbox.requests.clear();
  const connected = await signIn(consumer, base, sandbox, { email: user.email, password: user.password });
  expect(
    connected.status === 200,
    `after connecting, ${connected.url} answered ${connected.status}`,
    connected.body,
  );
  expect(
    decode(connected.body).includes(organization),
    `after connecting, ${connected.url} does not show the organization "${organization}"`,
    connected.body,
  );
  const tokenRequests = sandbox.requests.filter((r) => r.path === '/oauth2/token');
  expect(tokenRequests.length > 0, 'the app never called the token endpoint', '');
  // Server-to-server requests only: the browser's pages never carry the header.
  const gated = sandbox.requests.filter(
    (r) => (r.path === '/oauth2/token' || r.path.startsWith('/v2/')) && r.stagingToken !== 'ok',
  );
  expect(
    gated.length === 0,
    `requests without the exact X-Qonto-Staging-Token: ${gated.map((r) => `${r.method} ${r.path}`).join(', ')}`,
    '',
  );

  const declined = await signIn(consumer, base, sandbox, {
    email: user.email,
    password: user.password,
    deny: true,
  });
  expect(
    declined.status === consumer.declined.status &&
      decode(declined.body).toLowerCase().includes(consumer.declined.text.toLowerCase()),
    `after declining, ${declined.url} answered ${declined.status} (expected ${consumer.declined.status} saying "${consumer.declined.text}")`,
    declined.body,
  );
}

async function signIn(consumer, base, sandbox, login) {
  const browse = createCookieJarFetch();
  const authorizationUrl = await startLogin(consumer, base, browse);
  if (!authorizationUrl.startsWith(sandbox.url)) {
    throw new Error(
      `starting the login redirected to ${authorizationUrl}, not to the emulator (${sandbox.url})`,
    );
  }
  const callback = await completeAuthorization(authorizationUrl, login);
  return followInApp(browse, callback, base);
}

async function startLogin(consumer, base, browse) {
  let response;
  if (consumer.flow === 'next-auth') {
    const { csrfToken } = await (await browse(`${base}/api/auth/csrf`)).json();
    response = await browse(`${base}/api/auth/signin/qonto`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${base}${consumer.home ?? '/'}` }),
    });
  } else {
    response = await browse(`${base}${consumer.login ?? '/auth/qonto'}`);
  }
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || location === null) {
    throw new Error(
      `starting the login answered ${response.status} without a redirect:\n${await response.text()}`,
    );
  }
  return new URL(location, base).href;
}

/** Follows redirects while they stay in the app; returns the last answer. */
async function followInApp(browse, start, base) {
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const response = await browse(url);
    const location = response.headers.get('location');
    const next = location === null ? undefined : new URL(location, url);
    if (response.status >= 300 && response.status <= 399 && next?.origin === new URL(base).origin) {
      url = next.href;
      continue;
    }
    return { url, status: response.status, body: await response.text() };
  }
  throw new Error(`more than 10 redirects from ${start}`);
}

function decode(html) {
  return html
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"');
}

function expect(condition, message, body) {
  if (!condition) throw new Error(`${message}${body ? `\n--- the page ---\n${body.slice(0, 2000)}` : ''}`);
}
