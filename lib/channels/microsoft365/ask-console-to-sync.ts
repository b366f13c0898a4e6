import 'server-only';
import { z } from 'zod';

const answerSchema = z.object({
  durationMs: z.number(),
  accounts: z.array(
    z.object({
      accountId: z.string(),
      address: z.string(),
      fetched: z.number(),
      bytes: z.number(),
      durationMs: z.number(),
      outcome: z.enum(['success', 'partial', 'failed']),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export type ConsoleSyncAnswer = z.infer<typeof answerSchema>;

/**
 * In embedded mode only the console may open the database, so `npm run sync` asks it to run the pass: the
 * console's own sync route, with the cron secret both read from the data folder.
 */
export async function askConsoleToSync(
  consoleUrl: string,
  cronSecret: string,
  accountIds: string[] = [],
): Promise<ConsoleSyncAnswer> {
  const url = new URL('/api/cron/sync', consoleUrl);
  for (const id of accountIds) url.searchParams.append('account', id);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${cronSecret}` } });
  } catch {
    throw new Error(
      `The console at ${consoleUrl} holds the embedded database but did not answer; wait until it has started, or stop it and run npm run sync again.`,
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const reason = z.object({ error: z.string() }).safeParse(body);
    throw new Error(
      `The console at ${consoleUrl} refused to sync (HTTP ${response.status}${reason.success ? `: ${reason.data.error}` : ''}).`,
    );
  }
  const answer = answerSchema.safeParse(body);
  if (!answer.success)
    throw new Error(`The console at ${consoleUrl} answered with something that is not a sync report.`);
  return answer.data;
}
