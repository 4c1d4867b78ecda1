import type { QontoBankAccount, QontoMembership, QontoOrganization } from '@qonto-oauth/core';
import type { Child } from 'hono/jsx';

/** One row of `GET /v2/transactions` (Qonto's snake_case fields; only the ones shown are read). */
export interface TransactionRow {
  transaction_id?: string;
  label?: string;
  amount?: number;
  currency?: string;
  side?: string;
  settled_at?: string | null;
  emitted_at?: string;
  status?: string;
}

/** A connected organization in the list of the account page. */
export interface ConnectedOrganization {
  /** Better Auth's id of the `account` row. */
  accountId: string;
  name: string;
}

/** What the account page shows for the selected organization. */
export interface AccountView {
  member: QontoMembership;
  organization: QontoOrganization;
  mainAccount: QontoBankAccount | undefined;
  transactions: TransactionRow[];
  /** When the access token on the `account` row expires (epoch ms), if known. */
  expiresAt: number | undefined;
  /** Every organization connected to this user, the selected one included. */
  connected: ConnectedOrganization[];
  selected: string;
  notice?: string | undefined;
}

/** What a person who declined the consent reads (the wording of the other sample apps). */
export const DECLINED_MESSAGE =
  'You declined the consent on Qonto, so this app has no access to your account. Connect again if that was not intended.';

const STYLE = `
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
  nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
  nav a { padding: .3rem .8rem; border-radius: 1rem; background: #f5f5f7; color: #1d1d1f; text-decoration: none; }
  nav a[aria-current] { background: #1d1d1f; color: #fff; }
  .app-name { color: #6e6e73; font-size: .875rem; margin-bottom: 1rem; }
`;

