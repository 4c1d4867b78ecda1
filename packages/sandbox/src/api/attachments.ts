import { apiError, notFoundInOrganization } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import { hasBodyOfType, rawBody } from '../http/body.js';
import type { HttpRequest } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import type { SeedAttachment } from '../seed/index.js';
import { attachmentsOf, attachmentView, findAttachment } from './attachment-view.js';
import { authorized, grantOf } from './auth.js';
import { findTransaction } from './transactions.js';

/** Qonto's MCP server accepts attachments up to 15 MB; the emulator takes the same (emulator choice). */
export const MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;
const FILE_TOO_LARGE = `the file is over ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB, the largest attachment the emulator takes`;
/** All uploads of one emulator together: they live in memory (emulator limit). */
export const MAX_UPLOADED_BYTES = 64 * 1024 * 1024;
/** "attachment_ids … (up to 5)" in Qonto's list-transactions description. */
export const MAX_ATTACHMENTS_PER_TRANSACTION = 5;
/** How long an upload takes to show (Qonto: "processed in the background … not visible immediately"; emulator choice). */
export const ATTACHMENT_PROCESSING_MS = 2_000;
/** Idempotency keys are remembered 30 minutes (https://docs.qonto.com/get-started/general/idempotent-requests). */
const IDEMPOTENCY_TTL_MS = 30 * 60_000;
const IDEMPOTENCY_HEADER = 'X-Qonto-Idempotency-Key';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const FILE_TYPES: readonly SeedAttachment['file_content_type'][] = [
  'application/pdf',
  'image/jpeg',
  'image/png',
];

/** The request's idempotency key, or a 422 already sent (`undefined`): required on this endpoint, a UUID v4. */
function idempotencyKey(req: HttpRequest, res: HttpResponse): string | undefined {
  const key = req.header(IDEMPOTENCY_HEADER);
  if (key !== undefined && UUID_V4.test(key)) return key.toLowerCase();
  apiError(
    res,
    422,
    key === undefined ? 'missing_parameter' : 'invalid_parameter',
    key === undefined
      ? `${IDEMPOTENCY_HEADER} is required on this endpoint: send a new UUID v4 per upload, and the same one when you retry it.`
      : `${IDEMPOTENCY_HEADER} must be a UUID v4 (e.g. 123e4567-e89b-42d3-a456-426614174000).`,
    { header: IDEMPOTENCY_HEADER },
  );
  return undefined;
}

/** The `file` part of a multipart body, or a 422 already sent (`undefined`). */
async function uploadedFile(req: HttpRequest, res: HttpResponse): Promise<File | undefined> {
  const fail = (detail: string) => {
    apiError(res, 422, 'invalid_parameter', detail, { parameter: 'file' });
    return undefined;
  };
  if (!hasBodyOfType(req, 'multipart/form-data') || !Buffer.isBuffer(req.body)) {
    return fail('Send the file as multipart/form-data, in a part named file.');
  }
  let form: FormData;
  try {
    form = await new Response(req.body, {
      headers: { 'content-type': req.header('content-type') as string },
    }).formData();
  } catch {
    return fail('The multipart body could not be read: check its boundary and parts.');
  }
  const file = form.get('file');
  if (!(file instanceof File)) return fail('No file part: send the file in a multipart part named file.');
  if (file.size === 0) return fail('The file is empty.');
  if (file.size > MAX_ATTACHMENT_BYTES) {
    apiError(res, 413, 'payload_too_large', `The upload was refused: ${FILE_TOO_LARGE}.`, {
      parameter: 'file',
    });
    return undefined;
  }
  if (!(FILE_TYPES as readonly string[]).includes(file.type)) {
    return fail(
      `The file must be a PDF, JPEG or PNG (${FILE_TYPES.join(', ')}), not ${JSON.stringify(file.type)}.`,
    );
  }
  return file;
}

