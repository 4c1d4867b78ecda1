import { DEMO_USERS } from '@qonto-oauth/sandbox/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './helpers/browser';
import { signIn } from './helpers/flow';
import { freePort, type RunningNextApp, startNextApp } from './helpers/next-app';

// `pnpm start` with no Qonto setting at all: the start script runs the emulator (demo mode) beside Next.
let app: RunningNextApp;

beforeAll(async () => {
  app = await startNextApp(await freePort(), {});
});

afterAll(async () => {
  await app?.stop();
});

function emulatorUrl(): string {
  const url = /started the Qonto sandbox emulator \(demo mode\) on (http:\/\/127\.0\.0\.1:\d+)/.exec(
    app.output(),
  )?.[1];
  if (url === undefined) throw new Error(`the start script did not report an emulator:\n${app.output()}`);
  return url;
}

describe('pnpm start without Qonto credentials', () => {
  it('starts the emulator, says so, and makes up an AUTH_SECRET for this start only', () => {
    expect(emulatorUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.output()).toContain('AUTH_SECRET is random for this start');
  });

  it('connects with the demo client and a demo user', async () => {
    const browser = new TestBrowser(app.origin);
    const home = await browser.follow('/');
    expect(home.body).toContain(`local Qonto sandbox emulator at ${emulatorUrl()} (demo client)`);
    const user = DEMO_USERS.find((u) => u.organizations.length === 1);
    if (user === undefined) throw new Error('no single-organization demo user');
    const page = await signIn(browser, user);
    expect(page.url.pathname).toBe('/');
    expect(page.body).toContain(user.organizations[0]?.legalName);
  });

  it('stops the emulator together with Next', async () => {
    const url = emulatorUrl();
    await app.stop();
    await expect(fetch(url)).rejects.toThrow();
  });
});
