import Link from 'next/link';
import { INPUT_CLASS as INPUT } from '@/app/_components/form-field';
import type { MessageAccountOption, MessageFilters as Filters } from '@/lib/db/queries/messages';
import { hasActiveFilters } from '@/lib/messages/list-params';

/** The folders worth offering: those of the chosen account (or all), plus the one in the URL. */
function folderOptions(accounts: MessageAccountOption[], filters: Filters): string[] {
  const scope = filters.accountId ? accounts.filter((account) => account.id === filters.accountId) : accounts;
  const folders = new Set(scope.flatMap((account) => account.folders));
  if (filters.folder) folders.add(filters.folder);
  return [...folders].sort((a, b) => a.localeCompare(b));
}

function Check({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  return (
    <label className="inline-flex items-center gap-2 text-sm text-slate-700">
      <input
        type="checkbox"
        name={name}
        value="1"
        defaultChecked={checked}
        className="h-4 w-4 rounded border-slate-500"
      />
      {label}
    </label>
  );
}

/** A GET form: every search is a URL that can be bookmarked or shared with another admin. */
export function MessageFilters({ accounts, filters }: { accounts: MessageAccountOption[]; filters: Filters }) {
  return (
    <form
      action="/messages"
      method="get"
      role="search"
      aria-label="Messages"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr]">
        <div className="space-y-1">
          <label htmlFor="q" className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={filters.search ?? ''}
            maxLength={200}
            aria-describedby="q-hint"
            className={INPUT}
          />
          <p id="q-hint" className="text-xs text-slate-600">
            Words in subject, sender or text; “a phrase” in quotes; -word to leave out.
          </p>
        </div>
        <div className="space-y-1">
          <label htmlFor="account" className="block text-sm font-medium text-slate-800">
            Account
          </label>
          <select id="account" name="account" defaultValue={filters.accountId ?? ''} className={INPUT}>
            <option value="">All accounts</option>
            {accounts.map((account) => (
              <option key={account.id} value={account.id}>
                {account.emailAddress}
                {account.removed ? ' (removed)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor="folder" className="block text-sm font-medium text-slate-800">
            Folder
          </label>
          <select id="folder" name="folder" defaultValue={filters.folder ?? ''} className={INPUT}>
            <option value="">All folders</option>
            {folderOptions(accounts, filters).map((folder) => (
              <option key={folder} value={folder}>
                {folder}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
        <Check name="attachments" label="Has attachments" checked={Boolean(filters.hasAttachments)} />
        <Check name="errors" label="Parse error" checked={Boolean(filters.parseError)} />
        <Check name="skipped" label="Skipped (oversize)" checked={Boolean(filters.skipped)} />
        <div className="ml-auto flex items-center gap-3">
          {hasActiveFilters(filters) ? (
            <Link href="/messages" className="text-sm font-medium text-brand-700 hover:underline">
              Clear
            </Link>
          ) : null}
          <button
            type="submit"
            className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700"
          >
            Search
          </button>
        </div>
      </div>
    </form>
  );
}
