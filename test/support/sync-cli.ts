import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * `npm run sync -- --account <id>` from the compiled CLI in `cliDir` (scripts/build-cli.mjs), with nothing but
 * environment variables pointing it at the harness; `children` tracks it so the test can kill what is left.
 */
export function startSyncCli(options: {
  cliDir: string;
  accountId: string;
  env: Record<string, string>;
  children: Set<ChildProcess>;
}): { child: ChildProcess; exited: Promise<number | null> } {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...options.env,
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? '',
    AUTH_SECRET: process.env.AUTH_SECRET ?? '',
    LOG_LEVEL: 'silent',
  };
  const { children } = options;
  const child = spawn(process.execPath, [path.join(options.cliDir, 'sync.cjs'), '--account', options.accountId], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      if (code !== null && code !== 0) console.warn(`sync CLI exited ${code}: ${output.slice(-2_000)}`);
      resolve(code);
    }),
  );
  return { child, exited };
}
