import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codeBlocks, readReadme, SCRIPT_LANGS, trackedReadmes } from './markdown.js';
import { type PublishedPackage, publishedPackages } from './packages.js';
import { type ShownImport, shownImports } from './shown-exports.js';

// A name a README shows must stay importable from the built package: removing or renaming one needs a deprecated
// alias that keeps the old name working.
const packages = publishedPackages();

const shown: (ShownImport & { readme: string; line: number })[] = trackedReadmes().flatMap((readme) =>
  codeBlocks(readReadme(readme))
    .filter((block) => SCRIPT_LANGS.has(block.lang))
    .flatMap((block) =>
      shownImports(block.code, '@qonto-oauth/').map((item) => ({ ...item, readme, line: block.line })),
    ),
);

function entryOf(specifier: string): {
  pkg: PublishedPackage;
  entry: Record<string, Record<string, string>>;
} {
  const pkg = packages.find(({ name }) => specifier === name || specifier.startsWith(`${name}/`));
  if (pkg === undefined) throw new Error(`${specifier} is no package of packages/`);
  const subpath = `.${specifier.slice(pkg.name.length)}`;
  const entry = pkg.manifest.exports[subpath];
  if (entry === undefined || typeof entry === 'string')
    throw new Error(`${pkg.name} exports no "${subpath}"`);
  return { pkg, entry };
}

const specifiers = [...new Set(shown.map(({ specifier }) => specifier))];
const declarationFiles = specifiers.flatMap((specifier) => {
  const { pkg, entry } = entryOf(specifier);
  return [join(pkg.dir, entry.import!.types!), join(pkg.dir, entry.require!.types!)];
});
// One program for every declaration file: the checker is what takes time, not the files.
const program = ts.createProgram(declarationFiles, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

/** Every name (values and types) the declaration file exports. */
function declaredNames(file: string): Set<string> {
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (symbol === undefined) throw new Error(`${file} is not a module`);
  return new Set(checker.getExportsOfModule(symbol).map((exported) => exported.getName()));
}

describe('every export a README shows exists in the built package', () => {
  it('finds the names the READMEs import from the packages', () => {
    expect(shown.map(({ specifier, name }) => `${specifier} ${name}`)).toEqual(
      expect.arrayContaining([
        '@qonto-oauth/core QontoOAuthClient',
        '@qonto-oauth/passport QontoStrategy',
        '@qonto-oauth/next-auth/authjs default',
        '@qonto-oauth/nestjs QontoModule',
        '@qonto-oauth/sandbox/testing completeAuthorization',
      ]),
    );
  });

  for (const specifier of specifiers) {
    it(specifier, async () => {
      const { pkg, entry } = entryOf(specifier);
      const esm = await import(pathToFileURL(join(pkg.dir, entry.import!.default!)).href);
      const cjs = createRequire(import.meta.url)(join(pkg.dir, entry.require!.default!));
      const declarations = {
        'import types': declaredNames(join(pkg.dir, entry.import!.types!)),
        'require types': declaredNames(join(pkg.dir, entry.require!.types!)),
      };
      const problems = shown
        .filter((item) => item.specifier === specifier)
        .flatMap(({ name, typeOnly, readme, line }) => {
          const where = `${name} (${readme}, snippet at line ${line})`;
          const missing = Object.entries(declarations)
            .filter(([, names]) => !names.has(name))
            .map(([kind]) => kind);
          if (!typeOnly) {
            if (!(name in esm)) missing.push('ESM build');
            if (!(name in cjs)) missing.push('CommonJS build');
          }
          return missing.length === 0 ? [] : [`${where}: missing from the ${missing.join(', ')}`];
        });
      expect(problems).toEqual([]);
    });
  }
});
