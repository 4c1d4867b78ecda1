import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readReadme, trackedReadmes } from './markdown.js';

// markRevoked(organizationId) marks every user's connection to the organization revoked; a consent-revocation
// event does not say whose consent ended, so a webhook handler must let handleConsentRevocation ask Qonto.
const ABOUT_THE_WEBHOOK = /consent-revocations|revoked by webhook/;

describe('what the docs tell a v1/consent-revocations webhook handler to call', () => {
  for (const readme of trackedReadmes()) {
    it(`${readme}: verifyQontoWebhook then handleConsentRevocation wherever it names markRevoked`, () => {
      const paragraphs = readReadme(readme).split(/\n\s*\n/);
      for (const paragraph of paragraphs.filter(
        (p) => ABOUT_THE_WEBHOOK.test(p) && p.includes('markRevoked'),
      )) {
        expect(paragraph).toContain('verifyQontoWebhook');
        expect(paragraph).toContain('handleConsentRevocation');
      }
    });
  }

  it.each(['nestjs', 'passport'])('the %s README sends the webhook to handleConsentRevocation', (folder) => {
    const text = readReadme(`packages/${folder}/README.md`);
    expect(text).toContain('verifyQontoWebhook');
    expect(text).toContain('connections.handleConsentRevocation(event)');
  });

  it("markRevoked's TSDoc, as editors show it, points webhook handlers to handleConsentRevocation", () => {
    const types = readFileSync(join(ROOT, 'packages/core/dist/index.d.ts'), 'utf8');
    const before = types.slice(0, types.indexOf('    markRevoked(organizationId'));
    const tsdoc = before.slice(before.lastIndexOf('/**'));
    expect(tsdoc).toContain('{@link handleConsentRevocation}');
    expect(tsdoc).toMatch(/when you know whose consent ended/);
    expect(tsdoc).not.toMatch(/what a `v1\/consent-revocations` webhook handler calls/);
  });
});
