import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { SampleApp } from './sample-apps.js';

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

/** Width of the README images: the 1024 px viewport scaled down, with a title bar naming the app and its URL. */
const README_WIDTH = 820;
const TITLE_BAR_HEIGHT = 34;

/**
 * A small JPEG of what the page shows (the viewport), framed by a title bar with the app's name and URL (at its
 * default port), for the README: saved in the run's folder always, and over the committed one in `readme-images/`
 * when `E2E_README_IMAGES=1`. Drawn by chromium itself, so no image tool is needed.
 */
export async function readmeImage(page: Page, app: SampleApp): Promise<void> {
  const shot = await page.screenshot({ type: 'png' });
  const viewport = page.viewportSize() ?? { width: 1024, height: 768 };
  const height = Math.round((viewport.height * README_WIDTH) / viewport.width) + TITLE_BAR_HEIGHT;
  const address = `localhost:${app.defaultPort}${new URL(page.url()).pathname}`;
  const frame = await page.context().newPage();
  try {
    await frame.setViewportSize({ width: README_WIDTH, height });
    await frame.setContent(`<!doctype html><html><body style="margin:0;font:13px system-ui,sans-serif">
<div style="height:${TITLE_BAR_HEIGHT}px;box-sizing:border-box;display:flex;align-items:center;gap:10px;padding:0 12px;
  background:#e9e8e4;border-bottom:1px solid #cfcdc6;color:#1d1d1b">
<span style="flex:1;background:#fff;border-radius:6px;padding:3px 10px">${address}</span>
<strong>${app.name}</strong><span>${app.title}</span></div>
<img alt="" src="data:image/png;base64,${shot.toString('base64')}" style="display:block;width:${README_WIDTH}px">
</body></html>`);
    const image = await frame.screenshot({ type: 'jpeg', quality: 75 });
    writeFileSync(join(RUN_SCREENSHOTS_DIR, app.folder, 'readme.jpg'), image);
    if (process.env.E2E_README_IMAGES === '1') {
      mkdirSync(README_IMAGES_DIR, { recursive: true });
      writeFileSync(join(README_IMAGES_DIR, `${app.folder}.jpg`), image);
    }
  } finally {
    await frame.close();
  }
}
