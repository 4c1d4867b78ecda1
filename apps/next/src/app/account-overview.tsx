import type { AccountOverview, QontoTransactionRow } from '@/lib/qonto-account';

function money(amount: number | undefined, currency: string | undefined, side?: string): string {
  if (amount === undefined) return '';
  return `${side === 'debit' ? '-' : ''}${amount.toFixed(2)} ${currency ?? ''}`.trim();
}

function transactionDate(t: QontoTransactionRow): string {
  return (t.settled_at ?? t.emitted_at ?? '').slice(0, 10);
}

/** The member, the organization, its bank accounts and the latest transactions, as Qonto returned them. */
export function AccountOverviewView({ overview }: { overview: AccountOverview }) {
  const { member, organization, bankAccounts, transactionsAccount, transactions } = overview;
  const memberName =
    [member.first_name, member.last_name].filter(Boolean).join(' ') || member.email || member.id;
  return (
    <>
      <h2>Member</h2>
      <p>
        <strong>{memberName}</strong>
        {member.email ? ` · ${member.email}` : ''}
        {member.role ? ` · ${member.role}` : ''}
      </p>

      <h2>Organization</h2>
      <p>
        <strong data-testid="legal-name">
          {organization.legal_name ?? organization.slug ?? organization.id}
        </strong>
        {organization.legal_country ? ` · ${organization.legal_country}` : ''}
      </p>

      <h2>Bank accounts</h2>
      {bankAccounts.note ? <p className="note">{bankAccounts.note}</p> : null}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>IBAN</th>
            <th>Status</th>
            <th className="amount">Balance</th>
          </tr>
        </thead>
        <tbody>
          {bankAccounts.rows.map((account) => (
            <tr key={account.id ?? account.iban ?? account.slug}>
              <td>
                {account.name}
                {account.main ? ' (main)' : ''}
              </td>
              <td>{account.iban}</td>
              <td>{account.status}</td>
              <td className="amount">{money(account.balance, account.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Latest transactions{transactionsAccount?.name ? ` · ${transactionsAccount.name}` : ''}</h2>
      {transactions.note ? <p className="note">{transactions.note}</p> : null}
      {transactions.rows.length > 0 ? (
        <table data-testid="transactions">
          <thead>
            <tr>
              <th>Date</th>
              <th>Label</th>
              <th>Status</th>
              <th className="amount">Amount</th>
              <th>Labels</th>
              <th>Receipt</th>
            </tr>
          </thead>
          <tbody>
            {transactions.rows.map((t) => {
              const receipt = t.attachments?.find((a) => /^https?:\/\//.test(a.url ?? ''));
              return (
                <tr key={t.id ?? t.transaction_id}>
                  <td>{transactionDate(t)}</td>
                  <td>{t.label}</td>
                  <td>{t.status}</td>
                  <td className="amount">{money(t.amount, t.currency, t.side)}</td>
                  <td className="labels">{(t.labels ?? []).map((l) => l.name).join(', ')}</td>
                  <td>
                    {receipt ? (
                      <a className="receipt" href={receipt.url}>
                        {receipt.file_name ?? 'receipt'}
                      </a>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : transactions.note ? null : (
        <p>No transactions yet.</p>
      )}
    </>
  );
}
