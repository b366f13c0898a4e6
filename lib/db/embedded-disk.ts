import 'server-only';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, VERCEL_NEEDS_DATABASE_URL } from '@/lib/config/deployment-env';

const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * The embedded database and its generated keys live in DATA_DIR, so it must be writable. On Vercel (and any
 * read-only or ephemeral disk) it is not: mkdir fails with EROFS, and without this check every request became a
 * 500 with a stack trace. Stops instead with one line saying what to set.
 */
export function assertWritableDataDir(dataDir: string): void {
  if (process.env.VERCEL) throw new ConfigError(VERCEL_NEEDS_DATABASE_URL);
  const folder = path.resolve(dataDir);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!READ_ONLY.has(code)) throw error;
    throw new ConfigError(
      `Invalid configuration: set DATABASE_URL, or DATA_DIR to a writable folder: the embedded database cannot write to ${folder} (${code})`,
    );
  }
}
