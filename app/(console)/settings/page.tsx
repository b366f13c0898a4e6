import type { Metadata } from 'next';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { deploymentSummary } from './deployment-summary';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  await requireAdmin();
  const summary = await deploymentSummary();
  return (
    <>
      <PageHeader
        title="Settings"
        description="How this deployment is configured. Values come from environment variables; secrets are never shown."
      />
      <dl className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
        {summary.map((row) => (
          <div key={row.label} className="grid gap-1 px-4 py-3 sm:grid-cols-3">
            <dt className="font-medium text-slate-700">{row.label}</dt>
            <dd className="sm:col-span-2">
              <span className={row.warning ? 'text-amber-800' : 'text-slate-900'}>{row.value}</span>
              {row.hint ? <p className="mt-0.5 text-xs text-slate-500">{row.hint}</p> : null}
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}
