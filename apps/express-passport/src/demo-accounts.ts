import { timingSafeEqual } from 'node:crypto';

/** A person who signs in to the sample product with its own login (not with Qonto). */
export interface DemoAccount {
  /** The app's user id: the key of this person's Qonto connections. */
  id: string;
  /** What the person types as username. */
  username: string;
  /** Fixed and shown on the login page: these accounts exist only to try the app. */
  password: string;
  displayName: string;
}

/**
 * The product's two demo accounts. A real app has its own users table and hashed passwords; here the passwords are
 * public, printed on the login page, because the point is what happens after signing in.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = Object.freeze([
  { id: 'demo-alice', username: 'alice', password: 'alice-demo', displayName: 'Alice Moreau' },
  { id: 'demo-bob', username: 'bob', password: 'bob-demo', displayName: 'Bob Girard' },
]);

/** The account with this id, if any (what a session names). */
export function demoAccountById(id: unknown): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.id === id);
}

/** The account these credentials open, compared in constant time, or `undefined`. */
export function checkDemoCredentials(username: string, password: string): DemoAccount | undefined {
  const account = DEMO_ACCOUNTS.find((a) => a.username === username.trim().toLowerCase());
  const expected = Buffer.from(account?.password ?? '');
  const given = Buffer.from(password);
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  return account !== undefined && same ? account : undefined;
}