/** Every page: the app's name on top, then the page. Hono's JSX escapes every text and attribute value. */
function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Qonto + Better Auth example`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header class="app-name">
          <strong>example-better-auth</strong> · Hono + Better Auth + SQLite
        </header>
        {props.children}
      </body>
    </html>
  );
}

/** The form that starts "Connect with Qonto" (a POST: the app asks Better Auth for the authorize URL). */
function ConnectForm(props: { label?: string; action?: string; secondary?: boolean }) {
  return (
    <form method="post" action={props.action ?? '/connect'}>
      <button class={props.secondary ? 'button secondary' : 'button'} type="submit">
        {props.label ?? 'Connect with Qonto'}
      </button>
    </form>
  );
}

/** The home page with "Connect with Qonto". */
export function homePage(o: { notice?: string | undefined; environmentLabel: string }) {
  return (
    <Layout title="Home">
      <h1>Qonto + Better Auth example</h1>
      {o.notice ? <p class="note">{o.notice}</p> : null}
      <p>
        Connect your Qonto business account to see your membership, your organization, its bank accounts and
        the latest transactions. Connect a second organization to the same user afterwards. Environment:{' '}
        <strong>{o.environmentLabel}</strong>.
      </p>
      <p>
        <ConnectForm />
      </p>
    </Layout>
  );
}

function money(amount: number | undefined, currency: string | undefined, side?: string): string {
  if (amount === undefined) return '';
  return `${side === 'debit' ? '-' : ''}${amount.toFixed(2)} ${currency ?? ''}`.trim();
}

function BankAccounts(props: { accounts: QontoBankAccount[] }) {
  if (props.accounts.length === 0) return <p class="note">No bank account.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Account</th>
          <th>IBAN</th>
          <th>Balance</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {props.accounts.map((a) => (
          <tr>
            <td>
              {a.name}
              {a.main ? ' (main)' : ''}
            </td>
            <td>{a.iban}</td>
            <td class="amount">{money(a.balance, a.currency)}</td>
            <td>{a.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Transactions(props: { rows: TransactionRow[] }) {
  if (props.rows.length === 0) return <p class="note">No transaction yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Date</th>
          <th>Label</th>
          <th>Amount</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((t) => (
          <tr>
            <td>{(t.settled_at ?? t.emitted_at ?? '').slice(0, 10)}</td>
            <td>{t.label}</td>
            <td class="amount">{money(t.amount, t.currency, t.side)}</td>
            <td>{t.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The organizations connected to the signed-in user, the selected one marked, and "Connect another organization". */
function ConnectedOrganizations(props: { connected: ConnectedOrganization[]; selected: string }) {
  return (
    <nav aria-label="Connected organizations">
      <ul>
        {props.connected.map((c) => (
          <li>
            <a
              href={`/account?account=${encodeURIComponent(c.accountId)}`}
              aria-current={c.accountId === props.selected ? 'page' : undefined}
            >
              {c.name}
            </a>
          </li>
        ))}
        <li>
          <ConnectForm action="/connect-another" label="Connect another organization" secondary />
        </li>
      </ul>
    </nav>
  );
}

/** A POST form about one connected organization (`/refresh`, `/disconnect`). */
function AccountAction(props: { action: string; accountId: string; label: string; secondary?: boolean }) {
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="accountId" value={props.accountId} />
      <button class={props.secondary ? 'button secondary' : 'button'} type="submit">
        {props.label}
      </button>
    </form>
  );
}

/** The signed-in page: the connected organizations, then the selected one's member, accounts and transactions. */
export function accountPage(view: AccountView) {
  const { member, organization } = view;
  const memberName =
    [member.first_name, member.last_name].filter(Boolean).join(' ') || member.email || member.id;
  return (
    <Layout title="Your Qonto account">
      <h1>Connected to Qonto</h1>
      {view.notice ? <p class="note">{view.notice}</p> : null}
      <ConnectedOrganizations connected={view.connected} selected={view.selected} />
      <h2>Member</h2>
      <p>
        <strong class="member">{memberName}</strong>
        {member.email ? ` · ${member.email}` : ''}
        {member.role ? ` · ${member.role}` : ''}
      </p>
      <h2>Organization</h2>
      <p>
        <strong class="organization">
          {organization.legal_name ?? organization.slug ?? organization.id}
        </strong>
      </p>
      <h2>Bank accounts</h2>
      <BankAccounts accounts={organization.bank_accounts ?? []} />
      <h2>
        Latest transactions{view.mainAccount ? ` of ${view.mainAccount.name ?? 'the main account'}` : ''}
      </h2>
      <Transactions rows={view.transactions} />
      {view.expiresAt === undefined ? null : (
        <p>
          Access token valid until <time>{new Date(view.expiresAt).toISOString()}</time>.
        </p>
      )}
      <AccountAction action="/refresh" accountId={view.selected} label="Refresh tokens" secondary />{' '}
      <AccountAction action="/disconnect" accountId={view.selected} label="Disconnect" />
    </Layout>
  );
}

/**
 * The page of a connected organization whose connection Qonto no longer accepts (consent revoked, 90 days
 * unused): it says so and offers Disconnect, after which "Connect another organization" connects it anew.
 */
export function reconnectPage(o: { connected: ConnectedOrganization[]; selected: string }) {
  const name = o.connected.find((c) => c.accountId === o.selected)?.name ?? 'This organization';
  return (
    <Layout title="Connect this organization again">
      <h1>Connect this organization again</h1>
      <ConnectedOrganizations connected={o.connected} selected={o.selected} />
      <p class="note">
        Qonto no longer accepts the connection to {name}: its consent was revoked, or it went unused for 90
        days. Disconnect it, then connect it again.
      </p>
      <AccountAction action="/disconnect" accountId={o.selected} label="Disconnect" />
    </Layout>
  );
}

/** A connection that did not happen (declined, refused, not verified): nothing was saved. */
export function notConnectedPage(o: { title: string; message: string; code?: string | undefined }) {
  return (
    <Layout title={o.title}>
      <h1>{o.title}</h1>
      <p class="note">{o.message}</p>
      {o.code ? (
        <p>
          Error code: <code>{o.code}</code>
        </p>
      ) : null}
      <p>
        Nothing was saved. <ConnectForm /> <a href="/">Home</a>
      </p>
    </Layout>
  );
}

/** The readable error page: the error's own message (what happened, the likely cause, the fix), never a stack. */
export function errorPage(o: { title: string; message: string; code?: string | undefined }) {
  return (
    <Layout title={o.title}>
      <h1>{o.title}</h1>
      <div class="error">
        <p class="message">{o.message}</p>
        {o.code ? (
          <p>
            Error code: <code>{o.code}</code>
          </p>
        ) : null}
      </div>
      <p>
        <a href="/">Home</a>
      </p>
    </Layout>
  );
}
