import type { Session } from 'next-auth';
import { auth, REFRESH_NOW, unstable_update } from '@/auth';
import { withAuthRequestContext } from './auth-request-context';
import type { QontoSessionToken } from './session-token';

/** The public session and, server-side only, the token behind it (the access token to call Qonto with). */
export interface QontoSessionRead {
  session: Session | null;
  token: QontoSessionToken | undefined;
}

/**
 * For Server Components: reads the session. Any due refresh already ran in proxy.ts, which also handed this
 * request the rotated cookie, so nothing is rotated (and lost) here.
 */
export async function readQontoSession(): Promise<QontoSessionRead> {
  const [session, context] = await withAuthRequestContext(() => auth());
  return { session, token: session === null ? undefined : context.token };
}

/**
 * For server actions: runs the session through `unstable_update`, which writes the session cookie, so a rotation
 * made here is kept. `refreshNow` rotates the tokens whether or not they are due.
 */
export async function updateQontoSession(o: { refreshNow?: boolean } = {}): Promise<QontoSessionRead> {
  // The payload reaches the `jwt` callback as `session` (trigger "update"); Auth.js types it as a Session.
  const data = (o.refreshNow ? REFRESH_NOW : {}) as Partial<Session>;
  const [session, context] = await withAuthRequestContext(() => unstable_update(data));
  return { session, token: session === null ? undefined : context.token };
}
