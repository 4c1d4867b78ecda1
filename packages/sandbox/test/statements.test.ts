import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import { STATEMENT_MONTHS } from '../src/seed/statements.js';
import type { QontoSandbox } from '../src/types.js';
import { connectRaw, fetchFile } from './helpers.js';

const START = Date.UTC(2025, 5, 15, 12);

interface Statement {
  id: string;
  bank_account_id: string;
  period: string;
  file: { file_name: string; file_size: string; file_url: string };
}

let sandbox: QontoSandbox;
let owner: Awaited<ReturnType<typeof connectRaw>>;
let accounts: { id: string }[];

beforeAll(async () => {
  // One emulator for the file (the helpers' startSandbox closes its emulator after each test).
  sandbox = await startQontoSandbox({ startTime: START });
  owner = await connectRaw(sandbox, { userIndex: 0 });
  accounts = (await owner.get<{ bank_accounts: { id: string }[] }>('/v2/bank_accounts')).body.bank_accounts;
});
afterAll(() => sandbox.close());

const list = async (query = '') =>
  (await owner.get<{ statements: Statement[]; meta: { total_count: number } }>(`/v2/statements${query}`))
    .body;

describe('GET /v2/statements', () => {
  it('lists a statement per account for each of the last full months, newest first', async () => {
    const { statements, meta } = await list();
    expect(meta.total_count).toBe(accounts.length * STATEMENT_MONTHS);
    expect(new Set(statements.map((s) => s.bank_account_id))).toEqual(new Set(accounts.map((a) => a.id)));
    expect(statements[0]!.period).toBe('05-2025');
    expect(statements.at(-1)!.period).toBe('12-2024');
  });

  it('filters by bank_account_ids[] and period_from / period_to, and sorts by period:asc', async () => {
    const one = await list(`?bank_account_ids[]=${accounts[1]!.id}&period_from=02-2025&period_to=03-2025`);
    expect(one.statements.map((s) => [s.bank_account_id, s.period])).toEqual([
      [accounts[1]!.id, '03-2025'],
      [accounts[1]!.id, '02-2025'],
    ]);
    const ascending = await list(`?bank_account_ids[]=${accounts[0]!.id}&sort_by=period:asc`);
    expect(ascending.statements.map((s) => s.period)).toEqual([
      '12-2024',
      '01-2025',
      '02-2025',
      '03-2025',
      '04-2025',
      '05-2025',
    ]);
    for (const query of ['?period_from=2025-01', '?sort_by=period']) {
      expect((await owner.get(`/v2/statements${query}`)).status).toBe(422);
    }
  });

  it('serves the PDF at file_url without a bearer token for 30 minutes, behind the gate, like an attachment', async () => {
    const [statement] = (await list()).statements;
    expect((await fetch(statement!.file.file_url, { redirect: 'manual' })).status).toBe(302);
    const pdf = await fetchFile(sandbox, statement!.file.file_url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    expect(String(bytes.length)).toBe(statement!.file.file_size);
    const byId = await owner.get<{ statement: Statement }>(`/v2/statements/${statement!.id}`);
    expect(byId.body.statement.period).toBe(statement!.period);
    sandbox.clock.advance(31 * 60_000);
    expect((await fetchFile(sandbox, statement!.file.file_url)).status).toBe(403);
  });

  it("answers 404 for another organization's statement, and lists only the organization's own", async () => {
    const other = await connectRaw(sandbox, { userIndex: 2 });
    const mine = (await list()).statements[0]!;
    expect((await other.get(`/v2/statements/${mine.id}`)).status).toBe(404);
    const theirs = await other.get<{ statements: Statement[] }>('/v2/statements');
    expect(theirs.body.statements.length).toBe(STATEMENT_MONTHS);
    expect(theirs.body.statements.some((s) => accounts.some((a) => a.id === s.bank_account_id))).toBe(false);
  });
});
