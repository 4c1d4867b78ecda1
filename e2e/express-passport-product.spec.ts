import { join } from 'node:path';
import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID } from '@qonto-oauth/sandbox/demo';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { type RunningApp, SAMPLE_APPS, startSampleApp } from './support/sample-apps.js';
import {
  type OrganizationFacts,
  organizationFacts,
  userWithTwoOrganizations,
} from './support/sandbox-truth.js';
import { readmeImage, StepShots } from './support/screenshots.js';

const app = SAMPLE_APPS.express;

/** What a person reads on the page. */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator, not a DOM node; textContent would include style text.
const bodyText = (page: Page) => page.locator('body').innerText();

/** The step an emulator page names in its `<meta name="qonto-sandbox-step">`, `app` back on the app, or `undefined` mid-navigation. */
async function stepOf(page: Page, appOrigin: string): Promise<string | undefined> {
  if (new URL(page.url()).origin === appOrigin) return 'app';
  return page
    .locator('meta[name="qonto-sandbox-step"]')
    .getAttribute('content', { timeout: 1_000 })
    .catch(() => undefined)
    .then((step) => step ?? undefined);
}

/**
 * From the app's "Connect" or "Reconnect" to the app again, through whichever of the emulator's pages come (the
 * sandbox web-app login only once per browser, the organization picker only when Qonto is not told which): as
 * `user`, picking `organizationId`, allowing.
 */
async function throughQonto(
  page: Page,
  o: { appOrigin: string; user: SandboxUser; organizationId: string; shots: StepShots; seen: string[] },
): Promise<void> {
  for (let hop = 0; hop < 10; hop++) {
    await expect.poll(() => stepOf(page, o.appOrigin), { timeout: 30_000 }).toBeDefined();
    const step = (await stepOf(page, o.appOrigin)) as string;
    if (step === 'app') return;
    o.seen.push(step);
    await o.shots.take(page, step);
    if (step === 'sandbox-web-app') {
      await page.getByRole('button', { name: /log in to the sandbox web app/i }).click();
    } else if (step === 'login') {
      await page.getByLabel('Email').fill(o.user.email);
      await page.getByLabel('Password').fill(o.user.password);
      await page.getByRole('button', { name: 'Log in' }).click();
    } else if (step === 'sms') {
      await page.getByLabel('6-digit code').fill('123456');
      await page.getByRole('button', { name: 'Continue' }).click();
    } else if (step === 'organization') {
      await page.locator(`button[data-organization-id="${o.organizationId}"]`).click();
    } else if (step === 'consent') {
      await page.getByRole('button', { name: 'Allow' }).click();
    } else {
      throw new Error(`The emulator showed an unexpected step: ${step}`);
    }
    await expect.poll(() => stepOf(page, o.appOrigin), { timeout: 30_000 }).not.toBe(step);
  }
  throw new Error('Still on the emulator after 10 steps');
}

/** The state the app's settings page shows for each organization, keyed by organization id. */
async function settingsStates(page: Page): Promise<Record<string, string>> {
  const rows = page.locator('table.connections tr[data-organization-id]');
  const states: Record<string, string> = {};
  for (const row of await rows.all()) {
    const id = (await row.getAttribute('data-organization-id')) as string;
    states[id] = ((await row.locator('.status').textContent()) ?? '').trim();
  }
  return states;
}

