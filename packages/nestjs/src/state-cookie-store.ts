import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { PassportResponse } from './passport-response.js';

/** How long a login may take between the redirect to Qonto and the callback: Qonto's codes live 10 minutes. */
const DEFAULT_MAX_AGE_SECONDS = 600;
/** The default cookie name: its own, so it never collides with the app's or another adapter's cookies. */
export const QONTO_STATE_COOKIE_NAME = 'qonto_nestjs_oauth';

type StoreCallback = (err: Error | null, state?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | boolean, info?: unknown) => void;
/** The request passport hands the store, with its response where Express keeps it (and `QontoAuthGuard` on Fastify). */
type RequestWithResponse = { headers: IncomingHttpHeaders; res?: PassportResponse };

/** Options of {@link QontoStateCookieStore}. */
export interface QontoStateCookieStoreOptions {
  /** Key material: the module's `stateSecret`, or its `clientSecret` when there is none. */
  secret: string;
  /** `Path` of the cookie: the callback route's path, so the cookie is sent there only. */
  path: string;
  /** Add `Secure` (when the callback URL is https). */
  secure: boolean;
  cookieName?: string;
  maxAgeSeconds?: number;
  now?: () => number;
}

interface SealedState {
  /** state */ s: string;
  /** PKCE code verifier */ v?: string;
  /** expiry, epoch ms */ e: number;
  /** app state given to `authenticate(..., { state })` */ a?: unknown;
}

/**
 * A passport-oauth2 state store that keeps the login's `state` and PKCE verifier in a cookie instead of
 * express-session, so `QontoAuthGuard` works with Nest's session-less `AuthGuard`.
 *
 * The cookie is sealed with AES-256-GCM (a key derived with HKDF from `secret`): it can be neither read (the
 * verifier stays secret) nor altered. It is `HttpOnly`, `SameSite=Lax` (Qonto's redirect back is a top-level GET),
 * scoped to the callback path, and lives `maxAgeSeconds` (10 minutes). `verify` clears it whatever the outcome, so a
 * state is used once. It is written through `req.res`: Express's response, or on Fastify the reply that
 * `QontoAuthGuard` puts there.
 *
 * passport-oauth2 picks the call shape by `Function.length`: `store` has exactly 5 parameters and `verify` 4.
 */
export class QontoStateCookieStore {
  readonly #key: Buffer;
  readonly #cookieName: string;
  readonly #attributes: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(o: QontoStateCookieStoreOptions) {
    this.#key = Buffer.from(hkdfSync('sha256', o.secret, 'qonto-oauth/nestjs', 'state-cookie/v1', 32));
    this.#cookieName = o.cookieName ?? QONTO_STATE_COOKIE_NAME;
    const maxAge = o.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    this.#maxAgeMs = maxAge * 1000;
    this.#attributes = `Path=${o.path}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;
    this.#now = o.now ?? Date.now;
  }

  /** Called by passport-oauth2 before the redirect to Qonto. */
  store(
    req: RequestWithResponse,
    verifier: string | undefined,
    state: unknown,
    _meta: unknown,
    cb: StoreCallback,
  ): void {
    const res = responseOf(req);
    if (res instanceof Error) {
      cb(res);
      return;
    }
    const handle = randomBytes(24).toString('base64url');
    const sealed: SealedState = { s: handle, e: this.#now() + this.#maxAgeMs };
    if (verifier) sealed.v = verifier;
    if (state !== undefined) sealed.a = state;
    const maxAge = Math.round(this.#maxAgeMs / 1000);
    appendSetCookie(res, `${this.#cookieName}=${this.#seal(sealed)}; Max-Age=${maxAge}; ${this.#attributes}`);
    cb(null, handle);
  }

  /** Called by passport-oauth2 on the callback: checks `providedState` against the cookie, then clears it. */
  verify(req: RequestWithResponse, providedState: unknown, _meta: unknown, cb: VerifyCallback): void {
    const res = responseOf(req);
    if (res instanceof Error) {
      cb(res);
      return;
    }
    const raw = readCookie(req.headers.cookie, this.#cookieName);
    appendSetCookie(res, `${this.#cookieName}=; Max-Age=0; ${this.#attributes}`);
    const checked = this.#check(raw, providedState);
    if ('refused' in checked) cb(null, false, { message: checked.refused });
    else cb(null, checked.sealed.v ?? true, checked.sealed.a);
  }

  #check(raw: string | undefined, providedState: unknown): { sealed: SealedState } | { refused: string } {
    if (raw === undefined) {
      return {
        refused:
          'The Qonto login cookie is missing: this callback was not started from this browser, took more than 10 ' +
          'minutes, or the browser blocked the cookie. Start the login again.',
      };
    }
    const sealed = this.#open(raw);
    if (sealed === undefined) {
      return {
        refused:
          'The Qonto login cookie failed its integrity check: it was altered, or sealed with another stateSecret ' +
          '(or clientSecret). Start the login again.',
      };
    }
    if (sealed.e <= this.#now()) {
      return { refused: 'The Qonto login took more than 10 minutes and expired. Start the login again.' };
    }
    if (typeof providedState !== 'string' || providedState === '') {
      return { refused: 'The Qonto callback has no state parameter. Start the login again.' };
    }
    if (!constantTimeEqual(providedState, sealed.s)) {
      return {
        refused:
          "The Qonto callback's state does not match this browser's login: a forged callback, or a login started " +
          'in another tab (run one login at a time). Start the login again.',
      };
    }
    return { sealed };
  }

  #seal(value: SealedState): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, data, cipher.getAuthTag()]).toString('base64url');
  }

  #open(raw: string): SealedState | undefined {
    try {
      const bytes = Buffer.from(raw, 'base64url');
      if (bytes.length < 12 + 16 + 1) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const json = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
      const value = JSON.parse(json.toString('utf8')) as SealedState;
      return typeof value.s === 'string' && typeof value.e === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  }
}

function responseOf(req: RequestWithResponse): PassportResponse | Error {
  const res = req.res;
  if (res && typeof res.getHeader === 'function' && typeof res.setHeader === 'function') return res;
  return new Error(
    'QontoStateCookieStore keeps the login state in a cookie written through req.res, which this request does not ' +
      "have. Use it through QontoAuthGuard (Nest's Express or Fastify adapter), or call QontoService from your " +
      'own routes instead.',
  );
}

function appendSetCookie(res: PassportResponse, cookie: string): void {
  const previous = res.getHeader('Set-Cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
