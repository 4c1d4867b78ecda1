import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './markdown.js';

// GitHub's own parser and schema for workflow files (the one behind the Actions language server), so that a typo
// in .github/workflows fails here rather than on the first push.
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));

const schemaErrors = (name: string, content: string) =>
  parseWorkflow({ name, content }, new NoOperationTraceWriter()).context.errors.getErrors().map(String);

const workflow = (name: string) => parse(readFileSync(join(WORKFLOWS, name), 'utf8'));

describe('the GitHub Actions workflows', () => {
  it('are there: CI and release', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release.yml']);
  });

  for (const name of files) {
    it(`${name} follows GitHub's workflow schema`, () => {
      expect(schemaErrors(name, readFileSync(join(WORKFLOWS, name), 'utf8'))).toEqual([]);
    });
  }

  it('the validator catches a misspelled key', () => {
    const content = readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8').replace('runs-on:', 'runs-onn:');
    expect(schemaErrors('ci.yml', content).join('\n')).toMatch(/runs-onn/);
  });

  it('CI runs .ci/run in Debian containers of Node 20, 22 and 24, one run per branch or pull request', () => {
    const ci = workflow('ci.yml');
    const [job] = Object.values(ci.jobs) as {
      container: { image: string };
      strategy: { matrix: { node: number[] } };
      steps: { run?: string; uses?: string; if?: string; with?: Record<string, unknown> }[];
    }[];
    const expression = (text: string) => `\${{ ${text} }}`;
    expect(job?.container.image).toBe(`node:${expression('matrix.node')}-bookworm`);
    expect(job?.strategy.matrix.node).toEqual([20, 22, 24]);
    expect(job?.steps.map((step) => step.run?.trim())).toContain('.ci/run');
    expect(job?.steps.filter((step) => step.uses?.startsWith('actions/cache@'))).not.toEqual([]);
    expect(ci.concurrency).toMatchObject({ 'cancel-in-progress': true });
    // The test command ends with `changeset status`, which needs the base branch as a local branch.
    const checkout = job?.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toMatchObject({ 'fetch-depth': 0 });
    const base = job?.steps.find((step) => step.if?.includes("github.event_name == 'pull_request'"));
    expect(base?.run).toMatch(/git fetch .*refs\/heads\/\$\{\{ github\.base_ref \}\}/);
    expect(ci.concurrency.group).toContain('github.ref');
  });

  it('the release publishes through pnpm release with npm provenance', () => {
    const release = workflow('release.yml');
    const [job] = Object.values(release.jobs) as {
      permissions: Record<string, string>;
      steps: { uses?: string; with?: Record<string, string>; env?: Record<string, string> }[];
    }[];
    expect(job?.permissions['id-token']).toBe('write');
    const changesets = job?.steps.find((step) => step.uses?.startsWith('changesets/action@'));
    expect(changesets?.with).toMatchObject({ publish: 'pnpm release', version: 'pnpm version-packages' });
    expect(changesets?.env?.NPM_CONFIG_PROVENANCE).toBe('true');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.scripts.release).toMatch(/build.*&& changeset publish$/);
    // The consumers' lockfiles follow the new versions, or the matrix refuses them after the release.
    expect(manifest.scripts['version-packages']).toBe('changeset version && node consumers/relock.mjs');
    expect(release.concurrency['cancel-in-progress']).toBe(false);
  });
});
