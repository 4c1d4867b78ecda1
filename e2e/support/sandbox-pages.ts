import type { SandboxUser } from '@qonto-oauth/sandbox';
import type { Page } from 'playwright-core';
import type { StepShots } from './screenshots.js';

/** The emulator's pages name their step in `<meta name="qonto-sandbox-step">`; waits until the browser is on `step`. */
export async function waitForSandboxStep(page: Page, step: string): Promise<void> {
  await page.waitForSelector(`meta[name="qonto-sandbox-step"][content="${step}"]`, { state: 'attached' });
}

/** The link or button that starts the connection, however the app renders it. */
export function connectButton(page: Page) {
  const name = /connect with qonto/i;
  return page.getByRole('link', { name }).or(page.getByRole('button', { name })).first();
}

/**
 * From the app's page to the emulator's SMS step, as a person does it: "Connect with Qonto", the sandbox web-app
 * login Qonto's sandbox asks for first, then email and password.
 */
export async function connectUntilSms(page: Page, appUrl: string, user: SandboxUser, shots: StepShots) {
  await page.goto(appUrl);
  await connectButton(page).waitFor();
  await shots.take(page, 'app-home');
  await connectButton(page).click();

  await waitForSandboxStep(page, 'sandbox-web-app');
  await shots.take(page, 'sandbox-web-app');
  await page.getByRole('button', { name: /log in to the sandbox web app/i }).click();

  await waitForSandboxStep(page, 'login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await shots.take(page, 'login');
  await page.getByRole('button', { name: 'Log in' }).click();

  await waitForSandboxStep(page, 'sms');
}

/** Types an SMS code and submits it. */
export async function submitSmsCode(page: Page, code: string, shots: StepShots): Promise<void> {
  await page.getByLabel('6-digit code').fill(code);
  await shots.take(page, `sms-${code}`);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** From the SMS step to the consent page, picking `organizationId` in the organization picker. */
export async function smsToConsent(page: Page, organizationId: string, shots: StepShots): Promise<void> {
  await submitSmsCode(page, '123456', shots);
  await waitForSandboxStep(page, 'organization');
  await shots.take(page, 'organization-picker');
  await page.locator(`button[data-organization-id="${organizationId}"]`).click();
  await waitForSandboxStep(page, 'consent');
  await shots.take(page, 'consent');
}
