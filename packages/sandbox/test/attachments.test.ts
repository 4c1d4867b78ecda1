import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import type { QontoSandbox } from '../src/types.js';
import { connectRaw, fetchFile, startSandbox } from './helpers.js';

// Tests that only read share one emulator; a test that uploads or moves the clock starts its own.
let shared: QontoSandbox;
beforeAll(async () => {
  shared = await startQontoSandbox({ startTime: Date.UTC(2025, 5, 1, 12) });
});
afterAll(() => shared.close());

interface Attachment {
  id: string;
  created_at: string;
  file_name: string;
  file_size: number;
  file_content_type: string;
  url: string;
  probative_attachment: { status: string };
}
interface Transaction {
  id: string;
  attachment_ids: string[];
  attachments?: Attachment[];
}

async function setUp(scope?: string, o: { fresh?: boolean } = {}) {
  const sandbox = o.fresh ? await startSandbox({ startTime: Date.UTC(2025, 5, 1, 12) }) : shared;
  const connection = await connectRaw(sandbox, scope ? { scope } : {});
  const accounts = await connection.get<{ bank_accounts: { id: string; main: boolean }[] }>(
    '/v2/bank_accounts',
  );
  const main = accounts.body.bank_accounts.find((a) => a.main)!;
  const page = await connection.get<{ transactions: Transaction[] }>(
    `/v2/transactions?bank_account_id=${main.id}&per_page=100`,
  );
  const withAttachment = page.body.transactions.find((t) => t.attachment_ids.length > 0)!;
  const without = page.body.transactions.find((t) => t.attachment_ids.length === 0)!;
  return { sandbox, ...connection, transactions: page.body.transactions, withAttachment, without };
}

function upload(
  sandbox: QontoSandbox,
  accessToken: string,
  transactionId: string,
  o: { key?: string | null; type?: string; bytes?: string; name?: string } = {},
) {
  const form = new FormData();
  form.append(
    'file',
    new Blob([o.bytes ?? '%PDF-1.4 uploaded'], { type: o.type ?? 'application/pdf' }),
    o.name ?? 'invoice.pdf',
  );
  const headers: Record<string, string> = {
    'X-Qonto-Staging-Token': sandbox.stagingToken,
    Authorization: `Bearer ${accessToken}`,
  };
  if (o.key !== null) headers['X-Qonto-Idempotency-Key'] = o.key ?? randomUUID();
  return fetch(`${sandbox.url}/v2/transactions/${transactionId}/attachments`, {
    method: 'POST',
    headers,
    body: form,
  });
}

describe('GET /v2/attachments/{id}', () => {
  it("describes a transaction's attachment with a temporary url that serves a PDF without a bearer token", async () => {
    const { sandbox, get, withAttachment } = await setUp();
    const { status, body } = await get<{ attachment: Attachment }>(
      `/v2/attachments/${withAttachment.attachment_ids[0]}`,
    );
    expect(status).toBe(200);
    const { attachment } = body;
    expect(Object.keys(attachment)).toEqual([
      'id',
      'created_at',
      'file_name',
      'file_size',
      'file_content_type',
      'url',
      'probative_attachment',
    ]);
    expect(attachment).toMatchObject({
      id: withAttachment.attachment_ids[0],
      file_content_type: 'application/pdf',
      probative_attachment: { status: 'unavailable' },
    });
    expect(new URL(attachment.url).searchParams.get('X-Amz-Expires')).toBe('1800');
    const file = await fetchFile(sandbox, attachment.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.length).toBe(attachment.file_size);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
  });

  it("keeps the url behind the sandbox's sign-in gate: the staging header or the web app's login opens it", async () => {
    const { sandbox, get, withAttachment } = await setUp();
    const { body } = await get<{ attachment: Attachment }>(
      `/v2/attachments/${withAttachment.attachment_ids[0]}`,
    );
    const gated = await fetch(body.attachment.url, { redirect: 'manual' });
    expect(gated.status).toBe(302);
    expect(gated.headers.get('location')).toBe('https://qonto.onelogin.com/login');
    const lowercase = await fetch(body.attachment.url, {
      headers: { 'x-qonto-staging-token': sandbox.stagingToken },
      redirect: 'manual',
    });
    expect(lowercase.status).toBe(302);
    // A browser logged in to the sandbox web app (what the docs ask before opening such a URL).
    const login = await fetch(`${sandbox.url}/devportal/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'next=%2F',
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(body.attachment.url, { headers: { cookie } })).status).toBe(200);
  });

  it('lets the url expire after 30 minutes of the emulator clock, and refuses a tampered one', async () => {
    const { sandbox, get, withAttachment } = await setUp(undefined, { fresh: true });
    const { body } = await get<{ attachment: Attachment }>(
      `/v2/attachments/${withAttachment.attachment_ids[0]}`,
    );
    const tampered = body.attachment.url.replace('X-Amz-Expires=1800', 'X-Amz-Expires=999999');
    const refused = await fetchFile(sandbox, tampered);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    // A margin on each side: the clock also follows real time, and the URL is signed to the second.
    sandbox.clock.advance(1800 * 1000 - 10_000);
    expect((await fetchFile(sandbox, body.attachment.url)).status).toBe(200);
    sandbox.clock.advance(20_000);
    const expired = await fetchFile(sandbox, body.attachment.url);
    expect(expired.status).toBe(403);
    expect(expired.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('accepts attachment.read without organization.read, and answers 404 for an unknown id', async () => {
    const reader = await setUp();
    const id = reader.withAttachment.attachment_ids[0]!;
    const narrow = await connectRaw(reader.sandbox, { scope: 'attachment.read' });
    expect((await narrow.get(`/v2/attachments/${id}`)).status).toBe(200);
    expect((await narrow.get(`/v2/transactions/${reader.withAttachment.id}/attachments`)).status).toBe(200);
    const none = await connectRaw(reader.sandbox, { scope: 'membership.read' });
    expect((await none.get(`/v2/attachments/${id}`)).status).toBe(403);
    const missing = await reader.get<{ errors: { code: string }[] }>(`/v2/attachments/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]!.code).toBe('not_found');
  });
});