describe(`${app.name} as a product (its own login, connected organizations, webhooks) in chromium`, () => {
  let browser: Browser;
  let sandbox: QontoSandbox;
  let server: RunningApp;
  let user: SandboxUser;
  let first: SandboxUser['organizations'][number];
  let second: SandboxUser['organizations'][number];
  let secondFacts: OrganizationFacts;

  beforeAll(async () => {
    browser = await launchChromium();
    sandbox = await startQontoSandbox({ demo: true, port: 0 });
    server = await startSampleApp(app, sandbox.url);
    ({
      user,
      organizations: [first, second],
    } = userWithTwoOrganizations(sandbox));
    secondFacts = await organizationFacts(sandbox, user, second.id);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.process.stop();
    await sandbox?.close();
  });

  it('signs in with a demo account, connects two organizations, syncs one, sees one revoked in Qonto, reconnects it, disconnects the other', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    const shots = new StepShots(app.folder, 'product');
    const appOrigin = new URL(server.url).origin;
    try {
      // The product's own login, with the demo accounts printed on it.
      await page.goto(server.url);
      await page.getByRole('link', { name: 'Sign in', exact: true }).click();
      await page.getByText('Demo accounts').waitFor();
      const [username, password] = (await page.locator('table code').allInnerTexts()) as [string, string];
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await shots.take(page, 'login');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      await page.getByText('No Qonto organization is connected yet.').waitFor();

      // Two organizations of one Qonto user, one "Connect" each.
      for (const organization of [first, second]) {
        const seen: string[] = [];
        await page.getByRole('link', { name: 'Connect a Qonto organization' }).click();
        await throughQonto(page, { appOrigin, user, organizationId: organization.id, shots, seen });
        expect(seen).toContain('organization');
        await page.getByText(`Connected ${organization.legalName}.`).waitFor();
      }
      expect(await settingsStates(page)).toEqual({ [first.id]: 'Connected', [second.id]: 'Connected' });
      await shots.take(page, 'two-connected');
      await readmeImage(page, app);

      // The sync page reads every transaction of the main account, page after page.
      await page
        .locator(`tr[data-organization-id="${second.id}"]`)
        .getByRole('link', { name: 'Transactions' })
        .click();
      await page.locator('.sync-summary').waitFor();
      const synced = await bodyText(page);
      expect(synced).toMatch(/Synced \d{3,} transactions/);
      for (const label of secondFacts.latestTransactionLabels) expect(synced).toContain(label);
      await shots.take(page, 'transactions');
      await page.getByRole('link', { name: 'Back to settings' }).click();

      // The member revokes the app's access to the first organization in Qonto (the emulator's connected-apps page).
      const qonto = await context.newPage();
      await qonto.goto(`${sandbox.url}/connected-apps`);
      await qonto.getByLabel('Email').fill(user.email);
      await qonto.getByLabel('Password').fill(user.password);
      await qonto.getByRole('button', { name: 'Log in' }).click();
      await qonto
        .locator(`section[data-organization-id="${first.id}"] tr[data-client-id="${DEMO_CLIENT_ID}"]`)
        .getByRole('button', { name: 'Revoke' })
        .click();
      await qonto.getByRole('status').waitFor();
      await shots.take(qonto, 'qonto-revoked');

      // The webhook reached the app: after a reload, that organization shows revoked, the other is untouched.
      await expect
        .poll(
          async () => {
            await page.reload();
            return settingsStates(page);
          },
          { timeout: 30_000 },
        )
        .toEqual({ [first.id]: 'Access revoked at Qonto', [second.id]: 'Connected' });
      await shots.take(page, 'revoked');

      // Reconnect names the organization: no picker this time.
      const seen: string[] = [];
      await page
        .locator(`tr[data-organization-id="${first.id}"]`)
        .getByRole('link', { name: 'Reconnect' })
        .click();
      await throughQonto(page, { appOrigin, user, organizationId: first.id, shots, seen });
      expect(seen).not.toContain('organization');
      await page.getByText(`Connected ${first.legalName}.`).waitFor();
      expect(await settingsStates(page)).toEqual({ [first.id]: 'Connected', [second.id]: 'Connected' });

      // Disconnect the other: gone from the app, and from the member's connected apps in Qonto.
      await page
        .locator(`tr[data-organization-id="${second.id}"]`)
        .getByRole('button', { name: 'Disconnect' })
        .click();
      await page.getByText(`Disconnected ${second.legalName}: the consent was revoked at Qonto.`).waitFor();
      expect(await settingsStates(page)).toEqual({ [first.id]: 'Connected' });
      await shots.take(page, 'disconnected');
      await qonto.goto(`${sandbox.url}/connected-apps`);
      const demoApp = (organizationId: string) =>
        qonto.locator(
          `section[data-organization-id="${organizationId}"] tr[data-client-id="${DEMO_CLIENT_ID}"]`,
        );
      await demoApp(first.id).waitFor();
      expect(await demoApp(second.id).count()).toBe(0);
    } catch (error) {
      await page.screenshot({ path: join(shots.dir, 'failure.png'), fullPage: true }).catch(() => {});
      throw new Error(`${(error as Error).message}\n(on ${page.url()}; screenshots in ${shots.dir})`, {
        cause: error,
      });
    } finally {
      await context.close();
    }
  });
});
