import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached the wire: header names in their raw casing, with their values. */
export interface WireRequest {
  method: string;
  path: string;
  headers: [name: string, value: string][];
}

export interface OtherOAuthServer {
  origin: string;
  requests: WireRequest[];
  close(): Promise<void>;
}

/**
 * A minimal OAuth 2 provider that is not Qonto, on loopback: `/authorize` redirects straight back with a code,
 * `/token` and `/userinfo` answer JSON. It records every request's raw headers, to prove what another provider in
 * the same process receives.
 */
export async function startOtherOAuthServer(): Promise<OtherOAuthServer> {
  const requests: WireRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://internal');
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    requests.push({ method: req.method ?? '', path: url.pathname, headers });
    req.resume();
    req.on('end', () => {
      if (url.pathname === '/authorize') {
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'other-code');
        const state = url.searchParams.get('state');
        if (state !== null) back.searchParams.set('state', state);
        res.writeHead(302, { location: back.href }).end();
      } else if (url.pathname === '/token') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ access_token: 'other-access-token', token_type: 'bearer', expires_in: 3600 }),
          );
      } else if (url.pathname === '/userinfo') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: 'other-user', name: 'Other User', email: 'other@example.com' }));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
