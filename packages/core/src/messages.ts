/**
 * The wording error messages share: every message says what happened, the likely cause and the fix, and a fix that
 * several errors give is written once here, so it reads the same everywhere (and ships once).
 */

/** Qonto's page on sandbox access and the staging token. */
export const SANDBOX_DOC = 'https://docs.qonto.com/get-started/general/sandbox-access';

/** Where an app's sandbox client id, secret and staging token are shown. */
export const SANDBOX_CREDENTIALS = 'the Developer Portal > your app > Sandbox credentials';

/** "What happened. Likely cause: …. Fix: …" — the shape of every message written for the person on call. */
export function explain(what: string, cause: string, fix: string): string {
  return `${what}. Likely cause: ${cause}. Fix: ${fix}`;
}
