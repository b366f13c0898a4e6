import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/app/_components/auth-card';
import { getDb } from '@/lib/db';
import { countAdmins } from '@/lib/db/queries/admins';
import { SetupForm } from './setup-form';

export const metadata: Metadata = { title: 'Set up' };

export default async function SetupPage() {
  if ((await countAdmins(await getDb())) > 0) redirect('/sign-in');
  return (
    <AuthCard
      title="Welcome to Mailgate 365"
      description="Create the first administrator. This page closes for good once it is done."
    >
      <SetupForm />
    </AuthCard>
  );
}
