/**
 * The mailboxes the Graph rows read with application access. RBAC for Applications scopes the bench app to exactly
 * these (bench/environment.ts), so each must be listed before the stand-in starts.
 */
export const GRAPH_ADDRESS = 'graph-bench@contoso.test';
export const GRAPH_SHAPED_ADDRESS = 'graph-shaped@contoso.test';
/** The most mailboxes the Graph delivery row subscribes to (the full bench's count). */
export const GRAPH_PUSH_MAX = 100;

/** The delivery row's mailboxes, `graph-push0000@contoso.test` onwards. */
export function graphPushAddresses(count: number): string[] {
  if (count > GRAPH_PUSH_MAX) throw new Error(`bench: at most ${GRAPH_PUSH_MAX} Graph push mailboxes, not ${count}`);
  return Array.from({ length: count }, (_, i) => `graph-push${String(i).padStart(4, '0')}@contoso.test`);
}

export const GRAPH_MAILBOXES = [GRAPH_ADDRESS, GRAPH_SHAPED_ADDRESS, ...graphPushAddresses(GRAPH_PUSH_MAX)];
