/**
 * A private Dovecot instance: `dovecot -F -c <generated config>` in its own folder, IMAP on a loopback port.
 * It can be stopped, killed mid-session and restarted on the same port (fault tests), and runs doveadm against
 * its own config for UIDVALIDITY changes, expunges and folder creation.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { checkpasswordScript, dovecotConfig, oauth2Config } from './dovecot-config';
import { assertLoopbackUrl, LOOPBACK } from './loopback';
import { descendants, isAlive, signalTree } from './process-tree';

const run = promisify(execFile);
const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';
const START_TIMEOUT_MS = 5_000;
// Dovecot's own shutdown can wait seconds for its log process; a throwaway test server need not be patient.
const STOP_GRACE_MS = 300;

export interface DovecotOptions {
  workDir: string;
  mailRoot: string;
  port: number;
  emulatorUrl: string;
  benchPassword?: string;
}

export class DovecotServer {
  private child: ChildProcess | undefined;
  readonly configFile: string;

  constructor(private readonly options: DovecotOptions) {
    assertLoopbackUrl(options.emulatorUrl);
    this.configFile = join(options.workDir, 'dovecot.conf');
  }

  get port(): number {
    return this.options.port;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return join(this.options.workDir, 'dovecot.log');
  }

  async writeConfig(): Promise<void> {
    const { workDir, emulatorUrl } = this.options;
    await mkdir(workDir, { recursive: true });
    // The auth process runs as the dovecot user: it must reach the script and config through these folders.
    await chmod(workDir, 0o755);
    const script = join(workDir, 'shared-mailbox.sh');
    const oauth2 = join(workDir, 'oauth2.conf.ext');
    await writeFile(script, checkpasswordScript(emulatorUrl), { mode: 0o755 });
    await writeFile(oauth2, oauth2Config(emulatorUrl), { mode: 0o644 });
    await writeFile(
      this.configFile,
      dovecotConfig({
        instanceName: `mailgate-harness-${this.options.port}`,
        workDir,
        mailRoot: this.options.mailRoot,
        port: this.options.port,
        emulatorUrl,
        checkpasswordScript: script,
        oauth2ConfigFile: oauth2,
        benchPassword: this.options.benchPassword,
      }),
    );
  }

  /** Starts and waits for the port; retries briefly when a just-killed instance still holds it. */
  async start(): Promise<void> {
    if (this.child && isAlive(this.child.pid ?? -1)) throw new Error('Dovecot already running');
    await access(DOVECOT, constants.X_OK).catch(() => {
      throw new Error(
        `Dovecot is not installed (${DOVECOT}): run \`bash scripts/install-tools.sh dovecot\` (or \`sudo apt-get install dovecot-imapd\`).`,
      );
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const child = spawn(DOVECOT, ['-F', '-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      this.child = child;
      const outcome = await Promise.race([waitForPort(this.port, deadline), exited(child)]);
      if (outcome === 'listening') return;
      if (child.pid && isAlive(child.pid)) signalTree(child.pid, 'SIGKILL');
      if (Date.now() > deadline || !/Address already in use/.test(stderr + (await this.logTail()))) {
        throw new Error(`Dovecot did not start: ${stderr.trim()} ${await this.logTail()}`);
      }
      await sleep(50);
    }
  }

  /**
   * SIGTERM to the master and all its children at once: the master alone waits a second or more for its log
   * process (longer when it is still starting up); stragglers get SIGKILL.
   */
  async stop(): Promise<void> {
    await this.signalAndWait('SIGTERM');
  }

  /** A crash: master and every child get SIGKILL at once, open IMAP sessions drop without a BYE. */
  async kill(): Promise<void> {
    await this.signalAndWait('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child?.pid || !isAlive(child.pid)) return;
    const pids = [child.pid, ...descendants(child.pid)];
    const done = exited(child);
    signalTree(child.pid, signal);
    if (!(await waitGone(pids, STOP_GRACE_MS))) pids.forEach((pid) => signalTree(pid, 'SIGKILL'));
    await done;
  }

  /** doveadm against this instance's config, as the mailbox user. */
  async doveadm(args: string[]): Promise<string> {
    const { stdout } = await run(DOVEADM, ['-c', this.configFile, ...args], { timeout: 10_000 });
    return stdout;
  }

  async logTail(lines = 20): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

function exited(child: ChildProcess): Promise<'exited'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve('exited');
  return new Promise((resolve) => child.once('exit', () => resolve('exited')));
}

async function waitForPort(port: number, deadline: number): Promise<'listening' | 'timeout'> {
  while (Date.now() < deadline) {
    if (await canConnect(port)) return 'listening';
    await sleep(10);
  }
  return 'timeout';
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
