import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const e2eDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `e2e/screenshots/<run id>/`: ignored by git; one folder per run, so runs never overwrite each other. */
export const RUN_SCREENSHOTS_DIR = join(e2eDir, 'screenshots', process.env.E2E_RUN_ID ?? 'local');

/** The committed images the root README shows, one per app (`pnpm --filter qonto-oauth-e2e readme-images`). */
export const README_IMAGES_DIR = join(e2eDir, 'readme-images');

/** Numbered full-page screenshots of one scenario: `<run>/<app>/<scenario>/01-home.png`, … */
export class StepShots {
  private count = 0;
  readonly dir: string;

  constructor(app: string, scenario: string) {
    this.dir = join(RUN_SCREENSHOTS_DIR, app, scenario);
    mkdirSync(this.dir, { recursive: true });
  }

  async take(page: Page, step: string): Promise<void> {
    this.count += 1;
    const file = `${String(this.count).padStart(2, '0')}-${step}.png`;
    await page.screenshot({ path: join(this.dir, file), fullPage: true });
  }
}

/**
 * A small JPEG of what the page shows (the viewport, not the full page) for the README: saved in the run's folder
 * always, and over the committed one in `readme-images/` when `E2E_README_IMAGES=1`.
 */
export async function readmeImage(page: Page, app: string): Promise<void> {
  const image = await page.screenshot({ type: 'jpeg', quality: 70 });
  writeFileSync(join(RUN_SCREENSHOTS_DIR, app, 'readme.jpg'), image);
  if (process.env.E2E_README_IMAGES === '1') {
    mkdirSync(README_IMAGES_DIR, { recursive: true });
    writeFileSync(join(README_IMAGES_DIR, `${app}.jpg`), image);
  }
}
