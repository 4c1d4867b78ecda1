import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The CommonJS build bundles jose and rou3 (ESM-only, so that Jest can load it); their MIT licenses ask that the
// copyright and permission notices go with every copy.
const dist = join(import.meta.dirname, '..', 'dist');
const bundled = [
  { name: 'jose', notice: 'Copyright (c) 2018 Filip Skokan' },
  { name: 'rou3', notice: 'Copyright (c) Pooya Parsa' },
];

describe('the built files that bundle jose or rou3', () => {
  const files = readdirSync(dist).filter((file) => /\.c?js$/.test(file));

  it('are the CommonJS entry point at least', () => {
    const bundling = files.filter((file) =>
      bundled.some(({ name }) => readFileSync(join(dist, file), 'utf8').includes(`/.pnpm/${name}@`)),
    );
    expect(bundling).toContain('index.cjs');
  });

  for (const { name, notice } of bundled) {
    it(`carry ${name}'s license with its copyright notice`, () => {
      for (const file of files) {
        const text = readFileSync(join(dist, file), 'utf8');
        if (!text.includes(`/.pnpm/${name}@`)) continue;
        expect(text, file).toContain(notice);
        expect(text, file).toContain('Permission is hereby granted, free of charge');
      }
    });
  }
});
