import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/app/_components/auth-card';
import { announceSetupToken, setupTokenRequired } from '@/lib/auth/setup-token';
import { getEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db';
import { countAdmins } from '@/lib/db/queries/admins';
import { SetupForm } from './setup-form';

export const metadata: Metadata = { title: 'Set up' };

export default async function SetupPage() {
  const db = await getDb();
  if ((await countAdmins(db)) > 0) redirect('/sign-in');
  // Printed at start too; again here when the database was not reachable then.
  await announceSetupToken(db, getEnv().AUTH_SECRET);
  return (
    <AuthCard
      title="Welcome to Mailgate 365"
      description="Create the first administrator. This page closes for good once it is done."
    >
      <SetupForm askForToken={setupTokenRequired()} />
    </AuthCard>
  );
}
