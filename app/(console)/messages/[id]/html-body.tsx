import Link from 'next/link';
import { BODY_SANDBOX } from '@/lib/messages/body-document';
import { messageBodyUrl, messagePageUrl } from '@/lib/messages/urls';

/**
 * The HTML body in a sandbox: no allow-scripts and no allow-same-origin (its origin is opaque, it cannot reach the
 * console), popups only so its links open in a new tab. The route sends the CSP that blocks remote images.
 */
export function HtmlBody({ messageId, remoteImages }: { messageId: number; remoteImages: boolean }) {
  return (
    <section aria-labelledby="html-body" className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="html-body" className="text-lg font-semibold text-slate-900">
          Message
        </h2>
        <p className="text-sm text-slate-600">
          {remoteImages
            ? 'Remote images are shown. '
            : 'Remote images are blocked (they can tell the sender the message was read). '}
          <Link
            href={remoteImages ? messagePageUrl(messageId) : `${messagePageUrl(messageId)}?remote=1`}
            className="font-medium text-brand-700 hover:underline"
            scroll={false}
          >
            {remoteImages ? 'Block remote images' : 'Load remote images'}
          </Link>
        </p>
      </div>
      <iframe
        key={remoteImages ? 'remote' : 'local'}
        title="Message body"
        src={messageBodyUrl(messageId, { remote: remoteImages })}
        sandbox={BODY_SANDBOX}
        referrerPolicy="no-referrer"
        className="h-[70vh] w-full rounded-lg border border-slate-200 bg-white"
      />
    </section>
  );
}
