import 'next-auth';

declare module 'next-auth' {
  /** The public session of this app (see the `session` callback in auth.ts): no token in it. */
  interface Session {
    /** The legal name of the organization the member connected. */
    organizationName?: string | null;
    /**
     * `'RefreshTokenError'` once Qonto refused the refresh token (connect again); `'RefreshTransientError'` when
     * the last refresh failed for a reason that may pass (see `refreshProblem`).
     */
    error?: string;
    /** Why the last automatic refresh failed, when it may pass (`network`, `timeout`, `staging_gate`…). */
    refreshProblem?: string;
  }
}
