import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { type RunningApp, type SampleApp, startSampleApp } from './sample-apps.js';
import {
  connectButton,
  connectUntilSms,
  smsToConsent,
  submitSmsCode,
  waitForSandboxStep,
} from './sandbox-pages.js';
import { type OrganizationFacts, organizationFacts, userWithTwoOrganizations } from './sandbox-truth.js';
import { README_IMAGES_DIR, readmeImage, StepShots } from './screenshots.js';

/** A stack frame line ("    at fn (file.js:1:2)"): a readable page never shows one. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** What a person reads on the page (Playwright's rendered text: no <style>, no Next.js payload <script>). */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator, not a DOM node; textContent would include script and style text.
const bodyText = (page: Page) => page.locator('body').innerText();
const tokenRequests = (sandbox: QontoSandbox) =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token').length;

/** What an app's spec adds to the common scenarios. */
export interface SampleAppSpecOptions {
  /** Added to the app's environment (a database file of the run's own). */
  env?: Record<string, string>;
  /**
   * The app connects a second organization to a signed-in user ("Connect another organization"): adds the scenario
   * that connects both of the demo user's organizations, switches between them and disconnects each.
   */
  connectsAnotherOrganization?: boolean;
  /** `false`: the app's own spec takes its README image (express-passport: its product's settings page). */
  readmeImage?: boolean;
  /**
   * Adds the scenarios that exercise only the emulator's own pages (a wrong SMS code), the same whichever app started
   * the flow: one spec sets it, so they run once rather than once per app.
   */
  emulatorPages?: boolean;
}

/**
 * The browser specs of one sample app: the emulator in this process (demo mode, port 0), the app on a free port
 * pointed at it, Debian's chromium, and a fresh browser context per test.
 */
