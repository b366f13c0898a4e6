'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const sections = [
  { href: '/channels/microsoft365', label: 'Microsoft 365', group: 'Channels' },
  { href: '/messages', label: 'Messages' },
  { href: '/sync-runs', label: 'Sync runs' },
  { href: '/audit', label: 'Audit log' },
  { href: '/administrators', label: 'Administrators' },
  { href: '/settings', label: 'Settings' },
] as const;

export function ConsoleNav({ badges = {} }: { badges?: Record<string, number> }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Console">
      <ul className="space-y-1 text-sm">
        {sections.map((section) => {
          const active = pathname === section.href || pathname.startsWith(`${section.href}/`);
          const badge = badges[section.href] ?? 0;
          return (
            <li key={section.href}>
              {'group' in section ? (
                <p className="px-2 pt-2 pb-1 text-xs font-semibold text-slate-600 uppercase">{section.group}</p>
              ) : null}
              <Link
                href={section.href}
                aria-current={active ? 'page' : undefined}
                className={`flex items-center justify-between rounded-md px-2 py-1.5 ${active ? 'bg-brand-50 font-semibold text-brand-700' : 'text-slate-700 hover:bg-slate-100'}`}
              >
                {section.label}
                {badge > 0 ? (
                  <span
                    className="rounded-full bg-amber-100 px-2 text-xs font-semibold text-amber-800"
                    aria-label={`${badge} need attention`}
                  >
                    {badge}
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
