#!/usr/bin/env node
// After `changeset version` (the root script `version-packages`): brings the records of the packed packages in each
// consumer's package-lock.json to their new versions and ranges, so that the matrix's lockfile check holds on the
// release pull request and after it. Packs without building (only the manifests are read); asks no registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPublishedPackages, relockedText } from './lib/packs.mjs';
import { ROOT } from './lib/paths.mjs';
import { CONSUMERS } from './matrix.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const manifests = await packPublishedPackages(fileURLToPath(ROOT), join(here, '.packs'));
const changed = [];
for (const { dir } of CONSUMERS) {
  const lockFile = join(here, dir, 'package-lock.json');
  const text = relockedText(lockFile, manifests);
  if (text === readFileSync(lockFile, 'utf8')) continue;
  writeFileSync(lockFile, text);
  changed.push(dir);
}
console.log(
  `relock: ${changed.length === 0 ? 'every lockfile was up to date' : `updated ${changed.join(', ')}`}`,
);
