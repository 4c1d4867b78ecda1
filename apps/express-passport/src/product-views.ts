import type { QontoConnection } from '@qonto-oauth/core';
import { DEMO_ACCOUNTS } from './demo-accounts.js';
import { escapeHtml, layout, type TransactionRow } from './views.js';

/** Who is signed in to the product (one of the demo accounts), as every product page shows it. */
export interface ProductUser {
  id: string;
  displayName: string;
}

function sessionNav(user: ProductUser): string {
  return `<nav class="session">Signed in as <strong class="user">${escapeHtml(user.displayName)}</strong>
<a href="/settings">Settings</a>
<form method="post" action="/logout"><button class="button secondary" type="submit">Sign out</button></form></nav>`;
}

function noticeBlock(notice: string | undefined): string {
  return notice ? `<p class="note" role="status">${escapeHtml(notice)}</p>` : '';
}

/** The product's own login, with the demo accounts and their passwords printed (they exist only to try the app). */
export function loginPage(o: { error?: string | undefined; username?: string | undefined } = {}): string {
  const accounts = DEMO_ACCOUNTS.map(
    (a) =>
      `<tr><td>${escapeHtml(a.displayName)}</td><td><code>${escapeHtml(a.username)}</code></td><td><code>${escapeHtml(a.password)}</code></td></tr>`,
  ).join('\n');
  return layout(
    'Sign in',
    `<h1>Sign in to the demo product</h1>
${o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : ''}
<form method="post" action="/login" style="display:block">
<label>Username <input name="username" autocomplete="username" value="${escapeHtml(o.username ?? '')}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button class="button" type="submit">Sign in</button>
</form>
<h2>Demo accounts</h2>
<p>This app has its own users; Qonto organizations are connected to them afterwards, in Settings.</p>
<table><thead><tr><th>Name</th><th>Username</th><th>Password</th></tr></thead><tbody>${accounts}</tbody></table>
<p><a href="/">Home</a></p>`,
  );
}

const HEALTH_TEXT: Record<QontoConnection['health'], string> = {
  active: 'Connected',
  reconnect_soon: 'Reconnect soon',
  reconnect_required: 'Reconnection required',
  revoked: 'Access revoked at Qonto',
};

function day(epochMs: number | undefined): string {
  return epochMs === undefined ? '' : new Date(epochMs).toISOString().slice(0, 10);
}

function memberName(c: QontoConnection): string {
  const { firstName, lastName, email, id } = c.membership;
  return [firstName, lastName].filter(Boolean).join(' ') || email || id;
}

/** The organization's name as the settings page and the sync page show it. */
export function organizationName(c: Pick<QontoConnection, 'organization'>): string {
  return c.organization.legalName ?? c.organization.slug ?? c.organization.id;
}

function connectionRow(c: QontoConnection): string {
  const org = escapeHtml(c.organizationId);
  const usable = c.health === 'active' || c.health === 'reconnect_soon';
  const detail =
    c.health === 'reconnect_soon'
      ? ` by <time>${escapeHtml(day(c.reconnectBy))}</time>`
      : c.health === 'active' && c.reconnectBy !== undefined
        ? `<br><small>until <time>${escapeHtml(day(c.reconnectBy))}</time></small>`
        : '';
  const actions = [
    usable ? `<a class="button secondary" href="/organizations/${org}/transactions">Transactions</a>` : '',
    c.health === 'active'
      ? ''
      : `<a class="button" href="/settings/qonto/connect?organization=${org}">Reconnect</a>`,
    `<form method="post" action="/settings/qonto/disconnect"><input type="hidden" name="organization" value="${org}">` +
      `<button class="button secondary" type="submit">Disconnect</button></form>`,
  ].filter(Boolean);
  return `<tr data-organization-id="${org}"><td><strong class="organization">${escapeHtml(organizationName(c))}</strong></td>
<td>${escapeHtml(memberName(c))}${c.membership.role ? ` · ${escapeHtml(c.membership.role)}` : ''}</td>
<td><span class="status ${escapeHtml(c.health)}">${escapeHtml(HEALTH_TEXT[c.health])}</span>${detail}</td>
<td><div class="actions">${actions.join('\n')}</div></td></tr>`;
}

/** Settings: the signed-in user's Qonto organizations, each with its state and actions, and "Connect". */
export function settingsPage(o: {
  user: ProductUser;
  connections: QontoConnection[];
  notice?: string | undefined;
}): string {
  const list =
    o.connections.length === 0
      ? '<p class="note">No Qonto organization is connected yet.</p>'
      : `<table class="connections"><thead><tr><th>Organization</th><th>Connected as</th><th>State</th><th></th></tr></thead>
<tbody>${o.connections.map(connectionRow).join('\n')}</tbody></table>`;
  return layout(
    'Settings',
    `${sessionNav(o.user)}
<h1>Settings</h1>
${noticeBlock(o.notice)}
<h2>Qonto organizations</h2>
${list}
<p><a class="button" href="/settings/qonto/connect">Connect a Qonto organization</a></p>
<p><small>Qonto asks you to pick one of your organizations; connect again to add another.</small></p>`,
  );
}

/** What one sync read: every transaction of the main account, page after page. */
export interface SyncResult {
  accountName: string;
  count: number;
  /** The sums of credits and debits, in the account's currency. */
  credits: number;
  debits: number;
  currency: string;
  /** The newest ones, as shown. */
  latest: TransactionRow[];
  syncedAt: number;
}

/** One organization's transactions, synced through `paginate`. */
export function transactionsPage(o: {
  user: ProductUser;
  connection: QontoConnection;
  sync: SyncResult;
}): string {
  const { sync } = o;
  const rows = sync.latest
    .map(
      (
        t,
      ) => `<tr><td>${escapeHtml((t.settled_at ?? t.emitted_at ?? '').slice(0, 10))}</td><td>${escapeHtml(t.label)}</td>
<td class="amount">${escapeHtml(`${t.side === 'debit' ? '-' : ''}${(t.amount ?? 0).toFixed(2)} ${t.currency ?? ''}`)}</td></tr>`,
    )
    .join('\n');
  return layout(
    'Transactions',
    `${sessionNav(o.user)}
<h1>${escapeHtml(organizationName(o.connection))}</h1>
<p class="note sync-summary">Synced <strong class="count">${sync.count}</strong> transactions of
${escapeHtml(sync.accountName)} at <time>${escapeHtml(new Date(sync.syncedAt).toISOString())}</time>:
credits ${escapeHtml(sync.credits.toFixed(2))} ${escapeHtml(sync.currency)}, debits
${escapeHtml(sync.debits.toFixed(2))} ${escapeHtml(sync.currency)}.</p>
<h2>Latest ${sync.latest.length}</h2>
<table class="transactions"><thead><tr><th>Date</th><th>Label</th><th>Amount</th></tr></thead><tbody>${rows}</tbody></table>
<p><a href="/settings">Back to settings</a></p>`,
  );
}
