import type { Metadata } from 'next';
import type { ReactNode } from 'react';

/** The page title and description of every page. */
export const metadata: Metadata = {
  title: 'Qonto + Auth.js example',
  description:
    'Connect with Qonto from a Next.js App Router app, with Auth.js v5 and @qonto-oauth/next-auth.',
};

// System fonts only: next/font/google would fetch fonts at build time, and builds here are offline.
const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1b; }
button { padding: .6rem 1.1rem; border-radius: .5rem; background: #1d1d1b; color: #fff; border: 0; font: inherit; cursor: pointer; }
button.secondary { background: #e5e5ea; color: #1d1d1b; }
form { display: inline-block; margin: 0 .5rem .5rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e5e5ea; }
td.amount { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #f5f5f7; padding: .75rem 1rem; border-radius: .5rem; }
.error { background: #fff1f0; border: 1px solid #ffccc7; padding: 1rem; border-radius: .5rem; }
code { background: #f5f5f7; padding: 0 .25rem; border-radius: .25rem; }
`;

/** The HTML shell: system fonts and a few inline styles, nothing fetched. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <style>{STYLE}</style>
      </head>
      <body>{children}</body>
    </html>
  );
}
