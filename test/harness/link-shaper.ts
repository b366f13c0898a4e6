import type { Socket } from 'node:net';

/**
 * A per-connection link model for the benchmark: every chunk arrives one-way delay (half the round trip) after it
 * was sent, and no faster than the bandwidth cap allows after the chunk before it. Microsoft publishes no figure
 * for either; DESIGN.md's target link (40 ms round trip, 8 MB/s per connection) is the bench's default.
 */
export interface LinkShape {
  /** Round trip in ms; each direction is delayed by half of it. */
  roundTripMs?: number;
  /** Bytes per second per direction; undefined for no cap. */
  bytesPerSecond?: number;
}

/** The release time of each chunk, computed only from send times and sizes: deterministic and testable. */
export class LinkSchedule {
  private lastRelease = 0;
  private readonly delayMs: number;

  constructor(private readonly shape: LinkShape) {
    this.delayMs = (shape.roundTripMs ?? 0) / 2;
  }

  /** When a chunk of `bytes` sent at `sentAt` (ms) arrives. */
  releaseAt(sentAt: number, bytes: number): number {
    const transmitMs = this.shape.bytesPerSecond ? (bytes / this.shape.bytesPerSecond) * 1000 : 0;
    const start = Math.max(sentAt + this.delayMs, this.lastRelease);
    this.lastRelease = start + transmitMs;
    return this.lastRelease;
  }
}

export function isShaped(shape: LinkShape | undefined): shape is LinkShape {
  return !!shape && ((shape.roundTripMs ?? 0) > 0 || (shape.bytesPerSecond ?? 0) > 0);
}

/** Writes chunks to `write` at the times the schedule says, in order. */
export class ShapedWriter {
  private readonly schedule: LinkSchedule;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    shape: LinkShape,
    private readonly write: (chunk: Buffer) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.schedule = new LinkSchedule(shape);
  }

  send(chunk: Buffer): void {
    const at = this.schedule.releaseAt(this.now(), chunk.length);
    this.queue = this.queue.then(async () => {
      const wait = at - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.closed) this.write(chunk);
    });
  }

  /** Resolves once everything queued so far is written. */
  drained(): Promise<void> {
    return this.queue;
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * A proxied connection's two sockets end together: an error on either cuts both at once; a close cuts both once the
 * shaper has written what it still held for the other side (`pending` names that writer, if any).
 */
export function endTogether(
  client: Socket,
  upstream: Socket,
  options: { sockets: Set<Socket>; cut: () => void; pending: (closed: Socket) => ShapedWriter | undefined },
): void {
  for (const socket of [client, upstream]) {
    socket.on('error', options.cut);
    socket.on('close', () => {
      options.sockets.delete(socket);
      const writer = options.pending(socket);
      if (writer) void writer.drained().then(options.cut);
      else options.cut();
    });
  }
}
