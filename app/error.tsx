'use client';
import Link from 'next/link';
import { AuthCard } from '@/app/_components/auth-card';

export default function RootError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <AuthCard title="Something went wrong" description="This page could not be shown; the server log has the details.">
      <div className="flex items-center gap-4 text-sm">
        <button
          type="button"
          onClick={reset}
          className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white shadow-sm hover:bg-brand-700"
        >
          Try again
        </button>
        <Link href="/channels/microsoft365" className="font-medium text-brand-700 hover:underline">
          Go to the console
        </Link>
      </div>
    </AuthCard>
  );
}
