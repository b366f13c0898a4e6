'use client';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { ConsoleNav } from './console-nav';

/**
 * The console's navigation: a column beside the page that stays in view on long pages, and on a narrow screen
 * a bar with a menu button that folds it away (closed again after each navigation).
 */
export function ConsoleSidebar({ badges, footer }: { badges: Record<string, number>; footer: React.ReactNode }) {
  // Open for the page it was opened on: navigating closes it.
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  return (
    <aside className="border-b border-slate-200 bg-white md:sticky md:top-0 md:h-screen md:w-60 md:shrink-0 md:overflow-y-auto md:border-r md:border-b-0">
      <div className="flex h-full flex-col gap-6 p-4">
        <div className="flex items-center justify-between">
          <p className="px-2 text-sm font-semibold tracking-wide text-brand-700">Mailgate 365</p>
          <button
            type="button"
            className="rounded-md border border-slate-500 px-3 py-1.5 text-sm font-medium text-slate-800 md:hidden"
            aria-expanded={open}
            aria-controls="console-menu"
            onClick={() => setOpenOn(open ? null : pathname)}
          >
            {open ? 'Close menu' : 'Menu'}
          </button>
        </div>
        <div id="console-menu" className={`${open ? 'flex' : 'hidden'} flex-1 flex-col gap-6 md:flex`}>
          <ConsoleNav badges={badges} />
          <div className="mt-auto border-t border-slate-200 px-2 pt-4 text-sm">{footer}</div>
        </div>
      </div>
    </aside>
  );
}
