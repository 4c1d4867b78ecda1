import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SandboxContext } from './context.js';
import { readCookie } from './cookies.js';
import type { HttpRequest } from './http/request.js';
import { send } from './http/respond.js';
import type { HttpResponse } from './http/response.js';
import type { Router } from './http/router.js';
import { webAppCookie } from './oauth/authorize.js';
import type { SeedAttachment } from './seed/index.js';
import { answerGate, classifyStagingToken } from './staging-gate.js';

/** A file the emulator serves at a pre-signed URL: an attachment's, or a statement's PDF. */
export type StoredFile = Pick<SeedAttachment, 'id' | 'file_name' | 'file_content_type' | 'bytes'>;

/** Qonto's attachment URLs are valid 30 minutes (https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments/retrieve-an-attachment). */
export const FILE_URL_LIFETIME_S = 1800;

const FILE_PATH = '/files/attachments';

/** `20190108T145400Z`, the form of `X-Amz-Date`. */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function fromAmzDate(value: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

function signature(ctx: SandboxContext, path: string, params: URLSearchParams): string {
  return createHmac('sha256', ctx.fileSigningKey).update(`${path}\n${params}`).digest('hex');
}

/**
 * A temporary download URL for an attachment, shaped like the pre-signed S3 URLs Qonto returns (`X-Amz-Date`,
 * `X-Amz-Expires=1800`, `X-Amz-Signature`) and served by the emulator itself: it works without a bearer token or a
 * staging header, until 30 minutes of the emulator clock have passed. Signed with a key drawn from the seed, so
 * the same seed and clock give the same URL.
 */
export function presignedFileUrl(ctx: SandboxContext, attachment: StoredFile): string {
  const path = `${FILE_PATH}/${attachment.id}/${encodeURIComponent(attachment.file_name)}`;
  const date = amzDate(ctx.clock.now());
  const params = new URLSearchParams({
    'response-content-disposition': `attachment;filename*=UTF-8''${encodeURIComponent(attachment.file_name)}`,
    'response-content-type': attachment.file_content_type,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `QONTOSANDBOXEMULATOR/${date.slice(0, 8)}/eu-central-1/s3/aws4_request`,
    'X-Amz-Date': date,
    'X-Amz-Expires': String(FILE_URL_LIFETIME_S),
    'X-Amz-SignedHeaders': 'host',
  });
  params.set('X-Amz-Signature', signature(ctx, path, params));
  return `${ctx.url}${path}?${params}`;
}

/** An S3-style XML error, as a storage URL answers (the emulator's stand-in for Amazon S3's). */
function storageError(res: HttpResponse, status: number, code: string, message: string): void {
  send(
    res,
    status,
    'application/xml; charset=utf-8',
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`,
  );
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * `GET /files/attachments/:id/:name`: the bytes behind {@link presignedFileUrl}, without a token, as a pre-signed
 * storage URL. In sandbox mode it sits behind the sign-in gate like every URL of Qonto's sandbox
 * (https://docs.qonto.com/get-started/general/sandbox-access: attachment URLs are among the browser URLs that need
 * the sandbox web app's login): it opens with the staging header or the web-app session, else the gate answers. A
 * changed or missing signature → 403 `SignatureDoesNotMatch`; past its 30 minutes → 403 `AccessDenied` "Request
 * has expired" (S3's answers).
 */
export function fileRoutes(
  ctx: SandboxContext,
  router: Router,
  find: (id: string) => StoredFile | undefined,
): void {
  router.get(`${FILE_PATH}/:id/:name`, (req: HttpRequest, res: HttpResponse) => {
    if (
      ctx.mode === 'sandbox' &&
      classifyStagingToken(req.rawHeaders, ctx.stagingToken) !== 'ok' &&
      !ctx.webAppSessions.has(readCookie(req, webAppCookie(ctx)) ?? '')
    ) {
      answerGate(ctx, res);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const given = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.delete('X-Amz-Signature');
    const expected = signature(ctx, url.pathname, url.searchParams);
    if (!sameHex(given, expected)) {
      storageError(
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Use the url exactly as the API returned it.',
      );
      return;
    }
    const signedAt = fromAmzDate(url.searchParams.get('X-Amz-Date') ?? '');
    const lifetime = Number(url.searchParams.get('X-Amz-Expires'));
    if (!(ctx.clock.now() <= signedAt + lifetime * 1000)) {
      storageError(
        res,
        403,
        'AccessDenied',
        'Request has expired. Ask GET /v2/attachments/{id} for a new url: each one is valid 30 minutes.',
      );
      return;
    }
    const attachment = find(req.params.id as string);
    if (!attachment) {
      storageError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    res.setHeader(
      'Content-Disposition',
      url.searchParams.get('response-content-disposition') ?? 'attachment',
    );
    send(
      res,
      200,
      url.searchParams.get('response-content-type') ?? attachment.file_content_type,
      attachment.bytes,
    );
  });
}
