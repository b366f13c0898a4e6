import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/app/_components/auth-card';
import { currentAdmin } from '@/lib/auth/require-admin';
import { returnPathOrHome, safeReturnPath } from '@/lib/auth/return-path';
import { getDb } from '@/lib/db';
import { countAdmins } from '@/lib/db/queries/admins';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  if ((await countAdmins(await getDb())) === 0) redirect('/setup');
  const { next } = await searchParams;
  if (await currentAdmin()) redirect(returnPathOrHome(next));
  return (
    <AuthCard title="Sign in" description="Administrators of this console only.">
      <SignInForm next={safeReturnPath(next) ?? undefined} />
    </AuthCard>
  );
}
