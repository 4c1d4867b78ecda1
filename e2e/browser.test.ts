import { describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';

describe('the browser the specs drive', () => {
  it('is missing: the failure names the path and the apt-get command that installs it', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /chromium at \/nonexistent\/chromium, which is not installed\. Install it with `apt-get install -y chromium`/,
    );
  });

  it("is Debian's chromium, which starts headless and renders a page", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<h1>chromium works</h1>');
      expect(await page.locator('h1').textContent()).toBe('chromium works');
    } finally {
      await browser.close();
    }
  });
});
