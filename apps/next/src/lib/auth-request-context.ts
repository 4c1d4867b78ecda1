import { AsyncLocalStorage } from 'node:async_hooks';
import type { QontoSessionToken } from './session-token';

/**
 * What Auth.js's callbacks and logger learn during one call into Auth.js, for the code that made the call.
 * Auth.js hands the app only the public session (and a redirect to `?error=Configuration`); the tokens the `jwt`
 * callback produced and the real cause of a failed sign-in stay server-side, in this slot.
 */
export interface AuthRequestContext {
  /** The token the `jwt` callback returned: the access token to call Qonto with, after any rotation. */
  token?: QontoSessionToken;
  /** Why the sign-in failed, as a short code (`staging_gate`, `invalid_client`, `access_denied`…). */
  signInFailure?: string;
}

const storage = new AsyncLocalStorage<AuthRequestContext>();

/** Runs `call` (a call into Auth.js) and returns its result with what the callbacks recorded meanwhile. */
export async function withAuthRequestContext<T>(call: () => Promise<T>): Promise<[T, AuthRequestContext]> {
  const context: AuthRequestContext = {};
  const result = await storage.run(context, call);
  return [result, context];
}

/** The slot of the call in progress, if any (none in Auth.js calls the app did not wrap, e.g. proxy.ts). */
export function currentAuthRequestContext(): AuthRequestContext | undefined {
  return storage.getStore();
}
