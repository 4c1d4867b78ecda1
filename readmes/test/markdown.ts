import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every README tracked by git (the root's, each package's, app's, fixture's and consumer's), relative to ROOT. */
export function trackedReadmes(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*README.md'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.split('\n').filter((path) => path !== '' && !path.includes('node_modules/'));
}

export function readReadme(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export interface CodeBlock {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** The fenced code blocks of a Markdown text, indented ones (inside list items) included. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(/^( *)```(\w*)[^\n]*\n([\s\S]*?)^\1```/gm)) {
    const indent = match[1]!.length;
    const code = match[3]!
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    blocks.push({ lang: match[2]!, code, line: markdown.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

export const SCRIPT_LANGS = new Set([
  'js',
  'mjs',
  'cjs',
  'jsx',
  'ts',
  'mts',
  'cts',
  'tsx',
  'javascript',
  'typescript',
]);

/** The module specifiers a snippet imports, requires or re-exports. */
export function importedSpecifiers(code: string): string[] {
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

const BUILTINS = new Set(builtinModules);

/** The package a specifier loads from the registry, or undefined (relative path, `node:` builtin, `@/` alias). */
export function packageOf(specifier: string): string | undefined {
  if (/^(\.|\/|node:|@\/|~\/|#)/.test(specifier) || BUILTINS.has(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The packages named by the install commands of a README (`npm install`, `npm i`, `pnpm add`, `yarn add`,
 * `bun add`), in code blocks and inline code alike; version or dist-tag suffixes removed.
 */
export function installedPackages(markdown: string): Set<string> {
  const installed = new Set<string>();
  for (const match of markdown.matchAll(
    /\b(?:npm (?:install|i|add)|pnpm (?:add|install|i)|yarn add|bun add)\b([^\n`#&|;]*)/g,
  )) {
    for (const word of match[1]!.trim().split(/\s+/)) {
      if (word === '' || word.startsWith('-')) continue;
      installed.add(word.replace(/^(@?[^@]+)@.*$/, '$1'));
    }
  }
  return installed;
}
