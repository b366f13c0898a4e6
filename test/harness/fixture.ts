/**
 * One call starts the whole Microsoft 365 stand-in on loopback: identity emulator, Dovecot (IMAP, XOAUTH2) and the
 * SMTP submission stand-in, plus seeding and fault helpers and the settings that point the product at them.
 */
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndpointOverrides } from '@/lib/microsoft/clouds';
import { ControlClient } from './control-client';
import { DovecotServer } from './dovecot';
import { MAIL_GID, MAIL_UID } from './dovecot-config';
import { startEmulator, type Emulator } from './emulator/server';
import type { AppInput, TenantInput, UserInput } from './emulator/model';
import { assertLoopbackUrl, freePort, LOOPBACK } from './loopback';
import { Maildirs } from './maildir';
import { signalTree } from './process-tree';
import { Seeder } from './seed';
import { startSmtp, type SmtpStandIn } from './smtp';
import { startTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy';
import { startExchangeImap, type ExchangeImap, type ExchangeImapSettings } from './exchange-imap';
import { startGraph, type GraphStandIn } from './graph/server';

export interface HarnessOptions {
  /** Fixed ports (e.g. for `npm run harness`, so settings stay the same between starts); default free ones. */
  emulatorPort?: number;
  imapPort?: number;
  smtpPort?: number;
  /** The Microsoft Graph stand-in's port (`npm run harness`: 4011); default a free one. */
  graphPort?: number;
  accessTokenLifetimeSeconds?: number;
  /** Bench-only PLAIN/LOGIN password on Dovecot; off unless given. */
  benchPassword?: string;
  /**
   * Exchange Online's IMAP personality in front of Dovecot (capabilities, answers, estimates, throttling; see
   * README.md ## IMAP): on unless `false`, which leaves the product talking to Dovecot as it is.
   */
  exchange?: Partial<ExchangeImapSettings> | false;
  /** Extra tenants (or new settings for the default one, by its id), added before the users. */
  tenants?: TenantInput[];
  users?: UserInput[];
  apps?: AppInput[];
}

export interface Harness {
  emulator: Emulator;
  control: ControlClient;
  dovecot: DovecotServer;
  /** The Exchange personality (settings can change between connections); undefined when turned off. */
  exchange: ExchangeImap | undefined;
  smtp: SmtpStandIn;
  /** Microsoft Graph's mail endpoints over the same maildirs (README.md ## Microsoft Graph). */
  graph: GraphStandIn;
  /** Where the product connects: the Exchange personality, or Dovecot itself when it is off. */
  imapPort: number;
  smtpPort: number;
  maildirs: Maildirs;
  seed: Seeder;
  /** Feed to `cloudEndpoints('global', endpointOverrides)`. */
  endpointOverrides: EndpointOverrides;
  /** The product's env vars for these servers (`KEY=value` material). */
  env: Record<string, string>;
  workDir: string;
  /** A byte-counting proxy in front of the IMAP port the product uses; closed by stop(). */
  imapProxy(options?: Omit<TcpProxyOptions, 'targetPort'>): Promise<TcpProxy>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Short path: Dovecot's unix sockets live under it and must fit in 108 bytes.
  const workDir = await mkdtemp(join(tmpdir(), 'mgh-'));
  // mkdtemp makes it 0700; the mail uid and Dovecot's own users must be able to traverse it.
  await chmod(workDir, 0o755);
  const mailRoot = join(workDir, 'mail');
  await mkdir(mailRoot);
  await chown(mailRoot, MAIL_UID, MAIL_GID);

  const cleanups: Array<() => Promise<void>> = [() => rm(workDir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const emulator = await startEmulator({
      port: options.emulatorPort,
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds,
    });
    cleanups.push(() => emulator.close());
    assertLoopbackUrl(emulator.url);
    const control = new ControlClient(emulator.url);
    for (const tenant of options.tenants ?? []) emulator.state.directory.addTenant(tenant);
    for (const user of options.users ?? []) emulator.state.directory.addUser(user);
    for (const app of options.apps ?? []) emulator.state.directory.registerApp(app);

    const maildirs = new Maildirs(mailRoot);
    const dovecot = new DovecotServer({
      workDir: join(workDir, 'dovecot'),
      mailRoot,
      // A fixed imapPort belongs to the personality when it is on; Dovecot then takes any free port.
      port: (options.exchange === false ? options.imapPort : undefined) ?? (await freePort()),
      emulatorUrl: emulator.url,
      benchPassword: options.benchPassword,
    });
    await dovecot.writeConfig();
    const [smtp] = await Promise.all([
      startSmtp({ emulatorUrl: emulator.url, maildirs, port: options.smtpPort }),
      dovecot.start(),
    ]);
    cleanups.push(() => smtp.close());
    cleanups.push(() => dovecot.stop());
    const graph = await startGraph({ state: emulator.state, maildirs, port: options.graphPort });
    cleanups.push(() => graph.close());
    // If the test process dies without stop(), do not leave a Dovecot behind.
    const killOnExit = (): void => {
      if (dovecot.pid) signalTree(dovecot.pid, 'SIGKILL');
    };
    process.once('exit', killOnExit);
    cleanups.push(async () => {
      process.off('exit', killOnExit);
    });

    const exchange =
      options.exchange === false
        ? undefined
        : await startExchangeImap({
            targetPort: dovecot.port,
            emulatorUrl: emulator.url,
            port: options.imapPort,
            allowPasswordLogin: options.benchPassword !== undefined,
            ...options.exchange,
          });
    if (exchange) cleanups.push(() => exchange.close());
    const imapPort = exchange?.port ?? dovecot.port;

    const endpointOverrides: EndpointOverrides = {
      loginUrl: emulator.url,
      imapHost: LOOPBACK,
      imapPort,
      imapTls: false,
      smtpHost: LOOPBACK,
      smtpPort: smtp.port,
      smtpSecurity: 'none',
      graphUrl: graph.url,
    };
    return {
      emulator,
      control,
      dovecot,
      exchange,
      smtp,
      graph,
      imapPort,
      smtpPort: smtp.port,
      maildirs,
      seed: new Seeder(maildirs, dovecot, control),
      endpointOverrides,
      env: harnessEnv(endpointOverrides),
      workDir,
      imapProxy: async (proxyOptions = {}) => {
        const proxy = await startTcpProxy({ targetPort: imapPort, ...proxyOptions });
        cleanups.push(() => proxy.close());
        return proxy;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function harnessEnv(overrides: EndpointOverrides): Record<string, string> {
  return {
    MICROSOFT_LOGIN_URL: overrides.loginUrl ?? '',
    MICROSOFT_IMAP_HOST: overrides.imapHost ?? '',
    MICROSOFT_IMAP_PORT: String(overrides.imapPort ?? ''),
    MICROSOFT_IMAP_TLS: String(overrides.imapTls ?? false),
    MICROSOFT_SMTP_HOST: overrides.smtpHost ?? '',
    MICROSOFT_SMTP_PORT: String(overrides.smtpPort ?? ''),
    MICROSOFT_SMTP_SECURITY: overrides.smtpSecurity ?? 'none',
    MICROSOFT_GRAPH_URL: overrides.graphUrl ?? '',
    IMAP_PORT: String(overrides.imapPort ?? ''),
    SMTP_PORT: String(overrides.smtpPort ?? ''),
  };
}
