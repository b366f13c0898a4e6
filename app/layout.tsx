import type { Metadata } from 'next';
import { connection } from 'next/server';
import { LiveRegion } from '@/app/_components/live-region';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Mailgate 365', template: '%s · Mailgate 365' },
  description: 'Connect Microsoft 365 mailboxes and sync their mail into Postgres.',
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Rendered per request, never prerendered: only then can Next put proxy.ts's script nonce on its scripts
  // (a static page, such as the 404, would otherwise have every script blocked).
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <a
          href="#main"
          className="sr-only rounded-md bg-white px-4 py-2 font-semibold text-brand-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
        >
          Skip to main content
        </a>
        {children}
        <LiveRegion />
      </body>
    </html>
  );
}
