/** Small labels next to a subject; words, not only icons, so they read the same to everyone. */
export function MessageMarkers({
  hasAttachments,
  parseError,
  skipped,
}: {
  hasAttachments: boolean;
  parseError: boolean;
  skipped: boolean;
}) {
  if (!hasAttachments && !parseError && !skipped) return null;
  return (
    <span className="ml-2 inline-flex flex-wrap gap-1 align-middle">
      {hasAttachments ? (
        <Marker tone="bg-slate-100 text-slate-700" marker="attachment">
          Attachment
        </Marker>
      ) : null}
      {parseError ? (
        <Marker tone="bg-red-50 text-red-800" marker="parse-error">
          Parse error
        </Marker>
      ) : null}
      {skipped ? (
        <Marker tone="bg-amber-50 text-amber-800" marker="skipped">
          Skipped
        </Marker>
      ) : null}
    </span>
  );
}

function Marker({ tone, marker, children }: { tone: string; marker: string; children: React.ReactNode }) {
  return (
    <span data-marker={marker} className={`rounded px-1.5 py-0.5 text-xs font-medium ${tone}`}>
      {children}
    </span>
  );
}
