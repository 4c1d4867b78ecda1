import { describe, expect, it } from 'vitest';
import type { QontoSandbox } from '../src/types.js';
import { apiGet, exchange, fetchFile, obtainCode, startSandbox } from './helpers.js';

const START = Date.UTC(2025, 0, 15, 9, 30);

/** The raw bodies a connected app reads, from a fresh emulator. */
async function rawBodies(options: { seed: number; startTime: number }): Promise<Record<string, string>> {
  const sandbox: QontoSandbox = await startSandbox(options);
  const user = sandbox.users[0]!;
  const code = await obtainCode(sandbox, { user, organizationId: user.organizations[0]!.id });
  const token = (await exchange(sandbox, code)).body.access_token as string;
  const text = async (path: string) => {
    const response = await apiGet(sandbox, path, token);
    expect(response.status).toBe(200);
    return response.text();
  };
  const bodies: Record<string, string> = {};
  for (const path of ['/v2/organization', '/v2/membership', '/v2/memberships', '/v2/bank_accounts']) {
    bodies[path] = await text(path);
  }
  const accounts = JSON.parse(bodies['/v2/bank_accounts']!) as {
    bank_accounts: { id: string; main: boolean }[];
  };
  const main = accounts.bank_accounts.find((a) => a.main)!;
  for (const page of [1, 2, 3]) {
    const path = `/v2/transactions?bank_account_id=${main.id}&page=${page}`;
    bodies[path] = await text(path);
  }
  bodies.status = await text(`/v2/transactions?bank_account_id=${main.id}&status[]=pending`);
  bodies.labels = await text('/v2/labels');
  bodies.account = await text(`/v2/bank_accounts/${main.id}`);
  const transactions = JSON.parse(bodies[`/v2/transactions?bank_account_id=${main.id}&page=1`]!) as {
    transactions: { id: string; attachment_ids: string[] }[];
  };
  const attached = transactions.transactions.find((t) => t.attachment_ids.length > 0)!;
  bodies.transaction = await text(`/v2/transactions/${attached.id}?includes[]=labels`);
  // The file URL is signed at the emulator clock's second, which follows real time: compare the rest.
  const attachment = JSON.parse(await text(`/v2/attachments/${attached.attachment_ids[0]}`)) as {
    attachment: { url: string };
  };
  const url = new URL(attachment.attachment.url);
  for (const timed of ['X-Amz-Date', 'X-Amz-Credential', 'X-Amz-Signature']) url.searchParams.delete(timed);
  bodies.attachment = JSON.stringify({ ...attachment.attachment, url: url.pathname + url.search });
  bodies.file = await (await fetchFile(sandbox, attachment.attachment.url)).text();
  // Error bodies carry the trace id of their request, drawn from the seed.
  const error = await apiGet(sandbox, '/v2/transactions', token);
  expect(error.status).toBe(422);
  bodies.error = await error.text();
  return bodies;
}

describe('seeded data over HTTP', () => {
  it('is byte-identical across two starts with the same seed and startTime', async () => {
    const first = await rawBodies({ seed: 77, startTime: START });
    const second = await rawBodies({ seed: 77, startTime: START });
    expect(Object.keys(first)).toHaveLength(14);
    for (const [path, body] of Object.entries(first)) {
      expect(second[path], path).toBe(body);
    }
    expect(JSON.parse(first['/v2/organization']!).organization.bank_accounts.length).toBeGreaterThan(0);
  });

  it('differs for another seed, and moves its dates with startTime', async () => {
    const base = await rawBodies({ seed: 77, startTime: START });
    const otherSeed = await rawBodies({ seed: 78, startTime: START });
    const later = await rawBodies({ seed: 77, startTime: START + 86_400_000 });
    const firstPage = (b: Record<string, string>) =>
      JSON.parse(Object.entries(b).find(([k]) => k.endsWith('page=1'))![1]) as {
        transactions: { id: string; emitted_at: string }[];
      };
    expect(firstPage(otherSeed).transactions[0]!.id).not.toBe(firstPage(base).transactions[0]!.id);
    const [a, b] = [firstPage(base).transactions[0]!, firstPage(later).transactions[0]!];
    expect(b.id).toBe(a.id);
    expect(Date.parse(b.emitted_at) - Date.parse(a.emitted_at)).toBe(86_400_000);
  });
});
