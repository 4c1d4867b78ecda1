import type { SandboxContext } from './context.js';
import { escapeHtml, page } from './html.js';
import type { HttpRequest } from './http/request.js';
import { sendHtml } from './http/respond.js';
import type { HttpResponse } from './http/response.js';

/** `GET /`: what this emulator is, its endpoints, and (demo mode) links to the sample apps and the demo users. */
export function homePage(ctx: SandboxContext) {
  return (_req: HttpRequest, res: HttpResponse): void => {
    const rows = [
      ['Authorization', `${ctx.url}/oauth2/auth`],
      ['Token', `${ctx.url}/oauth2/token`],
      ['Token revocation (RFC 7009)', `${ctx.url}/oauth2/revoke`],
      ['Business API base', ctx.url],
      ['id_token issuer', ctx.url],
      ['JWKS (emulator aid)', `${ctx.url}/.well-known/jwks.json`],
    ]
      .map(
        ([what, url]) =>
          `<tr><td>${escapeHtml(what as string)}</td><td><code>${escapeHtml(url as string)}</code></td></tr>`,
      )
      .join('\n');
    const gate =
      ctx.mode === 'sandbox'
        ? `<p>Sandbox mode: the token endpoint and the API require the header <code>X-Qonto-Staging-Token</code> (exact
casing)${ctx.demo ? `, value <code>${escapeHtml(ctx.stagingToken)}</code>` : ''}. Without it they answer like Qonto's gate
(${ctx.gate === 'redirect' ? 'a 302 to OneLogin' : 'an HTML page with status 200'}).</p>`
        : '<p>Production mode: no staging gate, and a staging token is refused.</p>';
    const demo = ctx.demo
      ? `<h2>Demo</h2>
<p>Client <code>${escapeHtml(ctx.clients[0]?.clientId ?? '')}</code>. Sample apps (start them with <code>pnpm demo</code>):</p>
<ul>${ctx.demoApps.map((a) => `<li><a href="${escapeHtml(a.url)}">${escapeHtml(a.url)}</a> ${escapeHtml(a.name)}</li>`).join('')}</ul>
<p>Log in as:</p>
<ul>${ctx.data.users.map((u) => `<li><code>${escapeHtml(u.email)}</code> / <code>${escapeHtml(u.password)}</code> (${u.organizations.length} organization(s))</li>`).join('')}</ul>
<p>SMS code: <code>123456</code>.</p>`
      : '';
    sendHtml(
      res,
      200,
      page({
        title: 'Qonto sandbox emulator',
        step: 'home',
        body: `<h1>Qonto sandbox emulator</h1>
<table>${rows}</table>
${gate}
${demo}
<p class="note"><a href="/devportal">Sandbox web app login</a> ·
<a href="/connected-apps">Connected apps</a> (a member revokes an app's access)</p>`,
      }),
    );
  };
}
