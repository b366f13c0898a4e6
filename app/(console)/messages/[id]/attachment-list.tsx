import type { AttachmentInfo } from '@/lib/db/queries/messages';
import { downloadFilename } from '@/lib/messages/download-headers';
import { visibleText } from '@/lib/format/visible-text';
import { formatSize } from '@/lib/messages/format-size';
import { attachmentUrl } from '@/lib/messages/urls';

export function AttachmentList({ messageId, attachments }: { messageId: number; attachments: AttachmentInfo[] }) {
  return (
    <section aria-labelledby="attachments" className="space-y-2">
      <h2 id="attachments" className="text-lg font-semibold text-slate-900">
        Attachments
      </h2>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
        {attachments.map((attachment) => {
          const name = downloadFilename(attachment, `attachment-${attachment.id}`);
          return (
            <li key={attachment.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
              <a
                href={attachmentUrl(messageId, attachment.id)}
                download={name}
                className="font-medium break-all text-brand-700 hover:underline"
              >
                {name}
              </a>
              <span className="text-slate-500">
                {visibleText(attachment.contentType)} · {formatSize(attachment.size)}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
