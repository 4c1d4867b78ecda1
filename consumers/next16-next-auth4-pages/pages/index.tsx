import type { GetServerSideProps } from 'next';
import { getServerSession } from 'next-auth';
import { authOptions } from './api/auth/[...nextauth]';

interface Props {
  name: string | null;
  organization: string | null;
}

export const getServerSideProps: GetServerSideProps<Props> = async ({ req, res }) => {
  const session = await getServerSession(req, res, authOptions);
  const organization = (session as { organization?: string } | null)?.organization;
  return { props: { name: session?.user?.name ?? null, organization: organization ?? null } };
};

export default function Home({ name, organization }: Props) {
  if (name === null) return <a href="/api/auth/signin">Connect with Qonto</a>;
  return (
    <main>
      Hello {name}, connected to {organization}
    </main>
  );
}
