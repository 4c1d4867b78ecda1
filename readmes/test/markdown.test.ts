import { describe, expect, it } from 'vitest';
import { codeBlocks, importedSpecifiers, installedPackages, packageOf } from './markdown.js';
import { shownImports } from './shown-exports.js';

// The README checks are only as good as their reading of Markdown: these pin what they must see.
describe('reading a README', () => {
  it('finds fenced blocks, indented ones inside list items too', () => {
    const text = '# x\n\n```sh\nnpm i a\n```\n\n- item\n\n  ```ts\n  import b from "b";\n  ```\n';
    expect(codeBlocks(text)).toEqual([
      { lang: 'sh', code: 'npm i a\n', line: 3 },
      { lang: 'ts', code: 'import b from "b";\n', line: 9 },
    ]);
  });

  it('reads every install command, flags and versions removed', () => {
    const text =
      '```sh\nnpm install -D @scope/a b@4 # comment c\npnpm add d@beta\n```\nthen `npm i e` and `yarn add f`';
    expect([...installedPackages(text)].sort()).toEqual(['@scope/a', 'b', 'd', 'e', 'f']);
  });

  it('finds imports, requires and re-exports, and the package each loads', () => {
    const code = [
      "import a, { b } from '@scope/a/sub';",
      "import 'side';",
      "const c = require('c/lib');",
      "export { d } from '@/local';",
      "const e = await import('node:fs');",
      "import f from './f';",
    ].join('\n');
    const specifiers = importedSpecifiers(code);
    expect(specifiers.map(packageOf).filter(Boolean).sort()).toEqual(['@scope/a', 'c', 'side']);
  });

  it('lists the names a snippet takes from the project, types apart', () => {
    const code = [
      "import Qonto, { type Profile, refresh as r } from '@qonto-oauth/next-auth/authjs';",
      "import type { TokenSet } from '@qonto-oauth/core';",
      "const { QontoStrategy } = require('@qonto-oauth/passport');",
      "import express from 'express';",
    ].join('\n');
    expect(shownImports(code, '@qonto-oauth/')).toEqual([
      { specifier: '@qonto-oauth/next-auth/authjs', name: 'default', typeOnly: false },
      { specifier: '@qonto-oauth/next-auth/authjs', name: 'Profile', typeOnly: true },
      { specifier: '@qonto-oauth/next-auth/authjs', name: 'refresh', typeOnly: false },
      { specifier: '@qonto-oauth/core', name: 'TokenSet', typeOnly: true },
      { specifier: '@qonto-oauth/passport', name: 'QontoStrategy', typeOnly: false },
    ]);
  });
});
