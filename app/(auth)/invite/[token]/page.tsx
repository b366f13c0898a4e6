import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/app/_components/auth-card';
import { inviteFromLink } from '@/lib/admins/invites';
import { getDb } from '@/lib/db';
import { AcceptInviteForm } from './accept-invite-form';

export const metadata: Metadata = { title: 'Join as administrator', referrer: 'no-referrer' };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await inviteFromLink(await getDb(), token);
  if (!invite) {
    return (
      <AuthCard title="This invitation cannot be used" description="It was used already, withdrawn, or it expired.">
        <p className="text-sm text-slate-700">
          Ask an administrator of this console for a new link.{' '}
          <Link className="font-medium text-brand-700 underline" href="/sign-in">
            Go to sign-in
          </Link>
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Join as administrator"
      description={`You were invited as ${invite.email}. Choose your password; the link then stops working.`}
    >
      <AcceptInviteForm token={token} />
    </AuthCard>
  );
}
