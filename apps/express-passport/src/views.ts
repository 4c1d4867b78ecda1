import type { QontoBankAccount, QontoMembership, QontoOrganization } from '@qonto-oauth/core';

/** Escapes text for HTML content and attribute values: everything shown comes from Qonto or from an error. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Names this sample app on every page, as the README and `pnpm demo` call it. */
const APP_HEADER = `<header class="app-name"><strong>example-express-passport</strong> · Express 5 + Passport</header>`;

/** What a person who declined the consent reads (the wording of apps/next's error page). */
export const DECLINED_MESSAGE =
  'You declined the consent on Qonto, so this app has no access to your account. Connect again if that was not intended.';

/** A whole page: the shared head and style, the app's name, then `body` (already escaped HTML). */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Qonto + Passport example</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
  .button { display: inline-block; padding: .6rem 1.1rem; border-radius: .5rem; background: #1d1d1f; color: #fff;
    text-decoration: none; border: 0; font: inherit; cursor: pointer; }
  .button.secondary { background: #e5e5ea; color: #1d1d1f; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e5e5ea; }
  td.amount { text-align: right; font-variant-numeric: tabular-nums; }
  .note { background: #f5f5f7; padding: .75rem 1rem; border-radius: .5rem; }
  .error { background: #fff1f0; border: 1px solid #ffccc7; padding: 1rem; border-radius: .5rem; }
  form { display: inline; }
  .app-name { color: #6e6e73; font-size: .875rem; margin-bottom: 1rem; }
  nav.session { display: flex; gap: 1rem; align-items: center; justify-content: flex-end; font-size: .9rem; }
  .status { display: inline-block; padding: .1rem .5rem; border-radius: 1rem; font-size: .85rem; background: #e8f5e9; }
  .status.reconnect_soon { background: #fff8e1; } .status.reconnect_required, .status.revoked { background: #fff1f0; }
  label { display: block; margin: .5rem 0; } input { font: inherit; padding: .3rem .5rem; }
  .actions { display: flex; flex-wrap: wrap; gap: .4rem; }
</style>
</head>
<body>
${APP_HEADER}
${body}
</body>
</html>
`;
}

/** The signed-out home page: the product's "Sign in", and "Connect with Qonto" to sign in with Qonto itself. */
export function homePage(o: { notice?: string | undefined; environmentLabel: string }): string {
  const notice = o.notice ? `<p class="note">${escapeHtml(o.notice)}</p>` : '';
  return layout(
    'Home',
    `<h1>Qonto + Passport example</h1>
${notice}
<p>Environment: <strong>${escapeHtml(o.environmentLabel)}</strong>.</p>
<h2>The product</h2>
<p>Sign in with one of the app's own demo accounts, then connect one or more Qonto organizations in Settings, sync
their transactions, and see a revocation in Qonto arrive by webhook.</p>
<p><a class="button" href="/login">Sign in</a></p>
<h2>Sign in with Qonto</h2>
<p>Or let the Qonto membership be the login: see your membership, your organization, its bank accounts and the
latest transactions.</p>
<p><a class="button secondary" href="/auth/qonto">Connect with Qonto</a></p>`,
  );
}

/** One row of `GET /v2/transactions` (Qonto's snake_case fields; only the ones shown are read). */
export interface TransactionRow {
  transaction_id?: string;
  id?: string;
  label?: string;
  amount?: number;
  /** The amount in cents (Qonto sends both). */
  amount_cents?: number;
  currency?: string;
  side?: string;
  settled_at?: string | null;
  emitted_at?: string;
  status?: string;
  /** Embedded with `includes[]=labels`. */
  labels?: { name?: string }[];
  /** Embedded with `includes[]=attachments`; each `url` is a download link valid 30 minutes. */
  attachments?: { file_name?: string; url?: string }[];
}

/** What the account page shows; `transactions` is a note instead of rows while the endpoint is unavailable. */
export interface AccountView {
  member: QontoMembership;
  organization: QontoOrganization;
  mainAccount: QontoBankAccount | undefined;
  transactions: { rows: TransactionRow[] } | { unavailable: string };
  expiresAt: number;
}

function money(amount: number | undefined, currency: string | undefined, side?: string): string {
  if (amount === undefined) return '';
  const sign = side === 'debit' ? '-' : '';
  return `${sign}${amount.toFixed(2)} ${currency ?? ''}`.trim();
}

function accountsTable(accounts: QontoBankAccount[]): string {
  if (accounts.length === 0) return '<p class="note">No bank account.</p>';
  const rows = accounts
    .map(
      (a) => `<tr><td>${escapeHtml(a.name)}${a.main ? ' (main)' : ''}</td><td>${escapeHtml(a.iban)}</td>
<td class="amount">${escapeHtml(money(a.balance, a.currency))}</td><td>${escapeHtml(a.status)}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>Account</th><th>IBAN</th><th>Balance</th><th>Status</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** A link to the transaction's first attachment (Qonto's temporary URL: valid 30 minutes, no token needed). */
function receiptLink(t: TransactionRow): string {
  const attachment = t.attachments?.find(
    (a) => a.url?.startsWith('https://') || a.url?.startsWith('http://'),
  );
  if (!attachment) return '';
  return `<a class="receipt" href="${escapeHtml(attachment.url)}">${escapeHtml(attachment.file_name ?? 'receipt')}</a>`;
}

function transactionsBlock(transactions: AccountView['transactions']): string {
  if ('unavailable' in transactions) return `<p class="note">${escapeHtml(transactions.unavailable)}</p>`;
  if (transactions.rows.length === 0) return '<p class="note">No transaction yet.</p>';
  const rows = transactions.rows
    .map(
      (
        t,
      ) => `<tr><td>${escapeHtml((t.settled_at ?? t.emitted_at ?? '').slice(0, 10))}</td><td>${escapeHtml(t.label)}</td>
<td class="amount">${escapeHtml(money(t.amount, t.currency, t.side))}</td><td>${escapeHtml(t.status)}</td>
<td class="labels">${escapeHtml((t.labels ?? []).map((l) => l.name).join(', '))}</td><td>${receiptLink(t)}</td></tr>`,
    )
    .join('\n');
  return `<table class="transactions"><thead><tr><th>Date</th><th>Label</th><th>Amount</th><th>Status</th><th>Labels</th><th>Receipt</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The signed-in page: member, organization, bank accounts, latest transactions, and the two actions. */
export function accountPage(view: AccountView): string {
  const { member, organization } = view;
  const memberName =
    [member.first_name, member.last_name].filter(Boolean).join(' ') || member.email || member.id;
  return layout(
    'Your Qonto account',
    `<h1>Connected to Qonto</h1>
<h2>Member</h2>
<p><strong class="member">${escapeHtml(memberName)}</strong>${member.email ? ` · ${escapeHtml(member.email)}` : ''}${
      member.role ? ` · ${escapeHtml(member.role)}` : ''
    }</p>
<h2>Organization</h2>
<p><strong class="organization">${escapeHtml(organization.legal_name ?? organization.slug ?? organization.id)}</strong></p>
<h2>Bank accounts</h2>
${accountsTable(organization.bank_accounts ?? [])}
<h2>Latest transactions${view.mainAccount ? ` of ${escapeHtml(view.mainAccount.name ?? 'the main account')}` : ''}</h2>
${transactionsBlock(view.transactions)}
<p>Access token valid until <time>${escapeHtml(new Date(view.expiresAt).toISOString())}</time>.</p>
<form method="post" action="/refresh"><button class="button secondary" type="submit">Refresh tokens</button></form>
<form method="post" action="/disconnect"><button class="button" type="submit">Disconnect</button></form>`,
  );
}

/**
 * A sign-in that ended without a connection (consent denied, state check failed): nothing was saved, and
 * "Connect with Qonto" starts again.
 */
export function notConnectedPage(o: {
  title: string;
  message: string;
  /** Where to go from here (default: "Connect with Qonto" again, and Home). */
  startAgain?: { href: string; label: string };
}): string {
  const links = o.startAgain
    ? `<a class="button" href="${escapeHtml(o.startAgain.href)}">${escapeHtml(o.startAgain.label)}</a>`
    : '<a class="button" href="/auth/qonto">Connect with Qonto</a> <a href="/">Home</a>';
  return layout(
    o.title,
    `<h1>${escapeHtml(o.title)}</h1>
<p class="note">${escapeHtml(o.message)}</p>
<p>Nothing was saved. ${links}</p>`,
  );
}

/** The readable error page: core's message (what happened, the likely cause, the fix), never a stack. */
export function errorPage(o: {
  title: string;
  message: string;
  code?: string | undefined;
  hint?: string | undefined;
}): string {
  return layout(
    o.title,
    `<h1>${escapeHtml(o.title)}</h1>
<div class="error">
<p class="message">${escapeHtml(o.message)}</p>
${o.hint ? `<p class="hint">${escapeHtml(o.hint)}</p>` : ''}
${o.code ? `<p>Error code: <code>${escapeHtml(o.code)}</code></p>` : ''}
</div>
<p><a href="/">Home</a></p>`,
  );
}
