import readline from 'node:readline';
import { Writable } from 'node:stream';

/**
 * A password for a command-line tool: typed without echo (twice) at a terminal, or the first line of standard
 * input when piped (`printf '%s\n' "$PW" | npm run admin -- ...`), so it never has to appear in argv or history.
 */
export async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return firstLineOfStdin();
  const first = await ask(prompt);
  const second = await ask('Type it again: ');
  if (first !== second) throw new Error('The two passwords do not match; nothing was changed.');
  return first;
}

function ask(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  process.stdout.write(prompt);
  muted = true;
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    }),
  );
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
