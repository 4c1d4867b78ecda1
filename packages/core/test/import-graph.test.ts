import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Each source file → the source files it imports or re-exports from, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(SRC + file, 'utf8');
    const targets = [...text.matchAll(/\bfrom\s+'\.\/([\w.-]+)\.js'/g)].map((m) => `${m[1]}.ts`);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle as the list of files along it, found by depth-first search. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const walk = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at !== -1) {
      found.push([...path.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) walk(next, [...path, file]);
    done.add(file);
  };
  for (const file of graph.keys()) walk(file, []);
  return found;
}

describe("core's modules", () => {
  it('import one way: no file imports another that imports it back, even for types', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(graph.get('index.ts')).toContain('tokens.ts');
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });
});
