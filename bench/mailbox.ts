/**
 * The bench mailbox (DESIGN.md §7): deterministic messages in the brief's mix — 70% 2–20 KB text/html, 25%
 * 50–300 KB with an attachment, 5% 1–5 MB — written straight into the harness's maildir. The harness's
 * 'realistic' profile has 29% / 1%, so the bench keeps its own. Attachment bytes come from AES-CTR keyed by the
 * seed: deterministic and fast enough for gigabytes.
 */
import { createCipheriv, createHash } from 'node:crypto';
import type { Harness } from '@/test/harness/fixture';
import { between, prng } from '@/test/harness/random';

export interface BenchMailboxOptions {
  count: number;
  seed: number;
  /** Index of the first message (to add more of the same series later). */
  offset?: number;
  /** Every attachment exactly this big instead of the mix (the memory case). */
  attachmentBytes?: number;
}

export interface BenchMailbox {
  count: number;
  bytes: number;
  shapes: Record<string, number>;
}

const WORDS =
  'invoice meeting quarterly report shipment ticket customer update agenda review budget contract delivery schedule support request follow-up approval draft summary attached please thanks regards team project deadline'.split(
    ' ',
  );

export async function seedBenchMailbox(
  harness: Harness,
  address: string,
  options: BenchMailboxOptions,
): Promise<BenchMailbox> {
  const result: BenchMailbox = { count: 0, bytes: 0, shapes: {} };
  function* messages() {
    const offset = options.offset ?? 0;
    for (let i = offset; i < offset + options.count; i += 1) {
      const { raw, shape } = benchMessage(address, options.seed, i, options.attachmentBytes);
      result.count += 1;
      result.bytes += raw.length;
      result.shapes[shape] = (result.shapes[shape] ?? 0) + 1;
      yield { raw, internalDate: new Date(Date.UTC(2025, 0, 6) + i * 60_000) };
    }
  }
  await harness.maildirs.write(address, 'INBOX', messages());
  return result;
}

export function benchMessage(
  to: string,
  seed: number,
  index: number,
  attachmentBytes?: number,
): { raw: Buffer; shape: string } {
  const rand = prng(seed * 1_000_003 + index);
  const roll = rand();
  const shape =
    attachmentBytes !== undefined
      ? 'attachment'
      : roll < 0.05
        ? 'large'
        : roll < 0.3
          ? 'attachment'
          : roll < 0.65
            ? 'html'
            : 'plain';
  const date = new Date(Date.UTC(2025, 0, 6) + index * 60_000);
  const headers = [
    `From: Bench Sender ${index % 97} <sender${index % 97}@fabrikam.test>`,
    `To: ${to}`,
    `Subject: ${words(rand, 5)} #${index}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <bench${seed}.${index}@bench.test>`,
    'MIME-Version: 1.0',
  ].join('\r\n');
  const text = paragraphs(rand, between(rand, 2_000, 20_000) / (shape === 'html' ? 2.2 : 1));
  const html = `<html><body>${text
    .split('\r\n\r\n')
    .map((p) => `<p>${p}</p>`)
    .join('\r\n')}</body></html>`;
  const alternative = `Content-Type: multipart/alternative; boundary="alt-${index}"\r\n\r\n--alt-${index}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--alt-${index}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--alt-${index}--\r\n`;
  let body: string;
  if (shape === 'plain')
    body = `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n`;
  else if (shape === 'html') body = alternative;
  else {
    const size =
      attachmentBytes ?? (shape === 'large' ? between(rand, 1_000_000, 5_000_000) : between(rand, 50_000, 300_000));
    const encoded = randomBytesFor(seed, index, Math.floor(size * 0.75))
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    body = `Content-Type: multipart/mixed; boundary="mix-${index}"\r\n\r\n--mix-${index}\r\n${alternative}\r\n--mix-${index}\r\nContent-Type: application/pdf; name="report-${index}.pdf"\r\nContent-Disposition: attachment; filename="report-${index}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${encoded}\r\n--mix-${index}--\r\n`;
  }
  return { raw: Buffer.from(`${headers}\r\n${body}`, 'utf8'), shape };
}

function randomBytesFor(seed: number, index: number, length: number): Buffer {
  const key = createHash('sha256').update(`bench:${seed}:${index}`).digest();
  return createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32)).update(Buffer.alloc(length));
}

function paragraphs(rand: () => number, size: number): string {
  const out: string[] = [];
  let length = 0;
  while (length < size) {
    const lines: string[] = [];
    for (let l = 0; l < 4; l += 1) lines.push(`${words(rand, 11)}.`);
    const paragraph = lines.join('\r\n');
    out.push(paragraph);
    length += paragraph.length + 4;
  }
  return out.join('\r\n\r\n');
}

function words(rand: () => number, count: number): string {
  const picked = Array.from({ length: count }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  return picked.charAt(0).toUpperCase() + picked.slice(1);
}
