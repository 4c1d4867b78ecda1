import { spawn } from 'node:child_process';

/**
 * Runs a command to its end, its output kept (and printed on failure, or always with `verbose`).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, verbose?: boolean, label?: string }} options
 * @returns {Promise<string>} the output
 */
export function run(command, args, { cwd, env = process.env, verbose = false, label = command }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output += chunk;
      if (verbose) process.stdout.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(output);
      const tail = output.trimEnd().split('\n').slice(-60).join('\n');
      reject(
        new Error(
          `${label}: \`${[command, ...args].join(' ')}\` in ${cwd} exited ${code ?? signal}\n${tail}`,
        ),
      );
    });
  });
}
