import { isQontoError, QontoApiError } from '@qonto-oauth/core';
import { problemNotice } from '@/lib/notices';
import { type AccountOverview, loadAccountOverview } from '@/lib/qonto-account';
import { qontoConfigFor } from '@/lib/qonto-config';
import { readQontoSession } from '@/lib/qonto-session';
import { AccountOverviewView } from './account-overview';
import { disconnect, refreshTokens, signOutOfApp } from './actions';
import { ConnectButton } from './connect-button';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Home: "Connect with Qonto" when signed out; the member's organization, accounts and transactions when in. */
export default async function Home({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const app = qontoConfigFor();
  const { session, token } = await readQontoSession();
  const notices = [
    single(params.disconnected) === '1'
      ? 'Disconnected: the consent was revoked at Qonto, and you are signed out.'
      : undefined,
    single(params.refreshed) === '1'
      ? 'Tokens refreshed: Qonto issued a new access token and refresh token.'
      : undefined,
    problemNotice(single(params.problem)),
    session?.refreshProblem ? problemNotice(session.refreshProblem) : undefined,
  ].filter((n): n is string => n !== undefined);

  return (
    <main>
      <h1>Qonto + Auth.js example</h1>
      {notices.map((n) => (
        <p className="note" key={n}>
          {n}
        </p>
      ))}
      {app.ok ? (
        <p>
          Qonto: <strong>{app.label}</strong>
        </p>
      ) : (
        <div className="error">
          <h2>The Qonto configuration is incomplete</h2>
          <pre>{app.error.message}</pre>
        </div>
      )}
      {session === null || token === undefined ? (
        <SignedOut />
      ) : session.error === 'RefreshTokenError' || token.access_token === undefined ? (
        <Reconnect />
      ) : (
        <SignedIn
          overview={
            app.ok
              ? await overviewOrProblem(() => loadAccountOverview(app.qonto, token.access_token ?? ''))
              : undefined
          }
          expiresAt={token.expires_at}
        />
      )}
    </main>
  );
}

function SignedOut() {
  return (
    <>
      <p>
        Connect your Qonto business account to see your membership, your organization, its bank accounts and
        the latest transactions.
      </p>
      <ConnectButton />
    </>
  );
}

function Reconnect() {
  return (
    <>
      <p className="error">
        Qonto no longer accepts this connection (the consent was revoked, or the refresh token expired).
        Connect again to continue.
      </p>
      <ConnectButton label="Connect with Qonto again" />
      <form action={signOutOfApp}>
        <button type="submit" className="secondary">
          Sign out
        </button>
      </form>
    </>
  );
}

type OverviewResult = { overview: AccountOverview } | { problem: string };

async function overviewOrProblem(load: () => Promise<AccountOverview>): Promise<OverviewResult> {
  try {
    return { overview: await load() };
  } catch (error) {
    if (error instanceof QontoApiError && error.status === 401) {
      return {
        problem:
          'Qonto refused the access token (expired or revoked). Refresh the tokens; if that fails, connect again.',
      };
    }
    // Core's messages say what happened and how to fix it, and never hold a secret; others stay in the log.
    if (isQontoError(error)) return { problem: error.message };
    console.error(error);
    return { problem: 'Loading your Qonto data failed unexpectedly; the server log has the details.' };
  }
}

function SignedIn({
  overview,
  expiresAt,
}: {
  overview: OverviewResult | undefined;
  expiresAt: number | undefined;
}) {
  return (
    <>
      <div>
        <form action={refreshTokens}>
          <button type="submit">Refresh tokens</button>
        </form>
        <form action={disconnect}>
          <button type="submit" className="secondary">
            Disconnect
          </button>
        </form>
        <form action={signOutOfApp}>
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      </div>
      {expiresAt !== undefined ? (
        <p>
          Access token valid until{' '}
          <time dateTime={new Date(expiresAt * 1000).toISOString()}>
            {new Date(expiresAt * 1000).toISOString()}
          </time>
          .
        </p>
      ) : null}
      {overview === undefined ? null : 'problem' in overview ? (
        <p className="error" data-testid="api-problem">
          {overview.problem}
        </p>
      ) : (
        <AccountOverviewView overview={overview.overview} />
      )}
    </>
  );
}
