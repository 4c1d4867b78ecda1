import type { QontoBankAccount } from '@qonto-oauth/core';
import type { AccountView, TransactionRow } from './account.js';

/** Escapes text for HTML content and attribute values: everything shown comes from Qonto or from an error. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
.button{display:inline-block;padding:.6rem 1.1rem;border-radius:.5rem;background:#1d1d1f;color:#fff;border:0;
font:inherit;cursor:pointer;text-decoration:none}.button.secondary{background:#e5e5ea;color:#1d1d1f}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{text-align:left;padding:.35rem .5rem;
border-bottom:1px solid #e5e5ea}td.amount{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#f5f5f7;padding:.75rem 1rem;border-radius:.5rem}
.error{background:#fff1f0;border:1px solid #ffccc7;padding:1rem;border-radius:.5rem}form{display:inline}
.app-name{color:#6e6e73;font-size:.875rem;margin-bottom:1rem}`;

/** Names this sample app on every page, as the README and `pnpm demo` call it. */
const APP_HEADER = '<header class="app-name"><strong>example-nest</strong> · NestJS + QontoModule</header>';

/** What a person who declined the consent reads (the wording of apps/next's error page). */
export const DECLINED_MESSAGE =
  'You declined the consent on Qonto, so this app has no access to your account. Connect again if that was not intended.';

/** A whole page; `body` is HTML the caller built from escaped parts. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Qonto + NestJS example</title><style>${STYLE}</style></head>
<body>
${APP_HEADER}
${body}
</body>
</html>
`;
}

/** The signed-out home page with the "Connect with Qonto" button. */
export function homePage(o: { notice?: string | undefined; environment: string }): string {
  return page(
    'Home',
    `<h1>Qonto + NestJS example</h1>
${o.notice ? `<p class="note">${escapeHtml(o.notice)}</p>` : ''}
<p>Connect your Qonto business account to see your membership, your organization, its bank accounts and the latest
transactions. Qonto environment: <strong>${escapeHtml(o.environment)}</strong>.</p>
<p><a class="button" href="/auth/qonto">Connect with Qonto</a></p>`,
  );
}

function money(amount: number | undefined, currency: string | undefined, side?: string): string {
  if (amount === undefined) return '';
  return `${side === 'debit' ? '-' : ''}${amount.toFixed(2)} ${currency ?? ''}`.trim();
}

function table(className: string, headings: string[], rows: string[][]): string {
  const head = headings.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n');
  return `<table class="${className}"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

const cell = (value: unknown, className?: string) =>
  `<td${className ? ` class="${className}"` : ''}>${escapeHtml(value)}</td>`;

function bankAccounts(accounts: QontoBankAccount[]): string {
  if (accounts.length === 0) return '<p class="note">No bank account.</p>';
  return table(
    'bank-accounts',
    ['Account', 'IBAN', 'Balance', 'Status'],
    accounts.map((a) => [
      cell(`${a.name ?? ''}${a.main ? ' (main)' : ''}`),
      cell(a.iban),
      cell(money(a.balance, a.currency), 'amount'),
      cell(a.status),
    ]),
  );
}

function transactions(view: AccountView['transactions']): string {
  if ('unavailable' in view) return `<p class="note">${escapeHtml(view.unavailable)}</p>`;
  if (view.rows.length === 0) return '<p class="note">No transaction yet.</p>';
  return table(
    'transactions',
    ['Date', 'Label', 'Amount', 'Status', 'Labels', 'Receipt'],
    view.rows.map((t: TransactionRow) => [
      cell((t.settled_at ?? t.emitted_at ?? '').slice(0, 10)),
      cell(t.label),
      cell(money(t.amount, t.currency, t.side), 'amount'),
      cell(t.status),
      cell((t.labels ?? []).map((l) => l.name).join(', '), 'labels'),
      `<td>${receiptLink(t)}</td>`,
    ]),
  );
}

/** A link to the transaction's first attachment (Qonto's temporary URL: valid 30 minutes, no token needed). */
function receiptLink(t: TransactionRow): string {
  const attachment = t.attachments?.find((a) => /^https?:\/\//.test(a.url ?? ''));
  if (!attachment) return '';
  return `<a class="receipt" href="${escapeHtml(attachment.url)}">${escapeHtml(attachment.file_name ?? 'receipt')}</a>`;
}

/** `/me`: the member, the organization, its bank accounts, the latest transactions, and the two actions. */
export function accountPage(
  view: AccountView,
  o: { expiresAt: number; notice?: string | undefined },
): string {
  const { member, organization } = view;
  const name = [member.first_name, member.last_name].filter(Boolean).join(' ') || member.email || member.id;
  return page(
    'Your Qonto account',
    `<h1>Connected to Qonto</h1>
${o.notice ? `<p class="note">${escapeHtml(o.notice)}</p>` : ''}
<h2>Member</h2>
<p><strong class="member">${escapeHtml(name)}</strong>${member.email ? ` · ${escapeHtml(member.email)}` : ''}${
      member.role ? ` · ${escapeHtml(member.role)}` : ''
    }</p>
<h2>Organization</h2>
<p><strong class="organization">${escapeHtml(organization.legal_name ?? organization.slug ?? organization.id)}</strong></p>
<h2>Bank accounts</h2>
${bankAccounts(view.bankAccounts)}
<h2>Latest transactions${view.mainAccount?.name ? ` of ${escapeHtml(view.mainAccount.name)}` : ''}</h2>
${transactions(view.transactions)}
<p>Access token valid until <time>${escapeHtml(new Date(o.expiresAt).toISOString())}</time>.</p>
<form method="post" action="/refresh"><button class="button secondary" type="submit">Refresh tokens</button></form>
<form method="post" action="/disconnect"><button class="button" type="submit">Disconnect</button></form>`,
  );
}

/**
 * The consent was declined on Qonto: what the person reads, in their words (core's message, a hint for developers,
 * stays in the server log), and "Connect with Qonto" to try again. Nothing was saved.
 */
export function declinedPage(): string {
  return page(
    'Connection declined',
    `<h1>Connection declined</h1>
<p class="note">${escapeHtml(DECLINED_MESSAGE)}</p>
<p>Nothing was saved. <a class="button" href="/auth/qonto">Connect with Qonto</a> <a href="/">Home</a></p>`,
  );
}

/** The readable error page: a title, core's message (what happened, the likely cause, the fix), never a stack. */
export function errorPage(o: {
  status: number;
  title: string;
  message: string;
  code?: string | undefined;
}): string {
  return page(
    o.title,
    `<h1>${escapeHtml(o.title)}</h1>
<div class="error">
<p class="message">${escapeHtml(o.message)}</p>
${o.code ? `<p>Error code: <code>${escapeHtml(o.code)}</code> (HTTP ${o.status})</p>` : `<p>HTTP ${o.status}</p>`}
</div>
<p><a class="button" href="/auth/qonto">Connect with Qonto</a> <a href="/">Home</a></p>`,
  );
}
