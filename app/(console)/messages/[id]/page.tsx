import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/app/_components/page-header';
import { currentAdmin, requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { findMessage, findMessageSubject, listAttachments } from '@/lib/db/queries/messages';
import { visibleText } from '@/lib/format/visible-text';
import { parseRecordId } from '@/lib/messages/record-id';
import { messageSourceUrl } from '@/lib/messages/urls';
import { AttachmentList } from './attachment-list';
import { HtmlBody } from './html-body';
import { MessageHeaders } from './message-headers';
import { MessageProblems } from './message-problems';
import { TextBody } from './text-body';

/** The tab names the message by its subject. */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const id = parseRecordId((await params).id);
  const message = id === null || !(await currentAdmin()) ? undefined : await findMessageSubject(await getDb(), id);
  return { title: message ? (message.subject ? visibleText(message.subject) : '(no subject)') : 'Message' };
}

export default async function MessagePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ remote?: string | string[] }>;
}) {
  await requireAdmin();
  const [{ id: rawId }, { remote }] = await Promise.all([params, searchParams]);
  const id = parseRecordId(rawId);
  if (id === null) notFound();
  const db = await getDb();
  const [message, parts] = await Promise.all([findMessage(db, id), listAttachments(db, id)]);
  if (!message) notFound();
  const files = parts.filter((part) => !part.inline);

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/messages" className="text-brand-700 hover:underline">
          Messages
        </Link>{' '}
        /
      </p>
      <PageHeader
        title={message.subject ? visibleText(message.subject) : '(no subject)'}
        actions={
          message.sourceSize !== null ? (
            <a
              href={messageSourceUrl(id)}
              download
              className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50"
            >
              Download original (.eml)
            </a>
          ) : null
        }
      />
      <div className="space-y-6">
        <MessageProblems message={message} />
        <MessageHeaders message={message} />
        {files.length > 0 ? <AttachmentList messageId={id} attachments={files} /> : null}
        {message.hasHtml ? <HtmlBody messageId={id} remoteImages={remote === '1'} /> : null}
        {message.text ? <TextBody text={message.text} collapsed={message.hasHtml} /> : null}
        {!message.hasHtml && !message.text && !message.skippedReason ? (
          <p className="text-sm text-slate-500">This message has no text.</p>
        ) : null}
      </div>
    </>
  );
}
