// The README's command, `npx @qonto-oauth/sandbox`, starts the emulator from the installed package (a devDependency
// here, so npx asks no registry) in demo mode: the quick start's client and staging token are accepted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

test('npx @qonto-oauth/sandbox serves the emulator in demo mode', async () => {
  const cli = spawn('npx', ['@qonto-oauth/sandbox', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  try {
    let printed = '';
    const url = await new Promise((resolve, reject) => {
      cli.on('exit', (code) => reject(new Error(`npx exited ${code}:\n${printed}`)));
      cli.stdout.on('data', (chunk) => {
        printed += chunk;
        const match = printed.match(/QONTO_SANDBOX_URL=(\S+)/);
        if (match) resolve(match[1]);
      });
    });
    assert.match(printed, /QONTO_CLIENT_ID=qonto-oauth-demo/);
    const token = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'X-Qonto-Staging-Token': 'demo-staging-token' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(token.headers.get('content-type')?.split(';')[0], 'application/json');
  } finally {
    try {
      process.kill(-cli.pid, 'SIGTERM');
    } catch {}
  }
});
