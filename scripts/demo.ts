/**
 * `npm run demo`: the console and the Microsoft 365 stand-in, wired together, with the demo app saved. The console
 * runs on PORT (default 3000) with its own embedded database in DATA_DIR (default ./.data/demo, emptied at every
 * start, since the stand-in's mailboxes and sign-ins are new each time). `next dev` by default; DEMO_SERVER=start
 * serves the production build (`npm run build` first). Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_APP, startDemoStandIn } from '@/test/harness/demo-world';

const MARKER = '.mailgate-demo';

/** Empties the demo's data folder, but never one it did not make (DATA_DIR may point at real data by mistake). */
function freshDataDir(dataDir: string): void {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0 && !existsSync(path.join(dataDir, MARKER))) {
    throw new Error(`${dataDir} is not a demo folder (it has no ${MARKER}): set DATA_DIR to an empty or new folder.`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, MARKER), 'Made by npm run demo, which empties this folder at every start.\n');
}

async function main(): Promise<void> {
  const port = process.env.PORT || '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) throw new Error(`PORT must be a port number, got "${port}".`);
  const consoleUrl = (process.env.APP_BASE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const dataDir = path.resolve(process.env.DATA_DIR || '.data/demo');
  const server = process.env.DEMO_SERVER === 'start' ? 'start' : 'dev';
  freshDataDir(dataDir);

  const demo = await startDemoStandIn({ consoleUrl });
  const { DATABASE_URL: _postgres, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...demo.harness.env,
    DATA_DIR: dataDir,
    PORT: port,
    APP_BASE_URL: consoleUrl,
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: server === 'start' ? 'production' : 'development',
  };
  try {
    await saveDemoApp(env);
  } catch (error) {
    await demo.harness.stop();
    throw error;
  }

  const console_ = spawn(process.execPath, [require.resolve('next/dist/bin/next'), server, '-p', port], {
    env,
    stdio: 'inherit',
  });
  process.stderr.write(
    `\nMailgate 365 demo: the console starts at ${consoleUrl}, wired to a stand-in of Microsoft 365 on this machine.\n` +
      `Its data is in ${path.relative(process.cwd(), dataDir) || dataDir} and starts empty each time.\n` +
      '1. Open the console and create the administrator.\n' +
      `2. On the Microsoft 365 page the demo app is already saved (client ID ${DEMO_APP.clientId}): click Add account.\n` +
      `${demo.summary}\nCtrl-C stops the console and the stand-in.\n\n`,
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (console_.exitCode === null && console_.signalCode === null) {
      console_.kill('SIGTERM');
      await new Promise((resolve) => console_.once('exit', resolve));
    }
    await demo.harness.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  console_.on('exit', (code) => void stop(code ?? 1));
}

/** The demo app, saved the way the form saves it (Microsoft's check included), before the console opens the database. */
async function saveDemoApp(env: NodeJS.ProcessEnv): Promise<void> {
  Object.assign(process.env, env);
  const [{ getDb, closeDatabase }, { saveAppCredentials }] = await Promise.all([
    import('@/lib/db'),
    import('@/lib/channels/microsoft365/app-credentials'),
  ]);
  try {
    const result = await saveAppCredentials(
      await getDb(),
      { ...DEMO_APP, clientSecret: DEMO_APP.clientSecret, cloud: 'global', secretExpiresOn: null },
      { id: null, email: 'npm run demo' },
    );
    if (!result.ok) throw new Error(`the demo app was refused: ${result.error.field}: ${result.error.message}`);
  } finally {
    await closeDatabase();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`The demo did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
