import type { NextConfig } from 'next';

/**
 * The sample's Next.js config. Every Qonto setting is read at request time (see src/lib/qonto-config.ts), so
 * `next build` needs no credentials and no network.
 */
const nextConfig: NextConfig = {
  // The sample only answers on its own origin; no Next.js banner in responses.
  poweredByHeader: false,
  // Turbopack roots itself at the lockfile, the monorepo's root: say so, to silence the inference warning.
  turbopack: { root: new URL('../..', import.meta.url).pathname },
};

export default nextConfig;
