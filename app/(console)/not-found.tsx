import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/app/_components/page-header';

export const metadata: Metadata = { title: 'Page not found' };

/** A record that does not exist (a removed mailbox, a mistyped link) or an address no page answers. */
export default function ConsoleNotFound() {
  return (
    <>
      <PageHeader
        title="Page not found"
        description="There is nothing at this address: the link may be mistyped, or what it pointed to was removed."
      />
      <p className="text-sm">
        <Link href="/channels/microsoft365" className="font-medium text-brand-700 hover:underline">
          Back to Microsoft 365
        </Link>{' '}
        <span className="text-slate-600">or pick a page from the menu.</span>
      </p>
    </>
  );
}
