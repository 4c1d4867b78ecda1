import { parse as parseForm } from 'node:querystring';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { HttpRequest, Params } from './request.js';
import { RequestRefusedError } from './request-refused.js';
import type { HttpResponse } from './response.js';

/** Whether the request has a body at all: a `Content-Length` (0 included) or a `Transfer-Encoding`. */
function hasBody(req: HttpRequest): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']))
  );
}

/** The `type/subtype` of `Content-Type`, lower-cased; undefined when absent or malformed. */
function mediaType(req: HttpRequest): string | undefined {
  const essence = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+$/.test(essence) ? essence : undefined;
}

/** Whether the request has a body of media type `type` (parameters such as `charset` aside). */
export function hasBodyOfType(req: HttpRequest, type: string): boolean {
  return hasBody(req) && mediaType(req) === type;
}

/** The `charset` parameter of `Content-Type`, lower-cased, or `fallback`. */
function charsetOf(req: HttpRequest, fallback: string): string {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(req.headers['content-type'] ?? '');
  return (match?.[1] ?? match?.[2] ?? fallback).toLowerCase();
}

function unsupportedCharset(charset: string): RequestRefusedError {
  return new RequestRefusedError(415, `unsupported charset "${charset.toUpperCase()}"`);
}

/** The stream of the body's bytes, decompressed per `Content-Encoding` (gzip, deflate, br; zstd where Node has it). */
function decoded(req: HttpRequest): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return req;
  const decompress =
    encoding === 'gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : encoding === 'zstd' && 'createZstdDecompress' in zlib
            ? (zlib as unknown as { createZstdDecompress(): zlib.Gunzip }).createZstdDecompress()
            : undefined;
  if (decompress === undefined) {
    throw new RequestRefusedError(415, `unsupported content encoding "${encoding}"`);
  }
  return req.pipe(decompress);
}

/** Resolves once the request's body was read to its end (or its connection closed), reading the rest unused. */
function drained(req: HttpRequest): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', resolve).once('close', resolve).resume();
  });
}

/**
 * The body's bytes, at most `limit` after decompression. Past the limit the rest is read and dropped, so the 413
 * (saying `tooLarge`) reaches a client that is still sending.
 */
async function readBytes(
  req: HttpRequest,
  limit: number,
  tooLarge = 'request entity too large',
): Promise<Buffer> {
  let source: Readable;
  try {
    source = decoded(req);
  } catch (error) {
    await drained(req);
    throw error;
  }
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    source.once('end', () => {
      ended = true;
      if (size > limit) reject(new RequestRefusedError(413, tooLarge));
      else resolve(Buffer.concat(chunks, size));
    });
    source.once('error', (error) => reject(new RequestRefusedError(400, error.message)));
    req.once('close', () => {
      if (!ended && !req.complete) reject(new RequestRefusedError(400, 'request aborted'));
    });
  }).catch(async (error: unknown) => {
    if (source !== req) req.unpipe();
    await drained(req);
    throw error;
  });
  return bytes;
}

/** Decodes `bytes` in `charset` (a leading BOM dropped), or a 415 for a charset Node cannot decode. */
function text(bytes: Buffer, charset: string): string {
  if (charset === 'iso-8859-1') return bytes.toString('latin1');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    throw unsupportedCharset(charset);
  }
}

/** The most parameters a form may have (body-parser's default, which the emulator had). */
const MAX_FORM_PARAMETERS = 1000;

/** `application/x-www-form-urlencoded`, UTF-8 or ISO-8859-1; repeated names give a list. */
function parseFormBody(bytes: Buffer, charset: string): Params {
  const body = text(bytes, charset);
  if (body.length === 0) return {};
  let count = 1;
  for (let i = body.indexOf('&'); i !== -1; i = body.indexOf('&', i + 1)) {
    if (++count > MAX_FORM_PARAMETERS) throw new RequestRefusedError(413, 'too many parameters');
  }
  const latin1 = (value: string) =>
    value.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return parseForm(body, '&', '=', {
    maxKeys: 0,
    ...(charset === 'iso-8859-1' ? { decodeURIComponent: latin1 } : {}),
  });
}

/** A JSON object or array (an empty body reads as `{}`, as body-parser's strict mode has it). */
function parseJsonBody(bytes: Buffer, charset: string): unknown {
  const body = text(bytes, charset);
  if (body.length === 0) return {};
  const first = body[body.search(/[^ \t\n\r]/)];
  if (first !== '{' && first !== '[') {
    const start = first === undefined ? 'only whitespace' : `${JSON.stringify(first)}`;
    throw new RequestRefusedError(
      400,
      `a JSON body must be an object or an array; this one starts with ${start}`,
    );
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new RequestRefusedError(400, (error as Error).message);
  }
}

/** A step that reads a form body into `req.body` (at most `limit` bytes; a form of another type is left unread). */
export function formBody(limit = 100 * 1024) {
  return async (req: HttpRequest, _res: HttpResponse): Promise<void> => {
    req.body = undefined;
    if (!hasBodyOfType(req, 'application/x-www-form-urlencoded')) return;
    const charset = charsetOf(req, 'utf-8');
    if (charset !== 'utf-8' && charset !== 'iso-8859-1') {
      await drained(req);
      throw unsupportedCharset(charset);
    }
    req.body = parseFormBody(await readBytes(req, limit), charset);
  };
}

/** A step that reads a JSON body (an object or array, UTF-8 or another UTF) into `req.body`. */
export function jsonBody(limit: number) {
  return async (req: HttpRequest, _res: HttpResponse): Promise<void> => {
    req.body = undefined;
    if (!hasBodyOfType(req, 'application/json')) return;
    const charset = charsetOf(req, 'utf-8');
    if (!charset.startsWith('utf-')) {
      await drained(req);
      throw unsupportedCharset(charset);
    }
    req.body = parseJsonBody(await readBytes(req, limit), charset);
  };
}

/** A step that reads a body of media type `type` into `req.body` as bytes; `tooLarge` says why past `limit`. */
export function rawBody(type: string, limit: number, tooLarge?: string) {
  return async (req: HttpRequest, _res: HttpResponse): Promise<void> => {
    req.body = undefined;
    if (!hasBodyOfType(req, type)) return;
    req.body = await readBytes(req, limit, tooLarge);
  };
}
