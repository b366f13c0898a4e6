import 'server-only';
import { recordedFolders } from '@/lib/db/queries/folder-state';
import type { ImapEndpoint } from '@/lib/mail/imap';
import { probeFolderStatus, type FolderCounters } from '@/lib/mail/status-probe';
import { logger } from '@/lib/logger';
import { toGrant } from '@/lib/sync/mail-session';
import type { SyncAccount, SyncDeps, SyncTrigger } from '@/lib/sync/types';

/**
 * Most incremental runs find nothing new. Through imapflow that costs about eight round trips (greeting,
 * CAPABILITY, ID, AUTHENTICATE, CAPABILITY/NAMESPACE, STATUS, LOGOUT); on a 40 ms link to Exchange Online that is
 * most of the run (issue 17: at most 4 for an idle mailbox). When the recorded folder states say nothing was left
 * to fetch, one short connection (lib/mail/status-probe.ts) asks STATUS of every folder; if every folder is
 * exactly as recorded, the run is done. Anything else, the probe's "unknown" included, returns false and the
 * run goes the normal way, which decides (and reports) as it always did: the probe only ever skips a session
 * that would have found the same counters and stopped.
 */
export async function nothingNewOnServer(input: {
  deps: SyncDeps;
  account: SyncAccount;
  endpoint: ImapEndpoint;
  trigger: SyncTrigger;
  now(): number;
}): Promise<IdleCheck> {
  const result = await probeIdle(input);
  return typeof result === 'boolean' ? { idle: result } : { idle: false, probed: result };
}

/**
 * Whether the run can stop here; when the probe answered but something changed, the folders' counters it read.
 * The session then starts from them instead of asking STATUS again: one round trip less before the first byte.
 */
export interface IdleCheck {
  idle: boolean;
  probed?: Map<string, FolderCounters>;
}

async function probeIdle(input: {
  deps: SyncDeps;
  account: SyncAccount;
  endpoint: ImapEndpoint;
  trigger: SyncTrigger;
  now(): number;
}): Promise<boolean | Map<string, FolderCounters>> {
  const { deps, account, endpoint } = input;
  // A watch runs a sync because EXISTS said something arrived; the delete mode selects to finish pending deletes.
  if (input.trigger === 'watch' || account.afterFetch === 'delete' || account.folders.length === 0) return false;
  // A Graph mailbox has no IMAP STATUS to ask: its delta link tells what is new.
  if (account.transport === 'graph') return false;
  try {
    const states = await recordedFolders(deps.db, account.id);
    const caughtUp = account.folders.every((folder) => {
      const state = states.find((row) => row.folder === folder);
      if (!state || state.uidNext === null || state.messagesOnServer === null || state.retryPending) return false;
      return caughtUpTo(state.messagesOnServer, state.uidNext, state.lastUid);
    });
    if (!caughtUp) return false;
    const grant = toGrant(await deps.getAccessToken(account));
    // An expired token would only be refused: leave refreshing it to the session, as before.
    if (grant.expiresOn !== null && grant.expiresOn.getTime() <= input.now()) return false;
    const probe = await probeFolderStatus(
      { ...endpoint, user: account.imapUser, accessToken: grant.accessToken },
      account.folders,
    );
    if (probe.kind === 'unknown') {
      logger('sync').debug({ accountId: account.id, reason: probe.reason }, 'status probe inconclusive');
      return false;
    }
    for (const folder of account.folders) {
      const counters = probe.folders.get(folder);
      const state = states.find((row) => row.folder === folder);
      if (!counters || !state) return false;
      if (!caughtUpTo(counters.messages, counters.uidNext, state.lastUid)) return probe.folders;
      // The same test the session makes after its STATUS (lib/sync/sync-folder.ts, `unchangedWatermark`): exact
      // counters, nothing to retry. The rows were read before the probe; the lease keeps them as they were.
      const unchanged =
        state.uidValidity === counters.uidValidity &&
        state.uidNext === (counters.uidNext || null) &&
        state.messagesOnServer === counters.messages;
      if (!unchanged) return probe.folders;
    }
    return true;
  } catch (error) {
    // The normal path meets the same fault (a token, the database) and reports it properly.
    logger('sync').debug({ err: error, accountId: account.id }, 'idle check skipped');
    return false;
  }
}

/** sync-folder's `nothingNew`: an empty folder, or no UID at or above the watermark's next one. */
function caughtUpTo(messages: number, uidNext: number, lastUid: number): boolean {
  return messages === 0 || (uidNext > 0 && uidNext <= lastUid + 1);
}
