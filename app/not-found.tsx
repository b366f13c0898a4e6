import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/app/_components/auth-card';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <AuthCard title="Page not found" description="There is nothing at this address.">
      <Link href="/channels/microsoft365" className="font-medium text-brand-700 hover:underline">
        Go to the console
      </Link>
    </AuthCard>
  );
}
