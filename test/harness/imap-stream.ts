/**
 * Cuts an IMAP byte stream into whole lines and `{n}` / `{n+}` literals, so the Exchange personality can read
 * and rewrite responses and commands without ever mistaking literal bytes (a message body) for protocol.
 */
export type Segment = { kind: 'line'; text: string } | { kind: 'literal'; parts: Buffer[]; length: number };

/** One server response or one client command line: its lines and the literals between them. */
export interface ImapUnit {
  segments: Segment[];
}

const LITERAL_AT_END = /\{(\d+)\+?\}\r?\n$/;

export class ImapSplitter {
  private pending: Buffer[] = [];
  private segments: Segment[] = [];
  private literal: { parts: Buffer[]; length: number; left: number } | undefined;

  /** Feeds bytes; returns every unit completed by them, in order. */
  push(chunk: Buffer): ImapUnit[] {
    const done: ImapUnit[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.literal) {
        const take = Math.min(this.literal.left, rest.length);
        this.literal.parts.push(rest.subarray(0, take));
        this.literal.left -= take;
        rest = rest.subarray(take);
        if (this.literal.left === 0) {
          this.segments.push({ kind: 'literal', parts: this.literal.parts, length: this.literal.length });
          this.literal = undefined;
        }
        continue;
      }
      const newline = rest.indexOf(0x0a);
      if (newline < 0) {
        this.pending.push(rest);
        break;
      }
      const line = Buffer.concat([...this.pending, rest.subarray(0, newline + 1)]).toString('latin1');
      this.pending = [];
      rest = rest.subarray(newline + 1);
      this.segments.push({ kind: 'line', text: line });
      const literal = LITERAL_AT_END.exec(line);
      if (literal && Number(literal[1]) > 0) {
        this.literal = { parts: [], length: Number(literal[1]), left: Number(literal[1]) };
        continue;
      }
      if (literal) {
        this.segments.push({ kind: 'literal', parts: [], length: 0 });
        continue;
      }
      done.push({ segments: this.segments });
      this.segments = [];
    }
    return done;
  }
}

export function firstLine(unit: ImapUnit): string {
  const first = unit.segments[0];
  return first?.kind === 'line' ? first.text : '';
}

export function serialize(unit: ImapUnit): Buffer[] {
  const out: Buffer[] = [];
  for (const segment of unit.segments) {
    if (segment.kind === 'line') out.push(Buffer.from(segment.text, 'latin1'));
    else out.push(...segment.parts);
  }
  return out;
}

export function literalBytes(segment: Segment): Buffer {
  return segment.kind === 'literal' ? Buffer.concat(segment.parts) : Buffer.alloc(0);
}
