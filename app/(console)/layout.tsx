import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { countAccountsNeedingAttention } from '@/lib/db/queries/mail-accounts';
import { ConsoleSidebar } from './_components/console-sidebar';
import { signOutAction } from './actions';

// Everything in the console depends on the signed-in admin and live data.
export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdmin();
  const needingAttention = await countAccountsNeedingAttention(await getDb());
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <ConsoleSidebar
        badges={{ '/channels/microsoft365': needingAttention }}
        footer={
          <>
            <p className="truncate text-slate-700" title={admin.email}>
              {admin.name || admin.email}
            </p>
            <form action={signOutAction}>
              <button type="submit" className="mt-1 font-medium text-brand-700 hover:underline">
                Sign out
              </button>
            </form>
          </>
        }
      />
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-8 focus:outline-none md:px-10">
        <div className="mx-auto max-w-5xl">{children}</div>
      </main>
    </div>
  );
}
