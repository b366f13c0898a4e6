import 'server-only';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * In embedded mode a secret the admin did not set is generated once into the data folder (0600) and reused,
 * so `npm run dev` works with no set-up and sessions and sealed tokens survive restarts.
 */
export function embeddedSecret(dataDir: string, name: string, generate: () => string): string {
  const file = path.join(dataDir, 'secrets', `${name.toLowerCase()}`);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = generate();
  try {
    // 'wx' so two processes starting at once cannot overwrite each other's key.
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  chmodSync(file, 0o600);
  return value;
}
