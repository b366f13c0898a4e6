import { CopyButton } from '@/app/_components/copy-button';
import { adviceParts } from '@/lib/format/advice';

/** Catalog advice: sentences as text, each command as a code block of its own with a copy button. */
export function AdviceText({ text, className = '' }: { text: string | undefined | null; className?: string }) {
  if (!text) return null;
  return (
    <div className={`space-y-2 ${className}`}>
      {adviceParts(text).map((part, index) =>
        part.kind === 'text' ? (
          <p key={index}>{part.text}</p>
        ) : (
          <div key={index} className="flex items-start gap-2" data-command>
            <pre className="min-w-0 flex-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs whitespace-pre-wrap text-slate-50">
              <code>{part.text}</code>
            </pre>
            <CopyButton value={part.text} label="Copy" />
          </div>
        ),
      )}
    </div>
  );
}
