import { describe, expect, it } from 'vitest';
import { createCookieJarFetch } from '../src/browser.js';
import { authorizeUrl, startSandbox } from './helpers.js';

const stepOf = (html: string) => /<meta name="qonto-sandbox-step" content="([^"]*)">/.exec(html)?.[1];
const challengeOf = (html: string) => /name="login_challenge" value="([^"]*)"/.exec(html)?.[1] ?? '';

describe("the authorize pages' safety", () => {
  it('sends X-Frame-Options DENY and frame-ancestors none with the login, SMS, organization and consent pages', async () => {
    const sandbox = await startSandbox();
    const user = sandbox.users[0]!;
    const browse = createCookieJarFetch();
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const seen: Record<string, [string | null, string | null]> = {};
    const look = async (response: Response) => {
      const html = await response.text();
      seen[stepOf(html) ?? 'none'] = [
        response.headers.get('x-frame-options'),
        response.headers.get('content-security-policy'),
      ];
      return html;
    };
    const follow = async (response: Response) =>
      look(await browse(new URL(response.headers.get('location')!, sandbox.url).href));

    await look(await browse(authorizeUrl(sandbox)));
    await browse(`${sandbox.url}/devportal/login`, form({ return_to: '/' }));
    const login = await follow(await browse(authorizeUrl(sandbox)));
    const login_challenge = challengeOf(login);
    await follow(
      await browse(
        `${sandbox.url}/oauth2/login/credentials`,
        form({ login_challenge, email: user.email, password: user.password }),
      ),
    );
    await follow(await browse(`${sandbox.url}/oauth2/login/sms`, form({ login_challenge, code: '123456' })));
    await follow(
      await browse(
        `${sandbox.url}/oauth2/login/organization`,
        form({ login_challenge, organization_id: user.organizations[0]!.id }),
      ),
    );
    await look(await browse(`${sandbox.url}/oauth2/login?login_challenge=unknown`));

    const unframeable: [string, string] = ['DENY', "frame-ancestors 'none'"];
    expect(seen).toEqual({
      'sandbox-web-app': unframeable,
      login: unframeable,
      sms: unframeable,
      organization: unframeable,
      consent: unframeable,
      error: unframeable,
    });
  });

  it('ignores a cookie with bad percent-encoding instead of failing with a 500', async () => {
    const sandbox = await startSandbox();
    const port = new URL(sandbox.url).port;
    const browse = createCookieJarFetch();
    await browse(`${sandbox.url}/devportal/login`, { method: 'POST' });
    const start = await browse(authorizeUrl(sandbox));
    const loginUrl = new URL(start.headers.get('location')!, sandbox.url).href;
    for (const bad of ['%', '%E0%A4%A', '%ZZ']) {
      // A malformed web-app session reads as none: the web-app login page, not an error.
      const authorize = await fetch(authorizeUrl(sandbox), {
        headers: { Cookie: `qonto_sandbox_webapp_${port}=${bad}` },
        redirect: 'manual',
      });
      expect(stepOf(await authorize.text())).toBe('sandbox-web-app');
      expect(authorize.status).toBe(200);
      // A malformed CSRF cookie reads as none: Qonto's request_forbidden, not an error.
      const login = await fetch(loginUrl, { headers: { Cookie: `qonto_sandbox_csrf_${port}=${bad}` } });
      expect(login.status).toBe(403);
      expect(await login.text()).toContain('No CSRF value available in the session cookie');
    }
  });
});
