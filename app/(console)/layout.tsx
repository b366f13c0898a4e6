import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { countAccountsNeedingAttention } from '@/lib/db/queries/mail-accounts';
import { ConsoleNav } from './_components/console-nav';
import { signOutAction } from './actions';

// Everything in the console depends on the signed-in admin and live data.
export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdmin();
  const needingAttention = await countAccountsNeedingAttention(await getDb());
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <aside className="border-b border-slate-200 bg-white md:w-60 md:shrink-0 md:border-r md:border-b-0">
        <div className="flex h-full flex-col gap-6 p-4">
          <p className="px-2 text-sm font-semibold tracking-wide text-brand-700">Mailgate 365</p>
          <ConsoleNav badges={{ '/channels/microsoft365': needingAttention }} />
          <div className="mt-auto border-t border-slate-200 px-2 pt-4 text-sm">
            <p className="truncate text-slate-600" title={admin.email}>
              {admin.name || admin.email}
            </p>
            <form action={signOutAction}>
              <button type="submit" className="mt-1 font-medium text-brand-700 hover:underline">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </aside>
      <main id="main" className="flex-1 px-4 py-8 md:px-10">
        <div className="mx-auto max-w-5xl">{children}</div>
      </main>
    </div>
  );
}
