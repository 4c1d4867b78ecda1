import { describe, expect, it } from 'vitest';
import {
  codeBlocks,
  importedSpecifiers,
  installedPackages,
  packageOf,
  readReadme,
  SCRIPT_LANGS,
  trackedReadmes,
} from './markdown.js';
import { publishedPackages } from './packages.js';

// What the project generator a README starts from (and says it starts from) already installed.
const NEST_NEW = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'];
const CREATE_NEXT_APP = ['next', 'react', 'react-dom'];
const STARTER: Record<string, string[]> = {
  'packages/nestjs/README.md': NEST_NEW,
  'packages/next-auth/README.md': CREATE_NEXT_APP,
};

const packageReadmes = publishedPackages().map(({ dir }) => `${dir.split('/packages/')[1]}`);
const readmes = trackedReadmes().filter(
  (readme) =>
    packageReadmes.some((folder) => readme === `packages/${folder}/README.md`) ||
    installedPackages(readReadme(readme)).size > 0,
);

describe("each README's install commands install every package its snippets import", () => {
  it('checks every published package', () => {
    expect(readmes).toEqual(
      expect.arrayContaining(packageReadmes.map((folder) => `packages/${folder}/README.md`)),
    );
  });

  for (const readme of readmes) {
    it(readme, () => {
      const text = readReadme(readme);
      const installed = new Set([...installedPackages(text), ...(STARTER[readme] ?? [])]);
      const missing = codeBlocks(text)
        .filter((block) => SCRIPT_LANGS.has(block.lang))
        .flatMap((block) =>
          importedSpecifiers(block.code)
            .map(packageOf)
            .filter((name): name is string => name !== undefined && !installed.has(name))
            .map((name) => `${name} (imported by the snippet at line ${block.line})`),
        );
      expect([...new Set(missing)], `installed: ${[...installed].join(' ')}`).toEqual([]);
    });
  }
});
