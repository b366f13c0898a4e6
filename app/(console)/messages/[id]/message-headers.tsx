import type { MessageDetail } from '@/lib/db/queries/messages';
import { formatDateTime } from '@/lib/format/date';
import { visibleText } from '@/lib/format/visible-text';
import { formatSize } from '@/lib/messages/format-size';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 sm:grid-cols-[8rem_1fr]">
      <dt className="text-slate-500">{label}</dt>
      <dd className="break-words text-slate-900">{children}</dd>
    </div>
  );
}

/** The Date header as sent: parsed when readable, otherwise its raw text so the admin sees what was there. */
function sentDate(message: MessageDetail): string {
  if (message.date) return formatDateTime(message.date);
  return message.dateHeader ? `Unreadable: “${visibleText(message.dateHeader)}”` : 'None';
}

export function MessageHeaders({ message }: { message: MessageDetail }) {
  // Every field is the sender's text: controls and bidi overrides are shown, not obeyed.
  const list = (values: string[]) => (values.length > 0 ? visibleText(values.join(', ')) : null);
  return (
    <dl className="space-y-2 rounded-lg border border-slate-200 bg-white p-6 text-sm">
      <Row label="From">{message.fromAddress ? visibleText(message.fromAddress) : '—'}</Row>
      <Row label="To">{list(message.toAddresses) ?? '—'}</Row>
      {message.ccAddresses.length > 0 ? <Row label="Cc">{list(message.ccAddresses)}</Row> : null}
      {message.replyTo.length > 0 ? <Row label="Reply-To">{list(message.replyTo)}</Row> : null}
      <Row label="Date">{sentDate(message)}</Row>
      <Row label="Received">{formatDateTime(message.internalDate)}</Row>
      <Row label="Message-ID">
        <span className="font-mono text-xs">{message.messageId ? visibleText(message.messageId) : '—'}</span>
      </Row>
      <Row label="Mailbox">
        {message.accountAddress ?? '—'} · {visibleText(message.folder)} · UID {message.uid} (UIDVALIDITY{' '}
        {message.uidValidity})
      </Row>
      <Row label="Size">{formatSize(message.size)}</Row>
    </dl>
  );
}