export function describeSampleApp(app: SampleApp, o: SampleAppSpecOptions = {}): void {
  describe(`${app.name} (${app.title}) in chromium`, () => {
    let browser: Browser;
    let sandbox: QontoSandbox;
    let server: RunningApp;
    let user: SandboxUser;
    let other: SandboxUser['organizations'][number];
    let second: SandboxUser['organizations'][number];
    let facts: OrganizationFacts;
    let otherFacts: OrganizationFacts;

    beforeAll(async () => {
      browser = await launchChromium();
      sandbox = await startQontoSandbox({ demo: true, port: 0 });
      server = await startSampleApp(app, sandbox.url, o.env);
      ({
        user,
        organizations: [other, second],
      } = userWithTwoOrganizations(sandbox));
      facts = await organizationFacts(sandbox, user, second.id);
      otherFacts = await organizationFacts(sandbox, user, other.id);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.process.stop();
      await sandbox?.close();
    });

    /**
     * Runs a scenario in a new browser context (no cookie from another test). When it fails, the page as it was
     * goes to `failure.png` beside the scenario's steps, and the error names the page's URL.
     */
    async function inFreshContext(scenario: string, run: (page: Page, shots: StepShots) => Promise<void>) {
      const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
      const page = await context.newPage();
      const shots = new StepShots(app.folder, scenario);
      try {
        await run(page, shots);
      } catch (error) {
        await page.screenshot({ path: join(shots.dir, 'failure.png'), fullPage: true }).catch(() => {});
        throw new Error(`${(error as Error).message}\n(on ${page.url()}; screenshots in ${shots.dir})`, {
          cause: error,
        });
      } finally {
        await context.close();
      }
    }

    it('connects the second organization, shows its legal name, accounts and transactions, refreshes, disconnects', async () => {
      await inFreshContext('connect', async (page, shots) => {
        await connectUntilSms(page, server.url, user, shots);
        await smsToConsent(page, second.id, shots);
        await page.getByRole('button', { name: 'Allow' }).click();

        // Back on the app, which read the organization over the Business API with the tokens it just got.
        await page.getByText(facts.legalName).first().waitFor();
        await page.waitForLoadState('load');
        expect(new URL(page.url()).origin).toBe(new URL(server.url).origin);
        const account = await bodyText(page);
        for (const iban of facts.ibans) expect(account).toContain(iban);
        for (const label of facts.latestTransactionLabels) expect(account).toContain(label);
        for (const iban of otherFacts.ibans) expect(account).not.toContain(iban);
        await shots.take(page, 'account');
        if (o.readmeImage !== false) await readmeImage(page, app);

        const before = tokenRequests(sandbox);
        await page.getByRole('button', { name: /refresh tokens/i }).click();
        // One refresh_token grant at the emulator, and the page still shows the organization.
        await expect.poll(() => tokenRequests(sandbox), { timeout: 30_000 }).toBe(before + 1);
        await page.waitForLoadState('load');
        await page.getByText(facts.legalName).first().waitFor();
        await shots.take(page, 'after-refresh');

        await page.getByRole('button', { name: /disconnect/i }).click();
        await connectButton(page).waitFor();
        expect(sandbox.requests.some((r) => r.method === 'DELETE' && r.path === '/v2/oauth2/consents')).toBe(
          true,
        );
        await shots.take(page, 'disconnected');
        await page.goto(server.url);
        await connectButton(page).waitFor();
        expect(await bodyText(page)).not.toContain(facts.legalName);
      });
    });

    if (o.connectsAnotherOrganization) {
      it('links both organizations of the user to one login, shows each, disconnects one then the other', async () => {
        await inFreshContext('two-organizations', async (page, shots) => {
          await connectUntilSms(page, server.url, user, shots);
          await smsToConsent(page, second.id, shots);
          await page.getByRole('button', { name: 'Allow' }).click();
          await page.getByText(facts.legalName).first().waitFor();

          await page.getByRole('button', { name: /connect another organization/i }).click();
          // The browser is still logged in to the sandbox web app: Qonto's login comes next.
          await waitForSandboxStep(page, 'login');
          await page.getByLabel('Email').fill(user.email);
          await page.getByLabel('Password').fill(user.password);
          await page.getByRole('button', { name: 'Log in' }).click();
          await waitForSandboxStep(page, 'sms');
          await smsToConsent(page, other.id, shots);
          await page.getByRole('button', { name: 'Allow' }).click();

          // Back on the app: the organization just connected, and both in the list of connected organizations.
          const connected = page.getByRole('navigation', { name: /connected organizations/i });
          await connected.getByRole('link', { name: facts.legalName }).waitFor();
          await page.waitForLoadState('load');
          let text = await bodyText(page);
          for (const iban of otherFacts.ibans) expect(text).toContain(iban);
          for (const iban of facts.ibans) expect(text).not.toContain(iban);
          await expect
            .poll(() => connected.getByRole('link').allInnerTexts())
            .toEqual(expect.arrayContaining([otherFacts.legalName, facts.legalName]));
          await shots.take(page, 'both-connected');

          await connected.getByRole('link', { name: facts.legalName }).click();
          await page.waitForLoadState('load');
          await expect.poll(async () => bodyText(page)).toContain(facts.ibans[0]);
          text = await bodyText(page);
          for (const iban of facts.ibans) expect(text).toContain(iban);
          for (const label of facts.latestTransactionLabels) expect(text).toContain(label);

          const revocations = () =>
            sandbox.requests.filter((r) => r.method === 'DELETE' && r.path === '/v2/oauth2/consents').length;
          const before = revocations();
          await page.getByRole('button', { name: /disconnect/i }).click();
          await page
            .getByText(/disconnected/i)
            .first()
            .waitFor();
          expect(revocations()).toBe(before + 1);
          // The other organization stays connected, and is what the page shows now.
          text = await bodyText(page);
          for (const iban of otherFacts.ibans) expect(text).toContain(iban);
          expect(await connected.getByRole('link').allInnerTexts()).toEqual([otherFacts.legalName]);
          await shots.take(page, 'one-left');

          await page.getByRole('button', { name: /disconnect/i }).click();
          await connectButton(page).waitFor();
          expect(revocations()).toBe(before + 2);
          expect(await bodyText(page)).not.toContain(otherFacts.legalName);
        });
      });
    }

    it('a denied consent ends on a readable page of the app, not connected', async () => {
      await inFreshContext('deny', async (page, shots) => {
        await connectUntilSms(page, server.url, user, shots);
        await smsToConsent(page, second.id, shots);
        await page.getByRole('button', { name: 'Deny' }).click();
        await page.waitForURL((url) => url.origin === new URL(server.url).origin);
        await page
          .getByText(/declin|denied/i)
          .first()
          .waitFor();
        await shots.take(page, 'denied');
        const text = await bodyText(page);
        expect(text).not.toMatch(STACK_FRAME);
        expect(text).not.toContain(facts.legalName);
        await page.goto(server.url);
        await connectButton(page).waitFor();
      });
    });

    if (o.emulatorPages) {
      it('a wrong SMS code ends on a readable page that says the sandbox code, and 123456 then goes on', async () => {
        await inFreshContext('wrong-sms', async (page, shots) => {
          await connectUntilSms(page, server.url, user, shots);
          await submitSmsCode(page, '000000', shots);
          await waitForSandboxStep(page, 'sms');
          await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid.*123456/);
          await shots.take(page, 'wrong-code');
          await submitSmsCode(page, '123456', shots);
          await waitForSandboxStep(page, 'organization');
        });
      });
    }

    it('has its README image committed, under 100 KB', () => {
      expect(statSync(join(README_IMAGES_DIR, `${app.folder}.jpg`)).size).toBeLessThan(100 * 1024);
    });
  });
}
