import { describe, expect, it } from 'vitest';
import { readReadme, trackedReadmes } from './markdown.js';
import { publishedPackages } from './packages.js';

// `npx NAME` runs the registry's package NAME when it is not installed: for a bin name that is not the package's
// own name, that is somebody else's package (a 404 today, anyone's code tomorrow).
const RUNNERS = String.raw`(?:npx|pnpx|pnpm dlx|yarn dlx|bunx)`;

const bins = publishedPackages().flatMap(({ name, manifest }) => {
  const names = typeof manifest.bin === 'string' ? [name.split('/').pop()!] : Object.keys(manifest.bin ?? {});
  return names.filter((bin) => bin !== name).map((bin) => ({ bin, name }));
});

describe('commands that start a package bin through npx', () => {
  it('finds the bins to look for', () => {
    expect(bins).toContainEqual({ bin: 'qonto-sandbox', name: '@qonto-oauth/sandbox' });
  });

  for (const readme of trackedReadmes()) {
    it(`${readme} names the package, never the bare bin`, () => {
      const text = readReadme(readme);
      const bare = bins.flatMap(({ bin, name }) =>
        [...text.matchAll(new RegExp(String.raw`${RUNNERS}\s+(?:--\S+\s+)*${bin}\b`, 'g'))].map(
          (match) =>
            `line ${text.slice(0, match.index).split('\n').length}: "${match[0]}" (write "npx ${name}")`,
        ),
      );
      expect(bare).toEqual([]);
    });
  }
});
