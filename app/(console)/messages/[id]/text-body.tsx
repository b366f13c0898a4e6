/** The plain-text body; folded away when the HTML version is shown above it. */
export function TextBody({ text, collapsed }: { text: string; collapsed: boolean }) {
  const body = (
    <pre className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4 font-mono text-sm whitespace-pre-wrap text-slate-900">
      {text}
    </pre>
  );
  if (!collapsed) {
    return (
      <section aria-labelledby="text-body" className="space-y-2">
        <h2 id="text-body" className="text-lg font-semibold text-slate-900">
          Message
        </h2>
        {body}
      </section>
    );
  }
  return (
    <details className="space-y-2">
      <summary className="cursor-pointer text-sm font-medium text-brand-700">Plain-text version</summary>
      {body}
    </details>
  );
}
