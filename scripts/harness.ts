/**
 * `npm run harness`: the Microsoft 365 stand-in for people who wire the console to it themselves. Starts the
 * identity emulator, Dovecot and the SMTP stand-in on fixed loopback ports (4010, 1143, 1587 unless given), the Microsoft Graph stand-in (4011), registers
 * a demo app for the console at APP_BASE_URL (else http://localhost:$PORT, PORT 3000), seeds demo mailboxes, prints
 * the settings as KEY=value lines on stdout (notes go to stderr), and runs until Ctrl-C.
 *
 *   npm run harness -- --port 4010 --imap-port 1143 --smtp-port 1587 --graph-port 4011
 */
import { parseArgs } from 'node:util';
import { FIXED_PORTS, startDemoStandIn } from '@/test/harness/demo-world';

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0 || number > 65_535)
    throw new Error(`${name} needs a port number, got "${value}"`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'imap-port': { type: 'string' },
      'smtp-port': { type: 'string' },
      'graph-port': { type: 'string' },
    },
  });
  const ports = {
    emulator: port(values.port, '--port', FIXED_PORTS.emulator),
    imap: port(values['imap-port'], '--imap-port', FIXED_PORTS.imap),
    smtp: port(values['smtp-port'], '--smtp-port', FIXED_PORTS.smtp),
    graph: port(values['graph-port'], '--graph-port', FIXED_PORTS.graph),
  };
  const consoleUrl = process.env.APP_BASE_URL || `http://localhost:${process.env.PORT || 3000}`;

  const started = Date.now();
  const demo = await startDemoStandIn({ consoleUrl, ports });
  for (const [key, value] of Object.entries(demo.settings)) process.stdout.write(`${key}=${value}\n`);
  process.stderr.write(
    `\nMicrosoft 365 stand-in ready in ${Date.now() - started} ms for the console at ${consoleUrl} (work dir ${demo.harness.workDir}).\n` +
      `${demo.summary}\nCtrl-C stops and cleans up.\n`,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the stand-in...\n`);
    demo.harness.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const text = error instanceof Error ? error.message : String(error);
  const hint = /EADDRINUSE/.test(text) ? ' (another stand-in may be running: stop it, or choose other ports)' : '';
  process.stderr.write(`The stand-in did not start: ${text}${hint}\n`);
  process.exit(1);
});
