/**
 * Deterministic test mail: the same seed gives byte-identical messages. Structures seen in real mailboxes
 * (text/plain, multipart/alternative, multipart/mixed with attachments, a few large ones) in the size mix of
 * ../shared/HARNESS.md when `profile: 'realistic'`, or small ones for quick tests.
 */
import { between, prng } from './random';

export type MessageShape = 'plain' | 'alternative' | 'attachment' | 'large';

export interface GeneratedMessage {
  index: number;
  shape: MessageShape;
  messageId: string;
  subject: string;
  date: Date;
  raw: Buffer;
}

export interface GenerateOptions {
  count: number;
  to: string;
  seed?: number;
  /** `light`: 1–8 KB bodies, attachments up to 30 KB. `realistic`: 70% 2–20 KB, 29% 50–300 KB, 1% 1–5 MB. */
  profile?: 'light' | 'realistic';
  startDate?: Date;
  /** Time between two messages' dates; default 7 minutes. */
  intervalMs?: number;
  /** Index of the first message (for appending more of the same series later). */
  offset?: number;
}

/** Dates for `count` messages spread evenly over the last `days` days, the newest a little before now. */
export function recentDates(count: number, days: number, now = Date.now()): { startDate: Date; intervalMs: number } {
  const intervalMs = Math.floor((days * 86_400_000) / Math.max(1, count));
  return { startDate: new Date(now - days * 86_400_000), intervalMs };
}

const WORDS =
  'invoice meeting quarterly report shipment ticket customer update agenda review budget contract delivery schedule support request follow-up approval draft summary attached please thanks regards team project deadline'.split(
    ' ',
  );
const SENDERS = [
  'Ada Lovelace <ada@fabrikam.test>',
  'Grace Hopper <grace@northwind.test>',
  'Alan Turing <alan@tailspin.test>',
  'Katherine Johnson <kj@woodgrove.test>',
];

export function* generateMessages(options: GenerateOptions): Generator<GeneratedMessage> {
  const start = options.startDate ?? new Date('2025-01-06T08:00:00Z');
  const offset = options.offset ?? 0;
  for (let i = offset; i < offset + options.count; i += 1) {
    const rand = prng((options.seed ?? 1) * 1_000_003 + i);
    const shape = pickShape(rand(), options.profile ?? 'light');
    const date = new Date(start.getTime() + i * (options.intervalMs ?? 7 * 60_000));
    const subject = `${capitalize(words(rand, 4))} #${i}`;
    const messageId = `<seed${options.seed ?? 1}.${i}@harness.test>`;
    const headers = [
      `From: ${SENDERS[Math.floor(rand() * SENDERS.length)]}`,
      `To: ${options.to}`,
      `Subject: ${subject}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
    ];
    const body = buildBody(shape, rand, options.profile ?? 'light', i);
    yield { index: i, shape, messageId, subject, date, raw: Buffer.from(`${headers.join('\n')}\n${body}`, 'utf8') };
  }
}

function pickShape(roll: number, profile: 'light' | 'realistic'): MessageShape {
  if (profile === 'realistic' && roll < 0.01) return 'large';
  if (roll < 0.5) return 'plain';
  if (roll < 0.71) return 'alternative';
  return 'attachment';
}

function buildBody(shape: MessageShape, rand: () => number, profile: 'light' | 'realistic', index: number): string {
  const textSize = profile === 'realistic' ? between(rand, 2_000, 20_000) : between(rand, 1_000, 8_000);
  const text = paragraphs(rand, textSize);
  if (shape === 'plain') return `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}\n`;
  const alternative = `Content-Type: multipart/alternative; boundary="alt-${index}"\n\n--alt-${index}\nContent-Type: text/plain; charset=utf-8\n\n${text}\n--alt-${index}\nContent-Type: text/html; charset=utf-8\n\n<html><body>${text
    .split('\n\n')
    .map((p) => `<p>${p}</p>`)
    .join('')}</body></html>\n--alt-${index}--\n`;
  if (shape === 'alternative') return alternative;
  const attachmentSize =
    shape === 'large'
      ? between(rand, 1_000_000, 5_000_000)
      : profile === 'realistic'
        ? between(rand, 50_000, 300_000)
        : between(rand, 2_000, 30_000);
  const bytes = Buffer.alloc(Math.floor(attachmentSize * 0.75));
  for (let b = 0; b < bytes.length; b += 1) bytes[b] = Math.floor(rand() * 256);
  const encoded = bytes.toString('base64').replace(/.{76}/g, '$&\n');
  return `Content-Type: multipart/mixed; boundary="mix-${index}"\n\n--mix-${index}\n${alternative}\n--mix-${index}\nContent-Type: application/pdf; name="report-${index}.pdf"\nContent-Disposition: attachment; filename="report-${index}.pdf"\nContent-Transfer-Encoding: base64\n\n${encoded}\n--mix-${index}--\n`;
}

function paragraphs(rand: () => number, size: number): string {
  const out: string[] = [];
  let length = 0;
  while (length < size) {
    const lines: string[] = [];
    for (let l = 0; l < 4; l += 1) lines.push(capitalize(words(rand, 11)) + '.');
    const paragraph = lines.join('\n');
    out.push(paragraph);
    length += paragraph.length + 2;
  }
  return out.join('\n\n');
}

function words(rand: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
