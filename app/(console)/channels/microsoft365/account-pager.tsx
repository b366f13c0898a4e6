import Link from 'next/link';

const LINK = 'font-medium text-brand-700 hover:underline';

/** Page links under the mailbox list; nothing when every mailbox fits on one page. */
export function AccountPager({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const href = (n: number) => (n === 1 ? '/channels/microsoft365' : `/channels/microsoft365?page=${n}`);
  const first = Math.min(total, (page - 1) * pageSize + 1);
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Mailbox pages" className="flex items-center justify-between text-sm text-slate-600">
      <span>
        {first.toLocaleString('en')}–{last.toLocaleString('en')} of {total.toLocaleString('en')} mailboxes
      </span>
      <span className="flex gap-4">
        {page > 1 ? (
          <Link className={LINK} href={href(page - 1)} rel="prev">
            ← Previous
          </Link>
        ) : null}
        {page < pages ? (
          <Link className={LINK} href={href(page + 1)} rel="next">
            Next →
          </Link>
        ) : null}
      </span>
    </nav>
  );
}
