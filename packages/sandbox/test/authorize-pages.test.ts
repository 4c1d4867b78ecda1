import { describe, expect, it } from 'vitest';
import { createBrowser } from '../src/browser.js';
import { completeAuthorization } from '../src/testing.js';
import { authorizeUrl, REDIRECT_URI, startSandbox } from './helpers.js';

const stepOf = (html: string) => /<meta name="qonto-sandbox-step" content="([^"]*)">/.exec(html)?.[1];

describe('authorize pages', () => {
  it('first asks a browser without a sandbox web-app session to log in there, then returns to the authorize URL', async () => {
    const sandbox = await startSandbox();
    const go = createBrowser();
    const url = authorizeUrl(sandbox);
    const first = await go(url);
    expect([first.status, stepOf(first.html)]).toEqual([200, 'sandbox-web-app']);
    expect(first.html).toContain('Log in to the Qonto sandbox web app first');
    const returnTo = /name="return_to" value="([^"]*)"/.exec(first.html)![1]!.replace(/&amp;/g, '&');
    const login = await go(`${sandbox.url}/devportal/login`, { return_to: returnTo });
    expect(login.status).toBe(303);
    expect(new URL(login.location!, sandbox.url).href).toBe(url);
    const again = await go(url);
    expect(again.status).toBe(302);
    expect(again.location).toMatch(/^\/oauth2\/login\?login_challenge=/);
  });

  it('never redirects off the emulator after the web-app login, whatever return_to says', async () => {
    const sandbox = await startSandbox();
    const go = createBrowser();
    for (const returnTo of [
      '//evil.example/x',
      '/\\evil.example/x',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      ' //evil.example',
      'https://evil.example/x',
      'https:evil.example',
      'javascript:alert(1)',
      '//127.0.0.1@evil.example',
    ]) {
      const login = await go(`${sandbox.url}/devportal/login`, { return_to: returnTo });
      expect([returnTo, login.status, login.location]).toEqual([returnTo, 303, '/']);
    }
  });

  it('keeps a return_to on the emulator, as a path a browser cannot read as another host', async () => {
    const sandbox = await startSandbox();
    const go = createBrowser();
    for (const [returnTo, location] of [
      ['/oauth2/auth?state=a&scope=x%20y', '/oauth2/auth?state=a&scope=x%20y'],
      [`${sandbox.url}/devportal`, '/devportal'],
      ['/.//evil.example/x', '/evil.example/x'],
      ['oauth2/auth', '/oauth2/auth'],
    ]) {
      expect((await go(`${sandbox.url}/devportal/login`, { return_to: returnTo! })).location).toBe(location);
    }
  });

  it('has no web-app step in production mode', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const first = await createBrowser()(authorizeUrl(sandbox));
    expect(first.status).toBe(302);
    expect(first.location).toMatch(/^\/oauth2\/login\?/);
  });

  it('refuses a browser without the CSRF cookie with request_forbidden (authorize URL fetched by a backend)', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const backend = await fetch(authorizeUrl(sandbox), { redirect: 'manual' });
    const location = backend.headers.get('location')!;
    const userBrowser = await createBrowser()(new URL(location, sandbox.url).href);
    expect(userBrowser.status).toBe(403);
    expect(stepOf(userBrowser.html)).toBe('error');
    expect(userBrowser.html).toContain('request_forbidden');
    expect(userBrowser.html).toContain('No CSRF value available in the session cookie');
  });

  it('shows an error page, never a redirect, for an unknown client_id or an unregistered redirect_uri', async () => {
    const sandbox = await startSandbox();
    for (const params of [
      { client_id: 'nobody' },
      { redirect_uri: 'https://attacker.example/cb' },
      { redirect_uri: undefined },
    ]) {
      const page = await createBrowser()(authorizeUrl(sandbox, params));
      expect(page.status).toBe(404);
      expect(page.location).toBeNull();
      expect(stepOf(page.html)).toBe('error');
    }
    await expect(
      completeAuthorization(authorizeUrl(sandbox, { client_id: 'nobody' }), { email: 'a', password: 'b' }),
    ).rejects.toThrow(/invalid_client .*nobody/);
  });

  it.each([
    ['a missing state', { state: undefined }, 'invalid_state', null],
    ['a state under 8 characters', { state: 'seven77' }, 'invalid_state', 'seven77'],
    ['an unknown scope', { scope: 'organization.read money.print' }, 'invalid_scope', 'state-123'],
    ['a response_type other than code', { response_type: 'token' }, 'unsupported_response_type', 'state-123'],
    [
      'a plain PKCE challenge',
      { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
      'invalid_request',
      'state-123',
    ],
  ])('redirects %s back to the app with error=%s', async (_what, params, error, state) => {
    const sandbox = await startSandbox({ mode: 'production' });
    const page = await createBrowser()(authorizeUrl(sandbox, params));
    expect(page.status).toBe(302);
    const target = new URL(page.location!);
    expect(target.origin + target.pathname).toBe(REDIRECT_URI);
    expect(target.searchParams.get('error')).toBe(error);
    expect(target.searchParams.get('state')).toBe(state);
    expect(target.searchParams.get('error_description')).toBeTruthy();
  });

  it("refuses a scope outside the client's allowedScopes with invalid_scope", async () => {
    const sandbox = await startSandbox({
      mode: 'production',
      clients: [
        {
          clientId: 'narrow',
          clientSecret: 's',
          redirectUris: [REDIRECT_URI],
          allowedScopes: ['organization.read'],
        },
      ],
    });
    const page = await createBrowser()(authorizeUrl(sandbox, { scope: 'organization.read payment.write' }));
    const target = new URL(page.location!);
    expect(target.searchParams.get('error')).toBe('invalid_scope');
    expect(target.searchParams.get('error_description')).toContain(
      "not allowed to request scope 'payment.write'",
    );
  });

  it('takes a state of 8 characters, the shortest Ory Hydra accepts', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const page = await createBrowser()(authorizeUrl(sandbox, { state: 'eight888' }));
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/oauth2\/login\?login_challenge=/);
  });

  it("accepts einvoicing.read, and refuses the scopes Qonto refuses to typical apps unless a client's allowedScopes names them", async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const accepted = await createBrowser()(
      authorizeUrl(sandbox, { scope: 'organization.read einvoicing.read' }),
    );
    expect(accepted.location).toMatch(/^\/oauth2\/login/);
    for (const scope of ['request_review.read', 'beneficiary.trust']) {
      const page = await createBrowser()(authorizeUrl(sandbox, { scope: `organization.read ${scope}` }));
      const target = new URL(page.location!);
      expect(target.searchParams.get('error')).toBe('invalid_scope');
      expect(target.searchParams.get('error_description')).toBe(
        `The OAuth 2.0 Client is not allowed to request scope '${scope}'.`,
      );
    }
    sandbox.addClient({
      clientId: sandbox.clients[0]!.clientId,
      clientSecret: 's',
      redirectUris: [REDIRECT_URI],
      allowedScopes: ['organization.read', 'request_review.read'],
    });
    const optedIn = await createBrowser()(
      authorizeUrl(sandbox, { scope: 'organization.read request_review.read' }),
    );
    expect(optedIn.location).toMatch(/^\/oauth2\/login/);
  });

  it('shows an error for a wrong password and for a wrong SMS code', async () => {
    const sandbox = await startSandbox();
    const user = sandbox.users[1]!;
    await expect(
      completeAuthorization(authorizeUrl(sandbox), { email: user.email, password: 'not-it' }),
    ).rejects.toThrow(/login step .*Incorrect email or password/);
    await expect(
      completeAuthorization(authorizeUrl(sandbox), {
        email: user.email,
        password: user.password,
        smsCode: '000000',
      }),
    ).rejects.toThrow(/sms step .*code is not valid/);
  });

  it('walks email and password, SMS code 123456, the picker and a consent page listing the scopes in words', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const user = sandbox.users[0]!;
    const go = createBrowser();
    const start = await go(authorizeUrl(sandbox, { scope: 'organization.read payment.write' }));
    let page = await go(new URL(start.location!, sandbox.url).href);
    expect(stepOf(page.html)).toBe('login');
    const challenge = /name="login_challenge" value="([^"]*)"/.exec(page.html)![1]!;
    const next = async (path: string, form: Record<string, string>) => {
      const posted = await go(`${sandbox.url}${path}`, { login_challenge: challenge, ...form });
      expect(posted.status).toBe(303);
      return go(new URL(posted.location!, sandbox.url).href);
    };
    page = await next('/oauth2/login/credentials', {
      email: user.email.toUpperCase(),
      password: user.password,
    });
    expect(stepOf(page.html)).toBe('sms');
    page = await next('/oauth2/login/sms', { code: '123456' });
    expect(stepOf(page.html)).toBe('organization');
    for (const o of user.organizations) expect(page.html).toContain(o.legalName);
    page = await next('/oauth2/login/organization', { organization_id: user.organizations[1]!.id });
    expect(stepOf(page.html)).toBe('consent');
    expect(page.html).toContain(
      'Get and export info about your balance, IBAN, transactions, organization and team',
    );
    expect(page.html).toContain('Make transfers and manage beneficiaries');
    expect(page.html).toContain(user.organizations[1]!.legalName);
    const done = await go(`${sandbox.url}/oauth2/login/consent`, {
      login_challenge: challenge,
      decision: 'allow',
    });
    const callback = new URL(done.location!);
    expect(callback.searchParams.get('state')).toBe('state-123');
    expect(callback.searchParams.get('code')).toMatch(/^ory_ac_/);
  });

  it('cannot skip a step: posting consent before the SMS code goes back to the current step', async () => {
    const sandbox = await startSandbox({ mode: 'production' });
    const go = createBrowser();
    const start = await go(authorizeUrl(sandbox));
    const page = await go(new URL(start.location!, sandbox.url).href);
    const challenge = /name="login_challenge" value="([^"]*)"/.exec(page.html)![1]!;
    const skipped = await go(`${sandbox.url}/oauth2/login/consent`, {
      login_challenge: challenge,
      decision: 'allow',
    });
    expect(skipped.status).toBe(303);
    expect(skipped.location).toBe(`/oauth2/login?login_challenge=${challenge}`);
  });

  it('skips the picker with registration_id, and for a user with one organization', async () => {
    const sandbox = await startSandbox();
    const [owner, admin] = sandbox.users;
    const viaRegistration = await completeAuthorization(
      authorizeUrl(sandbox, { registration_id: 'reg-1' }),
      owner!,
    );
    expect(new URL(viaRegistration).searchParams.get('code')).toMatch(/^ory_ac_/);
    const single = await completeAuthorization(authorizeUrl(sandbox), admin!);
    expect(new URL(single).searchParams.get('code')).toMatch(/^ory_ac_/);
  });

  it('refuses an organization_id the user is not a member of, on an error page', async () => {
    const sandbox = await startSandbox();
    const [owner, admin] = sandbox.users;
    const foreign = owner!.organizations.find((o) => !admin!.organizations.some((a) => a.id === o.id))!;
    await expect(
      completeAuthorization(authorizeUrl(sandbox, { organization_id: foreign.id }), admin!),
    ).rejects.toThrow(/not a member of the organization/);
  });

  it('lists the demo users on the login page in demo mode only', async () => {
    for (const demo of [true, false]) {
      const sandbox = await startSandbox({ demo, mode: 'production' });
      const go = createBrowser();
      const start = await go(
        authorizeUrl(sandbox, {
          redirect_uri: demo ? 'http://localhost:3001/auth/qonto/callback' : REDIRECT_URI,
        }),
      );
      const page = await go(new URL(start.location!, sandbox.url).href);
      expect(page.html.includes(sandbox.users[0]!.password)).toBe(demo);
      await sandbox.close();
    }
  });
});
