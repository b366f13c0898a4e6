import { describe, expect, it } from 'vitest';
import type { ImapConnection } from '@/lib/mail/imap';
import { applyAfterFetch } from '@/lib/sync/after-fetch';
import { boundedUidSets, MAX_UID_SET_CHARS } from '@/lib/sync/uid-sets';

/** The UIDs a set names: `1:3,7` → [1, 2, 3, 7]. */
function expand(set: string): number[] {
  return set.split(',').flatMap((part) => {
    const [from, to = from] = part.split(':').map(Number) as [number, number?];
    return Array.from({ length: to! - from + 1 }, (_, i) => from + i);
  });
}

/** 20,000 UIDs in runs of 1–40 with gaps of 1–5: what a big mailbox with kept-back messages looks like. */
function scatteredUids(): number[] {
  const uids: number[] = [];
  let uid = 100_000;
  for (let i = 0; uids.length < 20_000; i += 1) {
    const run = 1 + ((i * 7) % 40);
    for (let j = 0; j < run; j += 1) uids.push(uid++);
    uid += 1 + ((i * 3) % 5);
  }
  return uids;
}

/** Records the UID set of every command applyAfterFetch sends. */
function recordingClient(capabilities: string[]) {
  const commands: Array<{ command: string; range: string }> = [];
  const client = {
    capabilities: new Map(capabilities.map((c) => [c, true])),
    messageFlagsAdd: async (range: string, flags: string[]) => {
      commands.push({ command: `STORE +FLAGS ${flags.join(' ')}`, range });
      return true;
    },
    messageDelete: async (range: string) => {
      commands.push({ command: 'DELETE', range });
      return true;
    },
  };
  return { client: client as unknown as ImapConnection, commands };
}

describe('UID sets after fetch', () => {
  it('writes ranges and cuts a long scattered set into bounded pieces that name exactly the UIDs', () => {
    expect(boundedUidSets([9, 1, 2, 3, 4, 5, 7, 10, 11, 12])).toEqual(['1:5,7,9:12']);
    const uids = scatteredUids();
    const sets = boundedUidSets(uids);
    expect(sets.length).toBeGreaterThan(1);
    for (const set of sets) {
      expect(set.length).toBeLessThanOrEqual(MAX_UID_SET_CHARS);
      expect(set).toMatch(/^\d+(?::\d+)?(?:,\d+(?::\d+)?)*$/);
    }
    expect(sets.flatMap(expand)).toEqual(uids);
    // Compact: ranges, not one number per UID.
    expect(sets.join(',').length).toBeLessThan(uids.length * 2);
  });

  it.each([
    ['mark_seen', ['UIDPLUS'], 'STORE +FLAGS \\Seen'],
    ['delete', ['UIDPLUS'], 'DELETE'],
    ['delete', [], 'STORE +FLAGS \\Deleted'],
  ] as const)('%s (%j) sends bounded commands covering every UID once', async (mode, caps, command) => {
    const uids = scatteredUids();
    const { client, commands } = recordingClient([...caps]);
    await applyAfterFetch(client, mode, uids);
    expect(commands.length).toBeGreaterThan(1);
    expect(new Set(commands.map((c) => c.command))).toEqual(new Set([command]));
    for (const { range } of commands) expect(range.length).toBeLessThanOrEqual(MAX_UID_SET_CHARS);
    expect(commands.flatMap((c) => expand(c.range))).toEqual(uids);
  });
});
