// The README's error page.
const CANCELLED = new Set(['OAuthCallbackError', 'Callback']);

export default async function AuthErrorPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
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
