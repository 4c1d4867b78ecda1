/**
 * The Better Auth client plugin of `@qonto-oauth/better-auth`: {@link qontoClient}.
 *
 * @module @qonto-oauth/better-auth/client
 */
import type { BetterAuthClientPlugin } from 'better-auth/client';
import type { qonto } from './plugin.js';

/**
 * The client side of {@link qonto}: `authClient.qonto.accounts()` lists the signed-in user's Qonto accounts with
 * their organizations, `authClient.qonto.disconnect({ accountId })` revokes one at Qonto and removes it. Sign-in
 * needs no client plugin: `authClient.signIn.social({ provider: 'qonto' })`.
 *
 * @example
 * export const authClient = createAuthClient({ plugins: [qontoClient()] });
 */
export function qontoClient() {
  return {
    id: 'qonto',
    $InferServerPlugin: {} as ReturnType<typeof qonto>,
  } satisfies BetterAuthClientPlugin;
}
