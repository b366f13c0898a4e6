import type { Metadata } from 'next';
import { PageHeader } from '@/app/_components/page-header';
import { pendingInvites, INVITE_LIFETIME_HOURS } from '@/lib/admins/invites';
import { currentSessionId } from '@/lib/auth/config';
import { requireAdmin } from '@/lib/auth/require-admin';
import { liveSessions, sessionPolicy } from '@/lib/auth/sessions';
import { twoFactorRequired } from '@/lib/auth/two-factor';
import { countUnusedRecoveryCodes } from '@/lib/db/queries/two-factor';
import { getDb } from '@/lib/db';
import { listAdmins } from '@/lib/db/queries/admins';
import { AdminTable } from './admin-table';
import { ChangePasswordForm } from './change-password-form';
import { InviteForm } from './invite-form';
import { PendingInvites } from './pending-invites';
import { TwoFactorSection } from './two-factor-section';
import { signOutEverywhereAction } from './actions';

export const metadata: Metadata = { title: 'Administrators' };

export default async function AdministratorsPage() {
  const me = await requireAdmin();
  const db = await getDb();
  const policy = sessionPolicy();
  const [admins, sessions, invites, mySession, recoveryCodesLeft] = await Promise.all([
    listAdmins(db),
    liveSessions(db, policy),
    pendingInvites(db),
    currentSessionId(),
    countUnusedRecoveryCodes(db, me.id),
  ]);
  const myRow = admins.find((a) => a.id === me.id);
  return (
    <>
      <PageHeader
        title="Administrators"
        description={`Everyone who can sign in to this console, and where they are signed in. A session ends ${policy.lifetimeSeconds / 3600} hours after sign-in, or after ${policy.idleSeconds / 60} minutes without use (SESSION_LIFETIME_HOURS, SESSION_IDLE_MINUTES).`}
      />
      <div className="space-y-10">
        <AdminTable
          admins={admins.map((a) => ({
            id: a.id,
            name: a.name,
            email: a.email,
            createdAt: a.createdAt.toISOString(),
            lastSignInAt: a.lastSignInAt?.toISOString() ?? null,
            sessions: sessions
              .filter((s) => s.adminId === a.id)
              .map((s) => ({
                id: s.id,
                lastSeenAt: s.lastSeenAt.toISOString(),
                userAgent: s.userAgent,
                current: s.id === mySession,
              })),
          }))}
          me={me.id}
        />
        <section aria-labelledby="invite-heading" className="space-y-4">
          <h2 id="invite-heading" className="text-lg font-semibold text-slate-900">
            Invite an administrator
          </h2>
          <p className="max-w-prose text-sm text-slate-700">
            The link works once, for {INVITE_LIFETIME_HOURS} hours. Whoever opens it chooses their own password; send it
            to that person only.
          </p>
          <InviteForm />
          <PendingInvites
            invites={invites.map((i) => ({ id: i.id, email: i.email, expiresAt: i.expiresAt.toISOString() }))}
          />
        </section>
        <TwoFactorSection
          admin={me}
          enabledAt={myRow?.totpEnabledAt ?? null}
          recoveryCodesLeft={recoveryCodesLeft}
          required={twoFactorRequired()}
        />
        <section aria-labelledby="password-heading" className="space-y-4">
          <h2 id="password-heading" className="text-lg font-semibold text-slate-900">
            Your password
          </h2>
          <ChangePasswordForm />
        </section>
        <section aria-labelledby="everywhere-heading" className="space-y-3">
          <h2 id="everywhere-heading" className="text-lg font-semibold text-slate-900">
            Sign out everywhere
          </h2>
          <p className="max-w-prose text-sm text-slate-700">
            Ends all your sessions, this one included: on a lost laptop or a shared computer too.
          </p>
          <form action={signOutEverywhereAction}>
            <button
              type="submit"
              className="rounded-md border border-red-300 bg-white px-3 py-2 text-sm font-medium text-red-800 hover:bg-red-50"
            >
              Sign out everywhere
            </button>
          </form>
        </section>
      </div>
    </>
  );
}
