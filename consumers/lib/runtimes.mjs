import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from './exec.mjs';

/**
 * How each runtime starts a consumer. node22 and node24 are the registry's `node` package (its bin is that Node),
 * bun and deno the registry's `bun` and `deno` packages, each installed from its folder in runtimes/ (pinned by
 * its lockfile); node20 is the Node running this script. Node runtimes run the consumer's `start` script with
 * their bin first on PATH (so `next start` and `node` there are that Node); bun and deno run its `main` file.
 * @typedef {{ name: string, version: string, command: (consumerDir: string) => [string, string[]],
 *   env: NodeJS.ProcessEnv }} RuntimeHandle
 */

/**
 * @param {import('../matrix.mjs').Runtime} runtime
 * @param {string} runtimesDir
 * @param {{ install: (dir: string) => Promise<void> }} npm
 * @returns {Promise<RuntimeHandle>}
 */
export async function prepareRuntime(runtime, runtimesDir, npm) {
  const npmStart = () => /** @type {[string, string[]]} */ (['npm', ['start', '--silent']]);
  if (runtime === 'node20') {
    if (!process.version.startsWith('v20.'))
      throw new Error(`node20 is the Node running this script: ${process.version}`);
    return { name: runtime, version: process.version, command: npmStart, env: {} };
  }
  const dir = join(runtimesDir, runtime);
  if (!existsSync(join(dir, 'package.json')))
    throw new Error(`no runtime "${runtime}": runtimes/${runtime}/ is missing`);
  await npm.install(dir);
  const bin = join(dir, 'node_modules', '.bin');
  const env = { PATH: `${bin}${delimiter}${process.env.PATH}` };
  const executable = join(bin, runtime.replace(/\d+$/, ''));
  const version = (await run(executable, ['--version'], { cwd: dir })).trim().split('\n')[0];
  const main = (/** @type {string} */ consumerDir) => {
    const file = JSON.parse(readFileSync(join(consumerDir, 'package.json'), 'utf8')).main;
    if (file === undefined)
      throw new Error(`${consumerDir}/package.json has no "main" for ${runtime} to run`);
    return file;
  };
  if (runtime === 'bun')
    return { name: runtime, version, env, command: (cwd) => [executable, ['run', main(cwd)]] };
  if (runtime === 'deno') {
    return { name: runtime, version, env, command: (cwd) => [executable, ['run', '--allow-all', main(cwd)]] };
  }
  return { name: runtime, version, env, command: npmStart };
}
