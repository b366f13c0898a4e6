// Each step starts a real process (tsx, PGlite's migrations): tens of seconds each on a loaded two-core machine.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Real processes, as `npm run dev` and `npm run sync` are: the lock is between processes, not modules.
const dataDir = mkdtempSync(path.join(tmpdir(), 'mg-lock-'));
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _unset, ...rest } = process.env;
  return { ...rest, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SYNC_INTERVAL_MINUTES: '0' };
}

function start(script: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', script, ...args], {
    env: env(),
    cwd: process.cwd(),
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const opened = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = /opened (.*)\n/.exec(stdout);
      if (line?.[1]) resolve(line[1]);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr.trim()}`)));
  });
  opened.catch(() => undefined); // only openers are awaited for it
  return { child, opened, exited, output: () => ({ stdout, stderr }) };
}

const opener = (action?: string) => start('test/support/embedded-opener.ts', action ? [action] : []);

describe('the embedded database has one opener', () => {
  it('stops a second process with one sentence naming the holder, and frees the lock of a killed holder at once', async () => {
    const first = opener('first.wrote');
    expect(JSON.parse(await first.opened)).toEqual(['first.wrote']);

    const second = opener('second.wrote');
    expect(await second.exited).toBe(1);
    const refusal = second.output().stderr.trim();
    expect(refusal.split('\n')).toHaveLength(1);
    expect(refusal).toContain(`is in use by process ${first.child.pid}`);
    expect(refusal).toContain('only one process may open it');

    // `npm run sync` with nothing to ask (the holder is not a console) refuses with the same sentence.
    const sync = start('scripts/sync.ts');
    expect(await sync.exited).toBe(1);
    expect(sync.output().stderr.trim()).toBe(refusal);

    // A holder killed without releasing: the next opener does not wait for the lock to go stale.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = opener('third.wrote');
    expect(JSON.parse(await third.opened)).toEqual(['third.wrote', 'first.wrote']);
    third.child.stdin.end();
    expect(await third.exited).toBe(0);
  }, 180_000);
});

describe('npm run sync', () => {
  it('prints the usage for an option it does not know, also one npm kept for itself', async () => {
    const direct = start('scripts/sync.ts', ['--bogus']);
    expect(await direct.exited).toBe(1);
    expect(direct.output().stderr).toContain('Usage: npm run sync --');

    const npm = spawn('npm', ['run', '--silent', 'sync', '--bogus'], { env: env(), cwd: process.cwd() });
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => npm.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('npm kept --bogus for itself: put -- before the script');
    expect(stderr).toContain('Usage: npm run sync --');
  }, 180_000);
});
