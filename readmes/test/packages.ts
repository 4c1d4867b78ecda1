import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './markdown.js';

export interface PublishedPackage {
  name: string;
  dir: string;
  manifest: {
    name: string;
    bin?: string | Record<string, string>;
    exports: Record<string, string | Record<string, Record<string, string>>>;
  };
}

/** Every package of packages/ that is published (not `private`). */
export function publishedPackages(): PublishedPackage[] {
  return readdirSync(join(ROOT, 'packages'))
    .map((folder) => join(ROOT, 'packages', folder))
    .flatMap((dir) => {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        return manifest.private ? [] : [{ name: manifest.name as string, dir, manifest }];
      } catch {
        return [];
      }
    });
}
