'use client';
import Link from 'next/link';
import { useEffect } from 'react';
import { PageHeader } from '@/app/_components/page-header';

/** An unexpected failure while rendering a console page: the details are in the server log, not here. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    document.title = 'Something went wrong · Mailgate 365';
  }, []);
  return (
    <>
      <PageHeader
        title="Something went wrong"
        description="This page could not be shown. Nothing was changed by the attempt; the server log has the details."
      />
      <div className="flex flex-wrap items-center gap-4 text-sm">
        <button
          type="button"
          onClick={reset}
          className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white shadow-sm hover:bg-brand-700"
        >
          Try again
        </button>
        <Link href="/channels/microsoft365" className="font-medium text-brand-700 hover:underline">
          Back to Microsoft 365
        </Link>
        {error.digest ? <span className="text-slate-600">Reference for the log: {error.digest}</span> : null}
      </div>
    </>
  );
}
