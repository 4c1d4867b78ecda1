import { timingSafeEqual } from 'node:crypto';
import type { SandboxContext } from './context.js';
import { page } from './html.js';
import type { HttpRequest } from './http/request.js';
import { sendHtml, sendJson, setLocation } from './http/respond.js';
import type { HttpResponse } from './http/response.js';
import type { Step } from './http/router.js';
import type { StagingTokenUse } from './types.js';

/** The header, in the one casing Qonto's sandbox accepts (https://docs.qonto.com/get-started/general/sandbox-access). */
export const STAGING_HEADER = 'X-Qonto-Staging-Token';
/** Where Qonto's sandbox sends a request without a valid staging token. */
export const ONELOGIN_URL = 'https://qonto.onelogin.com/login';

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * How a request carried the staging token, read from the raw header names: a router that lowercases names (a
 * Web `Request`) could not tell `x-qonto-staging-token` from the exact casing.
 */
export function classifyStagingToken(rawHeaders: readonly string[], expected: string): StagingTokenUse {
  let exact: string | undefined;
  let otherCasing = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name === STAGING_HEADER) exact = rawHeaders[i + 1] ?? '';
    else if (name.toLowerCase() === 'x-qonto-staging-token') otherCasing = true;
  }
  if (exact !== undefined) return sameSecret(exact, expected) ? 'ok' : 'wrong';
  return otherCasing ? 'wrong-case' : 'absent';
}

const SIGN_IN_PAGE = page({
  title: 'OneLogin',
  step: 'staging-gate',
  body: `<h1>Sign in to Qonto (OneLogin)</h1>
<p>This is the emulator's stand-in for the OneLogin sign-in page that guards Qonto's sandbox.</p>
<p>A program got here because its request had no valid <code>X-Qonto-Staging-Token</code> header (exact casing).
Send the staging token from Developer Portal &gt; your app &gt; Sandbox credentials with every request, the token
endpoint included.</p>`,
});

/**
 * The staging gate, on the token endpoint and the Business API. Sandbox mode: without the exact header and value,
 * a 302 to OneLogin with an HTML body, or an HTML page with status 200 (both documented). Production mode: a
 * staging token is refused with 400 `invalid_request` (emulator choice; Qonto documents only that production
 * does not accept it).
 */
export function stagingGate(ctx: SandboxContext, shape: 'oauth' | 'api'): Step {
  return (req: HttpRequest, res: HttpResponse): void => {
    const use = classifyStagingToken(req.rawHeaders, ctx.stagingToken);
    if (ctx.mode === 'production') {
      if (use === 'absent') return;
      const detail = `${STAGING_HEADER} was sent to a production endpoint. The staging token belongs to Qonto's sandbox only: remove it when talking to production.`;
      sendJson(
        res,
        400,
        shape === 'oauth'
          ? { error: 'invalid_request', error_description: detail }
          : { errors: [{ code: 'invalid_request', detail }] },
      );
      return;
    }
    if (use === 'ok') return;
    answerGate(ctx, res);
  };
}

/** The sign-in gate's answer, as the start options chose it: a 302 to OneLogin, or its HTML page with status 200. */
export function answerGate(ctx: SandboxContext, res: HttpResponse): void {
  if (ctx.gate === 'html') {
    sendHtml(res, 200, SIGN_IN_PAGE);
    return;
  }
  setLocation(res, ONELOGIN_URL);
  sendHtml(res, 302, `<html><body>You are being <a href="${ONELOGIN_URL}">redirected</a>.</body></html>`);
}