describe('GET and POST /v2/transactions/{id}/attachments', () => {
  it("lists a transaction's attachments", async () => {
    const { get, withAttachment, without } = await setUp();
    const listed = await get<{ attachments: Attachment[] }>(
      `/v2/transactions/${withAttachment.id}/attachments`,
    );
    expect(listed.body.attachments.map((a) => a.id)).toEqual(withAttachment.attachment_ids);
    const empty = await get<{ attachments: Attachment[] }>(`/v2/transactions/${without.id}/attachments`);
    expect(empty.body).toEqual({ attachments: [] });
  });

  it('keeps an upload in memory and shows it once processed, with its bytes behind the url', async () => {
    const { sandbox, accessToken, get, without } = await setUp(
      'offline_access organization.read attachment.write',
      { fresh: true },
    );
    const response = await upload(sandbox, accessToken, without.id, {
      bytes: '%PDF-1.4 mine',
      name: 'mine.pdf',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    // Qonto processes uploads in the background: not visible at once.
    const before = await get<{ attachments: Attachment[] }>(`/v2/transactions/${without.id}/attachments`);
    expect(before.body.attachments).toEqual([]);
    sandbox.clock.advance(2_000);
    const after = await get<{ attachments: Attachment[] }>(`/v2/transactions/${without.id}/attachments`);
    expect(after.body.attachments).toHaveLength(1);
    const [attachment] = after.body.attachments;
    expect(attachment).toMatchObject({
      file_name: 'mine.pdf',
      file_size: 13,
      file_content_type: 'application/pdf',
    });
    expect(await (await fetchFile(sandbox, attachment!.url)).text()).toBe('%PDF-1.4 mine');
    const transaction = await get<{ transaction: Transaction }>(`/v2/transactions/${without.id}`);
    expect(transaction.body.transaction.attachment_ids).toEqual([attachment!.id]);
  });

  it('requires an idempotency key, and answers a repeated key with the first answer without a second upload', async () => {
    const { sandbox, accessToken, get, without } = await setUp('organization.read attachment.write', {
      fresh: true,
    });
    const missing = await upload(sandbox, accessToken, without.id, { key: null });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
      source: { header: 'X-Qonto-Idempotency-Key' },
    });
    expect((await upload(sandbox, accessToken, without.id, { key: 'not-a-uuid' })).status).toBe(422);
    const key = randomUUID();
    expect((await upload(sandbox, accessToken, without.id, { key })).status).toBe(200);
    expect((await upload(sandbox, accessToken, without.id, { key, bytes: 'other' })).status).toBe(200);
    sandbox.clock.advance(2_000);
    const listed = await get<{ attachments: Attachment[] }>(`/v2/transactions/${without.id}/attachments`);
    expect(listed.body.attachments).toHaveLength(1);
  });

  it('answers 413 naming the 15 MB limit to a larger file, whether the body or only the file is past it', async () => {
    const { sandbox, accessToken, without } = await setUp('organization.read attachment.write', {
      fresh: true,
    });
    const pdfOf = (bytes: number) => `%PDF-1.4 ${'x'.repeat(bytes - 9)}`;
    for (const bytes of [15 * 1024 * 1024 + 1, 16 * 1024 * 1024]) {
      const refused = await upload(sandbox, accessToken, without.id, { bytes: pdfOf(bytes) });
      expect(refused.status).toBe(413);
      const { errors } = (await refused.json()) as { errors: { detail: string }[] };
      expect(errors[0]!.detail).toMatch(/the file is over 15 MB, the largest attachment the emulator takes/);
    }
    const largest = await upload(sandbox, accessToken, without.id, { bytes: pdfOf(15 * 1024 * 1024) });
    expect(largest.status).toBe(200);
  });

  it('keeps at most 64 MB of uploads in memory, then answers 413', async () => {
    const { sandbox, accessToken, transactions } = await setUp('organization.read attachment.write', {
      fresh: true,
    });
    const big = `%PDF-1.4 ${'x'.repeat(13 * 1024 * 1024)}`;
    const [first, second] = transactions.filter((t) => t.attachment_ids.length === 0);
    for (const t of [first!, first!, first!, second!]) {
      expect((await upload(sandbox, accessToken, t.id, { bytes: big })).status).toBe(200);
    }
    const refused = await upload(sandbox, accessToken, second!.id, { bytes: big });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(
      'payload_too_large',
    );
    expect((await upload(sandbox, accessToken, second!.id)).status).toBe(200);
  });

  it('refuses another file type, a sixth attachment, and a token without attachment.write', async () => {
    const { sandbox, accessToken, without } = await setUp('organization.read attachment.write', {
      fresh: true,
    });
    const gif = await upload(sandbox, accessToken, without.id, { type: 'image/gif', name: 'a.gif' });
    expect(gif.status).toBe(422);
    expect(((await gif.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toContain(
      'PDF, JPEG or PNG',
    );
    for (let i = 0; i < 5; i++) expect((await upload(sandbox, accessToken, without.id)).status).toBe(200);
    expect((await upload(sandbox, accessToken, without.id)).status).toBe(422);
    const reader = await connectRaw(sandbox, { scope: 'organization.read' });
    expect((await upload(sandbox, reader.accessToken, without.id)).status).toBe(403);
  });
});
