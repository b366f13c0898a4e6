/**
 * The reference: isync's mbsync pulling the same mailbox from the same Dovecot into an empty local Maildir, with
 * LOGIN on the bench-only password, from an mbsyncrc generated in a temp folder (never the user's ~/.mbsyncrc).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_PASSWORD } from './environment';
import { run } from './processes';

export interface MbsyncRun {
  ms: number;
  peakRssMb?: number;
  cpuSeconds?: number;
}

export async function runMbsync(port: number, user: string, options: { fsync: boolean }): Promise<MbsyncRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mg-mbsync-'));
  try {
    const maildir = join(dir, 'mail');
    await mkdir(maildir);
    const rc = join(dir, 'mbsyncrc');
    await writeFile(
      rc,
      [
        ...(options.fsync ? [] : ['FSync no', '']),
        'IMAPAccount bench',
        'Host 127.0.0.1',
        `Port ${port}`,
        `User ${user}`,
        `Pass ${BENCH_PASSWORD}`,
        'SSLType None',
        'AuthMechs LOGIN',
        '',
        'IMAPStore remote',
        'Account bench',
        '',
        'MaildirStore local',
        `Path ${maildir}/`,
        `Inbox ${maildir}/INBOX`,
        '',
        'Channel bench',
        'Far :remote:',
        'Near :local:',
        'Patterns INBOX',
        'Sync Pull',
        'Create Near',
        `SyncState ${dir}/state/`,
        '',
      ].join('\n'),
    );
    await mkdir(join(dir, 'state'));
    const result = await run('mbsync', ['-c', rc, '-q', 'bench'], { measureRss: true, timeoutMs: 30 * 60_000 });
    return { ms: result.ms, peakRssMb: result.peakRssMb, cpuSeconds: result.cpuSeconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
