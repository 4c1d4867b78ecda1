// The README's error page, on the Pages Router.
import { useRouter } from 'next/router';

const CANCELLED = new Set(['OAuthCallbackError', 'Callback']);

export default function AuthErrorPage() {
  const { query } = useRouter();
  const error = typeof query.error === 'string' ? query.error : undefined;
  return (
    <main>
      <h1>Connecting Qonto did not work</h1>
      <p>
        {error !== undefined && CANCELLED.has(error)
          ? 'The connection was cancelled on Qonto. You can try again.'
          : 'Qonto could not be reached or refused this app. The details are in the server log.'}
      </p>
      <a href="/api/auth/signin">Try again</a>
    </main>
  );
}

export const getServerSideProps = async () => ({ props: {} });
