/**
 * Every HTML, JSON and RSC body the browser received during an e2e run, one file each, so the secret scan that runs
 * last (99-secrets-scan.spec.ts) can prove no page or API answer ever carried a token, a key or a password.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Response } from '@playwright/test';
import { RESPONSES_DIR } from './run-files';

const TEXTUAL = /^(text\/html|application\/json|text\/x-component|text\/plain)/;
let counter = 0;

/** Writes one body under RESPONSES_DIR; specs that talk HTTP outside the browser call it for their own answers. */
export function recordBody(url: string, contentType: string, body: Buffer | string): void {
  if (!TEXTUAL.test(contentType)) return;
  mkdirSync(RESPONSES_DIR, { recursive: true });
  counter += 1;
  const name = `${process.pid}-${Date.now().toString(36)}-${counter}.txt`;
  writeFileSync(path.join(RESPONSES_DIR, name), body);
  writeFileSync(path.join(RESPONSES_DIR, `${name}.url`), url);
}

/**
 * Records the context's responses from now on. The returned function waits a little for bodies still being read;
 * a response that streams on (a long server action, a poll) must not hold up the test's teardown.
 */
export function recordResponses(context: BrowserContext): () => Promise<void> {
  const pending = new Set<Promise<void>>();
  const onResponse = (response: Response) => {
    const type = response.headers()['content-type'] ?? '';
    if (!TEXTUAL.test(type) || response.status() === 204 || (response.status() >= 300 && response.status() < 400))
      return;
    const read = response
      .body()
      .then((body) => recordBody(response.url(), type, body))
      // A body the browser already dropped (navigated away) cannot be read; nothing to scan then.
      .catch(() => {})
      .finally(() => pending.delete(read));
    pending.add(read);
  };
  context.on('response', onResponse);
  return async () => {
    context.off('response', onResponse);
    await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  };
}

/** Every recorded body, for a scan. */
export function recordedBodies(): Array<{ url: string; body: Buffer }> {
  let names: string[];
  try {
    names = readdirSync(RESPONSES_DIR).filter((name) => name.endsWith('.txt'));
  } catch {
    return [];
  }
  return names.map((name) => ({
    url: readFileSync(path.join(RESPONSES_DIR, `${name}.url`), 'utf8'),
    body: readFileSync(path.join(RESPONSES_DIR, name)),
  }));
}
