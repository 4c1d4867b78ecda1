import { auth } from '@/auth';

export default async function Home() {
  const session = await auth();
  if (!session?.user) return <a href="/api/auth/signin">Connect with Qonto</a>;
  const { organization } = session as { organization?: string };
  return (
    <main>
      Hello {session.user.name}, connected to {organization}
    </main>
  );
}