/**
 * The attachment endpoints: `GET /v2/attachments/{id}`, `GET /v2/transactions/{id}/attachments` (scope
 * `organization.read` or `attachment.read`, as Qonto's pages name either) and
 * `POST /v2/transactions/{id}/attachments` (scope `attachment.write`, multipart `file`, kept in memory).
 */
export function attachmentRoutes(ctx: SandboxContext, router: Router): void {
  const read = authorized(ctx, 'organization.read', 'attachment.read');

  // https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments/retrieve-an-attachment
  router.get('/v2/attachments/:id', read, (req, res) => {
    const attachment = findAttachment(ctx, grantOf(res).organizationId, req.params.id as string);
    if (!attachment) return notFoundInOrganization(res, 'attachment', req.params.id);
    sendJson(res, 200, { attachment: attachmentView(ctx, attachment) });
  });

  // https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments-in-transactions/list-attachments-for-a-transaction:
  // `{ attachments }`, without `meta` (a transaction holds up to 5; emulator choice).
  router.get('/v2/transactions/:id/attachments', read, (req, res) => {
    const t = findTransaction(ctx, grantOf(res).organizationId, req.params.id as string);
    if (!t) return notFoundInOrganization(res, 'transaction', req.params.id);
    sendJson(res, 200, { attachments: attachmentsOf(ctx, t.id).map((a) => attachmentView(ctx, a)) });
  });

  // https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments-in-transactions/upload-an-attachment-to-a-transaction
  router.post(
    '/v2/transactions/:id/attachments',
    authorized(ctx, 'attachment.write'),
    // The multipart framing around the file gets 64 KB of its own.
    rawBody('multipart/form-data', MAX_ATTACHMENT_BYTES + 64 * 1024, FILE_TOO_LARGE),
    async (req: HttpRequest, res: HttpResponse) => {
      const organizationId = grantOf(res).organizationId;
      const t = findTransaction(ctx, organizationId, req.params.id as string);
      if (!t) return notFoundInOrganization(res, 'transaction', req.params.id);
      const key = idempotencyKey(req, res);
      if (key === undefined) return;
      const now = ctx.clock.now();
      for (const [k, v] of ctx.idempotency) if (v.expiresAt <= now) ctx.idempotency.delete(k);
      const remembered = ctx.idempotency.get(`${organizationId}:${key}`);
      if (remembered) {
        sendJson(res, remembered.status, remembered.body);
        return;
      }
      const file = await uploadedFile(req, res);
      if (file === undefined) return;
      const pending = ctx.uploads.filter((a) => a.transactionId === t.id).length;
      if (t.attachment_ids.length + pending >= MAX_ATTACHMENTS_PER_TRANSACTION) {
        return apiError(
          res,
          422,
          'invalid_parameter',
          `This transaction already has ${MAX_ATTACHMENTS_PER_TRANSACTION} attachments, the most Qonto keeps on one.`,
          { parameter: 'file' },
        );
      }
      const stored = ctx.uploads.reduce((sum, a) => sum + a.bytes.length, 0);
      if (stored + file.size > MAX_UPLOADED_BYTES) {
        return apiError(
          res,
          413,
          'payload_too_large',
          `This emulator keeps uploads in memory, ${MAX_UPLOADED_BYTES / 1024 / 1024} MB at most, and holds ${stored} bytes: restart it (or upload smaller files) in tests.`,
          { parameter: 'file' },
        );
      }
      ctx.uploads.push({
        id: ctx.uploadIds.uuid(),
        organizationId,
        transactionId: t.id,
        created_at: new Date(now).toISOString(),
        file_name: file.name || 'attachment',
        file_content_type: file.type as SeedAttachment['file_content_type'],
        bytes: new Uint8Array(await file.arrayBuffer()),
        visibleAt: now + ATTACHMENT_PROCESSING_MS,
      });
      // Qonto documents only "a success status code"; 200 with an empty object is the emulator's choice.
      ctx.idempotency.set(`${organizationId}:${key}`, {
        expiresAt: now + IDEMPOTENCY_TTL_MS,
        status: 200,
        body: {},
      });
      sendJson(res, 200, {});
    },
  );
}
