import Link from 'next/link';
import { knownAuthjsError, knownFailure, signInHint } from '@/lib/sign-in-hints';
import { ConnectButton } from '../../connect-button';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Auth.js's `error` and `signIn` page. `error` is Auth.js's code (`Configuration` for any token-endpoint failure,
 * `OAuthCallbackError` when Qonto sent an error back); `failure` is the cause the app's route handler caught
 * (`staging_gate`, `invalid_client`, `access_denied`…). Without either, it is the plain sign-in page.
 */
export default async function SignInErrorPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const error = single(params.error);
  const failure = single(params.failure);
  if (error === undefined && failure === undefined) {
    return (
      <main>
        <h1>Sign in</h1>
        <ConnectButton />
      </main>
    );
  }
  const { title, hint } = signInHint(error, failure);
  return (
    <main>
      <h1>Connecting Qonto did not work</h1>
      <div className="error" role="alert">
        <h2 data-testid="hint-title">{title}</h2>
        <p data-testid="hint">{hint}</p>
      </div>
      <p>
        {/* Only codes the app knows: this page's query string is anybody's to write. */}
        Auth.js error: <code>{knownAuthjsError(error) ?? 'other'}</code>
        {knownFailure(failure) !== undefined ? (
          <>
            {' '}
            · cause: <code>{knownFailure(failure)}</code>
          </>
        ) : null}
      </p>
      <ConnectButton label="Try again" />
      <p>
        <Link href="/">Back to the home page</Link>
      </p>
    </main>
  );
}
