import 'server-only';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * PGlite has no locking of its own: two processes opening one data folder each see only their own writes, and
 * whichever closes last overwrites the other's. So exactly one process may open it, and the others learn who.
 *
 * The lock is proper-lockfile's directory next to the data folder (`pglite.lock`), its mtime refreshed while held:
 * a holder that died without releasing it stops refreshing and the lock is free after STALE_MS. A holder on this
 * machine whose pid is gone frees it at once. Beside it, `pglite.holder.json` says who holds it (pid, and the
 * console's URL when the holder is the console) so a second process can say what to do instead.
 */
const STALE_MS = 30_000;

export interface EmbeddedHolder {
  pid: number;
  since: string;
  /** Set by the console once it serves: `npm run sync` asks it to sync instead of opening the folder itself. */
  consoleUrl?: string;
}

export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError';
  constructor(
    readonly folder: string,
    readonly holder: EmbeddedHolder | null,
  ) {
    super(busySentence(folder, holder));
  }
}

/** The one sentence a second opener stops with. */
export function busySentence(folder: string, holder: EmbeddedHolder | null): string {
  const who = holder?.consoleUrl
    ? `the console at ${holder.consoleUrl} (process ${holder.pid})`
    : holder
      ? `process ${holder.pid}`
      : 'another process';
  return (
    `The embedded database ${path.relative(process.cwd(), folder) || folder} is in use by ${who}, and only one ` +
    'process may open it: stop that one first, or use `npm run sync` (which asks a running console to sync), ' +
    'or set DATABASE_URL to a PostgreSQL database to run the console and sync workers side by side.'
  );
}

const holderFile = (folder: string) => `${folder}.holder.json`;
const lockDir = (folder: string) => `${folder}.lock`;

export function readEmbeddedHolder(folder: string): EmbeddedHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(holderFile(folder), 'utf8')) as Partial<EmbeddedHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.since !== 'string') return null;
    return {
      pid: parsed.pid,
      since: parsed.since,
      ...(typeof parsed.consoleUrl === 'string' ? { consoleUrl: parsed.consoleUrl } : {}),
    };
  } catch {
    return null;
  }
}

/** Who holds the folder now, or null when nobody does (never locked, released, or its holder is gone). */
export async function currentEmbeddedHolder(folder: string): Promise<EmbeddedHolder | null> {
  const locked = await lockfile.check(folder, { stale: STALE_MS, realpath: false });
  if (!locked) return null;
  const holder = readEmbeddedHolder(folder);
  return holder && holderIsGone(holder) ? null : holder;
}

/**
 * Takes the folder for this process, or throws EmbeddedDatabaseBusyError. The returned function releases it
 * (process exit releases it too). `onLost` runs if the lock is taken from this process (it stalled for longer
 * than STALE_MS): the caller must stop using the database.
 */
export async function lockEmbeddedDatabase(
  folder: string,
  onLost: (error: Error) => void,
): Promise<() => Promise<void>> {
  const options = { stale: STALE_MS, realpath: false, retries: 0, onCompromised: onLost };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(folder, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = readEmbeddedHolder(folder);
    if (!holder || !holderIsGone(holder)) throw new EmbeddedDatabaseBusyError(folder, holder);
    // Its holder was killed: age the lock so proper-lockfile's own stale path takes it over.
    utimesSync(lockDir(folder), new Date(0), new Date(0));
    try {
      release = await lockfile.lock(folder, options);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code !== 'ELOCKED') throw retryError;
      throw new EmbeddedDatabaseBusyError(folder, readEmbeddedHolder(folder));
    }
  }
  writeHolder(folder, { pid: process.pid, since: new Date().toISOString() });
  return async () => {
    rmSync(holderFile(folder), { force: true });
    await release().catch(() => undefined);
  };
}

/** The console says where it serves, once it knows its own URL. */
export function announceConsoleUrl(folder: string, consoleUrl: string): void {
  const holder = readEmbeddedHolder(folder);
  if (holder?.pid === process.pid) writeHolder(folder, { ...holder, consoleUrl });
}

function writeHolder(folder: string, holder: EmbeddedHolder): void {
  writeFileSync(holderFile(folder), `${JSON.stringify(holder)}\n`, { mode: 0o600 });
}

/** A pid that no longer runs; our own pid written by an earlier life of this process (a container restart). */
function holderIsGone(holder: EmbeddedHolder): boolean {
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
